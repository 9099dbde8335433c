"""A fake Telegram Bot API server (aiohttp) that the real python-telegram-bot stack can talk to."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import re
import socket
import struct
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, NoReturn

from aiohttp import web

from bot.sandbox.faults import Fault, FaultPlan, FloodLimiter
from bot.sandbox.state import (
    ApiError,
    BotState,
    JSONDict,
    SentMessage,
    UploadedFile,
    bad_request,
    chat_id_of,
)
from bot.sandbox.updates import UpdateQueue

__all__ = ["FakeBotApi", "SentMessage"]

# Form and multipart values are all strings; these fields carry other types.
_JSON_FIELDS = frozenset({"reply_markup", "entities", "caption_entities", "allowed_updates", "commands",
                          "scope", "link_preview_options", "reply_parameters", "media"})
_INT_FIELDS = frozenset({"chat_id", "message_id", "offset", "limit", "timeout", "reply_to_message_id",
                         "message_thread_id", "cache_time", "user_id", "from_chat_id", "max_connections"})
_BOOL_FIELDS = frozenset({"disable_notification", "protect_content", "show_alert", "drop_pending_updates",
                          "disable_web_page_preview", "allow_sending_without_reply", "has_spoiler",
                          "disable_content_type_detection", "allow_paid_broadcast"})
_INT_RE = re.compile(r"-?\d+")
_NGINX_502 = ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
              "Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n")

Handler = Callable[[JSONDict], Any]


def _coerce(name: str, value: str) -> Any:
    """Turn a form field back into the JSON type the Bot API documents for it."""
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if name in _INT_FIELDS and _INT_RE.fullmatch(value):
        return int(value)
    if name in _BOOL_FIELDS and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _json_response(payload: JSONDict, status: int = 200) -> web.Response:
    return web.json_response(payload, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


class FakeBotApi:
    """In-process fake of api.telegram.org with fault injection, flood limits and user simulation."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        username: str = "nhacviec_test_bot",
        enforce_limits: bool = False,
        global_per_second: int = 30,
        per_chat_per_second: float = 1.0,
        group_per_minute: int = 20,
        time_source: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.username = username
        self.enforce_limits = enforce_limits
        self.time_source = time_source
        self.sent: list[SentMessage] = []
        self.calls: list[tuple[str, JSONDict]] = []
        self.answered_callbacks: list[JSONDict] = []
        self.count_429 = 0
        self.port = 0
        self.base_url = ""
        self.base_file_url = ""
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456
        self.state = BotState(bot_id, username, time_source, self._admit, self._on_sent)
        self.updates = UpdateQueue()
        self._faults = FaultPlan()
        self._limiter = FloodLimiter(time_source, global_per_second, per_chat_per_second, group_per_minute)
        self._callback_seq = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._descriptions: dict[str, str] = {}
        self._sent_changed: asyncio.Event | None = None
        self._closing: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler) for name, handler in self._method_table().items()
        }

    # --- lifecycle -------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on host:port (port 0 picks a free one) and fill in base_url/base_file_url."""
        self._closing = asyncio.Event()
        self._sent_changed = asyncio.Event()
        self.updates.closing = False
        # Uploads may be 50 MB; aiohttp's default body limit is 1 MB.
        app = web.Application(client_max_size=52 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # access_log=None: the request path contains the token.
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self.base_url = f"http://{host}:{self.port}/bot"
        self.base_file_url = f"http://{host}:{self.port}/file/bot"

    async def stop(self) -> None:
        """Release long polls and delayed answers, then close the server."""
        self.updates.close()
        if self._closing is not None:
            self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    # --- inspection ------------------------------------------------------------------------
    def messages_to(self, chat_id: int) -> list[SentMessage]:
        """Everything delivered to chat_id (new messages and edits), oldest first."""
        return [m for m in self.sent if m.chat_id == chat_id]

    def calls_of(self, method: str) -> list[JSONDict]:
        """Params of every call of method (case-insensitive), oldest first."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    async def wait_for_sent(self, count: int, timeout: float = 5.0) -> None:
        """Wait until at least count messages have been delivered; TimeoutError otherwise."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.sent) < count:
            if self._sent_changed is None:
                self._sent_changed = asyncio.Event()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"waited {timeout}s for {count} sent messages, got {len(self.sent)}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sent_changed.wait(), remaining)

    # --- faults ----------------------------------------------------------------------------
    def inject(self, kind: str, *, method: str = "sendMessage", chat_id: int | None = None, times: int = 1,
               retry_after: int = 1, description: str | None = None, delay: float = 5.0,
               deliver: bool = True) -> None:
        """Make the next `times` calls of method (and chat_id, if given) fail with kind."""
        self._faults.add(Fault(kind=kind, method=method, chat_id=chat_id, times=times, retry_after=retry_after,
                               description=description, delay=delay, deliver=deliver))

    def random_faults(self, rate: float, kinds: Sequence[str], seed: int, method: str = "sendMessage",
                      *, delay: float = 5.0) -> None:
        """Fail each call of method with probability rate, with a kind drawn from kinds (seeded)."""
        self._faults.add_random(rate, kinds, seed, method, delay)

    def clear_faults(self) -> None:
        """Remove all pending injected and random faults."""
        self._faults.clear()

    # --- simulated users -------------------------------------------------------------------
    def user_sends(self, user_id: int, text: str, *, first_name: str = "Test", username: str | None = None,
                   chat_id: int | None = None) -> JSONDict:
        """Queue a text message from a user (a command gets its bot_command entity); returns the update."""
        sender = self.state.user(user_id, first_name, username)
        entities = None
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities = [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]
        message = self.state.new_message(user_id if chat_id is None else chat_id, sender, text=text,
                                         entities=entities)
        return self.updates.push("message", message)

    def user_presses(self, user_id: int, message: SentMessage | int, data: str, *,
                     strict: bool = True) -> JSONDict:
        """Queue a callback_query for a button on a bot message; strict checks the button exists."""
        if isinstance(message, SentMessage):
            chat_id, message_id = message.chat_id, message.message_id
        else:
            chat_id, message_id = user_id, message
        stored = self.state.messages.get((chat_id, message_id))
        if stored is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        if strict:
            rows = (stored.get("reply_markup") or {}).get("inline_keyboard", [])
            if data not in [button.get("callback_data") for row in rows for button in row]:
                raise ValueError(f"message {message_id} has no button with callback_data {data!r}")
        query_id = str(next(self._callback_seq))
        self._open_callbacks.add(query_id)
        query = {"id": query_id, "from": self.state.user(user_id), "chat_instance": f"ci{chat_id}",
                 "message": dict(stored), "data": data}
        return self.updates.push("callback_query", query)

    def user_sends_document(self, user_id: int, file_name: str, content: bytes,
                            mime_type: str = "application/pdf", *, caption: str | None = None,
                            first_name: str = "Test", username: str | None = None,
                            chat_id: int | None = None) -> JSONDict:
        """Queue a document message from a user; getFile and the file URL serve its content."""
        sender = self.state.user(user_id, first_name, username)
        stored = self.state.store_file(content, file_name, mime_type, "documents")
        message = self.state.new_message(user_id if chat_id is None else chat_id, sender, caption=caption,
                                         document=self.state.document_dict(stored))
        return self.updates.push("message", message)

    def user_sends_photo(self, user_id: int, content: bytes, *, caption: str | None = None,
                         width: int = 1280, height: int = 720, first_name: str = "Test",
                         username: str | None = None, chat_id: int | None = None) -> JSONDict:
        """Queue a photo message from a user; getFile and the file URL serve its content."""
        sender = self.state.user(user_id, first_name, username)
        stored = self.state.store_file(content, "photo.jpg", "image/jpeg", "photos")
        message = self.state.new_message(user_id if chat_id is None else chat_id, sender, caption=caption,
                                         photo=self.state.photo_sizes(stored, width, height))
        return self.updates.push("message", message)

    # --- internals -------------------------------------------------------------------------
    def _admit(self, chat_id: int) -> None:
        if self.enforce_limits:
            self._limiter.admit(chat_id)

    def _on_sent(self, message: SentMessage) -> None:
        self.sent.append(message)
        if self._sent_changed is not None:
            self._sent_changed.set()
        self._sent_changed = asyncio.Event()

    def _error(self, error: ApiError) -> web.Response:
        if error.status == 429:
            self.count_429 += 1
        return _json_response(error.payload(), error.status)

    @staticmethod
    async def _read_params(request: web.Request) -> JSONDict:
        params: JSONDict = {k: _coerce(k, v) for k, v in request.query.items()}
        if request.content_type == "application/json":
            raw = await request.text()
            if raw.strip():
                body = json.loads(raw)
                if not isinstance(body, dict):
                    raise bad_request("JSON object expected")
                params.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    params[name] = UploadedFile(value.filename, value.content_type, value.file.read())
                else:
                    params[name] = _coerce(name, str(value))
        return params

    async def _pause(self, seconds: float) -> None:
        assert self._closing is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    @staticmethod
    async def _drop_connection(request: web.Request) -> NoReturn:
        transport = request.transport
        if transport is not None:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                # Linger 0 makes close() send RST, i.e. a real "connection reset by peer".
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
        raise asyncio.CancelledError

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        requested = request.match_info["method"]
        known = self._methods.get(requested.lower())
        try:
            params = await self._read_params(request)
        except ApiError as error:
            return self._error(error)
        except ValueError:
            return self._error(bad_request("can't parse JSON body"))
        self.calls.append((known[0] if known else requested, params))
        if known is None:
            return self._error(ApiError(404, "Not Found: method not found"))
        name, handler = known
        fault = self._faults.take(name, params.get("chat_id"))
        if fault is None:
            return await self._answer(handler, params)
        refusal = fault.error()
        if refusal is not None:
            return self._error(refusal)
        if fault.kind == "server_error":
            return web.Response(status=502, text=_NGINX_502, content_type="text/html")
        if fault.kind == "reset":
            return await self._drop_connection(request)
        # read_timeout: deliver first (or not), then answer too late for the client.
        answer = await self._answer(handler, params) if fault.deliver else None
        await self._pause(fault.delay)
        if answer is None:
            return await self._drop_connection(request)
        return answer

    async def _answer(self, handler: Handler, params: JSONDict) -> web.Response:
        try:
            result = handler(params)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as error:
            return self._error(error)
        return _json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        stored = self.state.files_by_path.get(request.match_info["path"])
        if stored is None:
            return _json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return web.Response(body=stored.content, content_type=stored.mime_type)

    # --- Bot API methods not covered by BotState -------------------------------------------
    def _method_table(self) -> dict[str, Handler]:
        state = self.state
        return {
            "getMe": lambda p: state.bot_user,
            "logOut": lambda p: True,
            "close": lambda p: True,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": lambda p: {"url": state.webhook_url, "has_custom_certificate": False,
                                         "pending_update_count": len(self.updates.pending)},
            "setMyCommands": state.set_my_commands,
            "getMyCommands": state.get_my_commands,
            "deleteMyCommands": state.delete_my_commands,
            "setMyDescription": lambda p: self._set_description("description", p),
            "setMyShortDescription": lambda p: self._set_description("short_description", p),
            "getMyDescription": lambda p: {"description": self._descriptions.get(
                f"description:{p.get('language_code') or ''}", "")},
            "getMyShortDescription": lambda p: {"short_description": self._descriptions.get(
                f"short_description:{p.get('language_code') or ''}", "")},
            "sendMessage": state.send_message,
            "sendDocument": state.send_document,
            "sendPhoto": state.send_photo,
            "editMessageText": state.edit_message_text,
            "editMessageReplyMarkup": state.edit_message_reply_markup,
            "deleteMessage": state.delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "getFile": state.get_file,
            "getChat": state.get_chat,
        }

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.state.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        return await self.updates.poll(int(params.get("offset") or 0), int(params.get("limit") or 100),
                                       float(params.get("timeout") or 0))

    def _set_webhook(self, params: JSONDict) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self.state.webhook_url = url
        return True

    def _delete_webhook(self, params: JSONDict) -> bool:
        if params.get("drop_pending_updates"):
            self.updates.clear()
        self.state.webhook_url = ""
        return True

    def _set_description(self, kind: str, params: JSONDict) -> bool:
        self._descriptions[f"{kind}:{params.get('language_code') or ''}"] = str(params.get(kind) or "")
        return True

    def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callbacks:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        self.answered_callbacks.append(params)
        return True

    def _send_chat_action(self, params: JSONDict) -> bool:
        chat_id_of(params)
        if not params.get("action"):
            raise bad_request("action is empty")
        return True

