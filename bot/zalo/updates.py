"""Incoming Zalo events: parsed into one neutral shape, received by long polling or a checked webhook."""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.zalo.api import ZaloApi, ZaloError

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Bot-Api-Secret-Token"
IDLE = 408  # getUpdates answers 408 when nothing arrived during the long poll: not an error


@dataclass(frozen=True)
class Incoming:
    """One message a person sent the bot."""

    event: str  # message.text.received, message.image.received, ...
    chat_id: str
    user_id: str
    name: str
    message_id: str
    date_ms: int
    text: str = ""
    photo_url: str = ""
    caption: str = ""
    chat_type: str = "PRIVATE"  # PRIVATE | GROUP: in a group only the sender (`user_id`) acts

    @property
    def group(self) -> bool:
        return self.chat_type.upper() == "GROUP"

    @property
    def unsupported(self) -> bool:
        return self.event not in ("message.text.received", "message.image.received")


def parse_event(payload: Any) -> Incoming | None:
    """An event from getUpdates or a webhook body (`{"ok": true, "result": {...}}` or the result itself)."""
    if not isinstance(payload, dict):
        return None
    result = payload.get("result", payload) if "event_name" not in payload else payload
    if not isinstance(result, dict):
        return None
    message = result.get("message")
    event = result.get("event_name")
    if not isinstance(message, dict) or not isinstance(event, str):
        return None
    sender = message.get("from") or {}
    chat = message.get("chat") or {}
    if sender.get("is_bot") or not chat.get("id") or not sender.get("id"):
        return None
    return Incoming(
        event=event, chat_id=str(chat["id"]), user_id=str(sender["id"]),
        name=str(sender.get("display_name") or ""), message_id=str(message.get("message_id") or ""),
        date_ms=int(message.get("date") or 0), text=str(message.get("text") or ""),
        photo_url=str(message.get("photo") or ""), caption=str(message.get("caption") or ""),
        chat_type=str(chat.get("chat_type") or "PRIVATE"))


Handler = Callable[[Incoming], Coroutine[Any, Any, None]]


def webhook_app(secret: str, handle: Handler, path: str = "/zalo") -> web.Application:
    """An aiohttp app answering Zalo's POSTs: refused (403) without the right secret header."""
    if len(secret) < 8:
        raise ValueError("zalo webhook secret_token must be 8-256 characters")

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.json_response({"message": "Unauthorized"}, status=403)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"message": "bad json"}, status=400)
        incoming = parse_event(body)
        if incoming is not None:
            # Answer fast: the handler runs after the 200, like PTB's webhook.
            asyncio.get_running_loop().create_task(handle(incoming))
        return web.json_response({"message": "Success"})

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(path, receive)
    return app


async def poll(api: ZaloApi, handle: Handler, stop: asyncio.Event, timeout: int = 30,
               backoff: float = 1.0, weather: Callable[[bool, BaseException | None], None] | None = None) -> None:
    """Long-poll getUpdates until `stop` is set. An idle poll (408) is not an error; a failed one backs off
    (1 s, 2 s … 30 s) and `weather` hears each change between answering and not."""
    delay = backoff
    down = False
    while not stop.is_set():
        try:
            result = await api.call("getUpdates", read_timeout=timeout + 10, timeout=str(timeout))
        except ZaloError as exc:
            if exc.code == IDLE:
                delay = backoff
                if down and weather is not None:
                    weather(True, None)
                down = False
                continue
            if not down and weather is not None:
                weather(False, exc)
            down = True
            log.warning("zalo getUpdates failed: %s", exc)
            try:
                await asyncio.wait_for(stop.wait(), delay)
            except TimeoutError:
                pass
            delay = min(delay * 2, 30.0)
            continue
        delay = backoff
        if down and weather is not None:
            weather(True, None)
        down = False
        events = result if isinstance(result, list) else [result]
        for item in events:
            incoming = parse_event(item)
            if incoming is not None:
                await handle(incoming)
