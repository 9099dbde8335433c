"""A fake Zalo Bot API server on 127.0.0.1 (aiohttp), for tests and the sandbox.

It follows the public Zalo Bot Platform documentation: `/bot<token>/<method>`, JSON answers
`{"ok": true, "result": ...}` or `{"ok": false, "error_code": N, "description": ...}`, text messages of
1-2,000 characters, photos by URL, events by getUpdates (long polling) or a webhook with the
`X-Bot-Api-Secret-Token` header. Error codes are not published by Zalo: this server uses HTTP-like ones
(400 bad request, 401 bad token, 403 blocked, 404 unknown method, 429 too many requests).
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Self

import aiohttp
from aiohttp import web

JSON = dict[str, Any]


@dataclass
class Fault:
    code: int
    description: str
    times: int = 1
    delay: float = 0.0  # seconds to wait before answering (a read timeout on the client's side)


@dataclass
class ZaloUser:
    id: str
    name: str
    blocked: bool = False


@dataclass
class FakeZaloState:
    token: str
    users: dict[str, ZaloUser] = field(default_factory=dict)
    sent: list[JSON] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    events: deque[JSON] = field(default_factory=deque)
    photos: dict[str, bytes] = field(default_factory=dict)
    webhook_url: str = ""
    webhook_secret: str = ""
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    per_second: int = 0  # 0: no rate limit
    recent: deque[float] = field(default_factory=deque)
    groups: dict[str, ZaloUser] = field(default_factory=dict)  # group chats: messages to them are recorded too
    idle_code: int = 408  # what getUpdates answers when nothing arrived (the real API: 408)


def _error(code: int, description: str) -> web.Response:
    status = code if 400 <= code < 600 else 400
    return web.json_response({"ok": False, "error_code": code, "description": description}, status=status)


class FakeZaloApi:
    """`async with FakeZaloApi() as zalo:` then point the bot at `zalo.base_url` with `zalo.token`."""

    def __init__(self, token: str | None = None) -> None:
        self.state = FakeZaloState(token=token or f"{secrets.randbelow(10**9)}:{secrets.token_urlsafe(12)}")
        self._arrived = asyncio.Condition()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.port = 0

    @property
    def token(self) -> str:
        return self.state.token

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self, port: int = 0) -> None:
        self._closing = False
        app = web.Application(client_max_size=25 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        app.router.add_get("/photos/{name}", self._photo)
        app.router.add_get("/redirect", self._redirect)  # a file host that sends the client elsewhere
        # Like the fake Bot API: a client that went away cancels its handler, and closing does not wait for a
        # long poll to time out (it held every test's teardown for up to 30 s).
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: a port a test holds
        sock.bind(("127.0.0.1", port))
        self.port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()

    async def stop(self) -> None:
        """Release long polls, then close the server."""
        self._closing = True
        async with self._arrived:
            self._arrived.notify_all()
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- what a test or the sandbox does -------------------------------------------------------
    def add_user(self, name: str, user_id: str | None = None) -> ZaloUser:
        user = ZaloUser(user_id or secrets.token_hex(10), name)
        self.state.users[user.id] = user
        return user

    def add_group(self, name: str, group_id: str | None = None) -> ZaloUser:
        """A group chat; `user_says_in_group` posts a member's message in it, `messages_to(group)` reads it."""
        group = ZaloUser(group_id or secrets.token_hex(10), name)
        self.state.groups[group.id] = group
        return group

    async def user_says_in_group(self, group: ZaloUser, user: ZaloUser, text: str) -> JSON:
        return await self._event(user, "message.text.received", chat=group, text=text)

    async def user_sends_photo_url(self, user: ZaloUser, url: str) -> JSON:
        """An image event naming any URL (what a forged or hostile event could carry)."""
        return await self._event(user, "message.image.received", photo=url)

    def fail_next(self, method: str, code: int, description: str = "", times: int = 1, delay: float = 0.0) -> None:
        self.state.faults.setdefault(method, []).append(Fault(code, description or f"error {code}", times, delay))

    async def user_says(self, user: ZaloUser, text: str) -> JSON:
        return await self._event(user, "message.text.received", text=text)

    async def user_sends_photo(self, user: ZaloUser, content: bytes, caption: str = "") -> JSON:
        name = secrets.token_hex(8) + ".jpg"
        self.state.photos[name] = content
        return await self._event(user, "message.image.received", photo=f"{self.base_url}/photos/{name}",
                                 caption=caption)

    def messages_to(self, user: ZaloUser) -> list[JSON]:
        return [m for m in self.state.sent if m["chat_id"] == user.id]

    async def wait_for_messages(self, user: ZaloUser, count: int, timeout: float = 10.0) -> list[JSON]:
        """Wait (real time) until `user` has received `count` messages."""
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.messages_to(user)) >= count), timeout)
        return self.messages_to(user)

    # --- the API ----------------------------------------------------------------------------------
    async def _event(self, user: ZaloUser, event_name: str, chat: ZaloUser | None = None, **content: Any) -> JSON:
        where = {"id": chat.id, "chat_type": "GROUP"} if chat is not None else {"id": user.id, "chat_type": "PRIVATE"}
        message = {"from": {"id": user.id, "display_name": user.name, "is_bot": False},
                   "chat": where, "message_id": secrets.token_hex(10),
                   "date": int(time.time() * 1000), **{k: v for k, v in content.items() if v}}
        event = {"event_name": event_name, "message": message}
        if self.state.webhook_url:
            if self._client is None:
                self._client = aiohttp.ClientSession()
            async with self._client.post(self.state.webhook_url, json={"ok": True, "result": event},
                                         headers={"X-Bot-Api-Secret-Token": self.state.webhook_secret}) as resp:
                await resp.read()
        else:
            async with self._arrived:
                self.state.events.append(event)
                self._arrived.notify_all()
        return event

    async def _photo(self, request: web.Request) -> web.StreamResponse:
        content = self.state.photos.get(request.match_info["name"])
        if content is None:
            raise web.HTTPNotFound()
        return web.Response(body=content, content_type="image/jpeg")

    async def _redirect(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(request.query.get("to", "/"))

    async def _params(self, request: web.Request) -> JSON:
        params: JSON = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                params.update(body if isinstance(body, dict) else {})
            else:
                params.update(dict(await request.post()))
        return params

    async def _dispatch(self, request: web.Request) -> web.Response:
        state = self.state
        method = request.match_info["method"]
        if request.match_info["token"] != state.token:
            return _error(401, "Unauthorized")
        state.calls.append(method)
        queue = state.faults.get(method)
        if queue:
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            if fault.delay:
                await asyncio.sleep(fault.delay)
            return _error(fault.code, fault.description)
        if state.per_second and method.startswith("send"):
            now = time.monotonic()
            while state.recent and now - state.recent[0] > 1.0:
                state.recent.popleft()
            if len(state.recent) >= state.per_second:
                return _error(429, "Too Many Requests")
            state.recent.append(now)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found")
        try:
            params = await self._params(request)
        except ValueError:
            return _error(400, "Bad Request: invalid JSON")
        answer = await handler(params)
        if isinstance(answer, web.Response):
            return answer
        return web.json_response({"ok": True, "result": answer})

    async def _m_getMe(self, params: JSON) -> Any:
        return {"id": "1459232241454765289", "account_name": "bot.nhacviec", "account_type": "BASIC",
                "can_join_groups": False}

    async def _m_getUpdates(self, params: JSON) -> Any:
        if self.state.webhook_url:
            return _error(400, "Bad Request: webhook is set, use deleteWebhook first")
        timeout = float(params.get("timeout") or 30)
        async with self._arrived:
            try:
                await asyncio.wait_for(self._arrived.wait_for(lambda: bool(self.state.events) or self._closing),
                                       timeout)
            except TimeoutError:
                return _error(self.state.idle_code, "Request Timeout") if self.state.idle_code else []
            events = list(self.state.events)
            self.state.events.clear()
        return events

    async def _m_setWebhook(self, params: JSON) -> Any:
        url, secret = str(params.get("url") or ""), str(params.get("secret_token") or "")
        if not url or not 8 <= len(secret) <= 256:
            return _error(400, "Bad Request: url and secret_token (8-256 characters) are required")
        self.state.webhook_url, self.state.webhook_secret = url, secret
        return {"url": url, "updated_at": int(time.time() * 1000)}

    async def _m_deleteWebhook(self, params: JSON) -> Any:
        self.state.webhook_url = self.state.webhook_secret = ""
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def _m_getWebhookInfo(self, params: JSON) -> Any:
        return {"url": self.state.webhook_url, "updated_at": int(time.time() * 1000)}

    def _recipient(self, params: JSON) -> ZaloUser | web.Response:
        chat = str(params.get("chat_id") or "")
        user = self.state.users.get(chat) or self.state.groups.get(chat)
        if user is None:
            return _error(400, "Bad Request: chat not found")
        if user.blocked:
            return _error(403, "Forbidden: the user has blocked the bot")
        return user

    async def _record(self, kind: str, user: ZaloUser, **content: Any) -> JSON:
        record = {"kind": kind, "chat_id": user.id, "message_id": secrets.token_hex(10),
                  "date": int(time.time() * 1000), **content}
        async with self._arrived:
            self.state.sent.append(record)
            self._arrived.notify_all()
        return {"message_id": record["message_id"], "date": record["date"]}

    async def _m_sendMessage(self, params: JSON) -> Any:
        user = self._recipient(params)
        if isinstance(user, web.Response):
            return user
        text = str(params.get("text") or "")
        if not 1 <= len(text) <= 2000:
            return _error(400, "Bad Request: text must be 1-2000 characters")
        return await self._record("text", user, text=text)

    async def _m_sendPhoto(self, params: JSON) -> Any:
        user = self._recipient(params)
        if isinstance(user, web.Response):
            return user
        photo, caption = str(params.get("photo") or ""), str(params.get("caption") or "")
        if not photo.startswith(("http://", "https://")) or len(caption) > 2000:
            return _error(400, "Bad Request: photo must be a URL and caption at most 2000 characters")
        return await self._record("photo", user, photo=photo, caption=caption)

    async def _m_sendChatAction(self, params: JSON) -> Any:
        user = self._recipient(params)
        return user if isinstance(user, web.Response) else True
