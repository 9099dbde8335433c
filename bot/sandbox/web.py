"""The chat page and its JSON API (aiohttp), on 127.0.0.1 next to the fake Bot API."""

from __future__ import annotations

import json
import mimetypes
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from bot.i18n import _
from bot.i18n.formats import fmt_number
from bot.sandbox.feed import CHANNELS, NotAPhoto, clock_json
from bot.sandbox.personal import PATHS, SandboxPages
from bot.sandbox.state import MAX_DOWNLOAD, MAX_TEXT, JSONDict

if TYPE_CHECKING:
    from bot.sandbox.server import Sandbox

STATIC = Path(__file__).resolve().parent / "static"
# A page on another site can POST to 127.0.0.1 with a form; it cannot add this header without a CORS
# preflight, which this server never grants.
CSRF_HEADER = "X-Sandbox"
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                               "script-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
_IMAGE_MAGIC = ((b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"))
MAX_WAIT = 30.0  # the longest `POST /api/clock/next?wait=S` may ask to wait for its tick
_INLINE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def _json(payload: JSONDict, status: int = 200) -> web.Response:
    return web.json_response(payload, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False),
                             headers={"Cache-Control": "no-store"})


def _refuse(message: str, status: int = 400) -> web.Response:
    return _json({"ok": False, "error": message}, status)


def _guard(sandbox: Sandbox) -> Any:
    @web.middleware
    async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith(PATHS):  # the personal page and the console: their own checks, the bot running
            await sandbox.ready()
        elif request.method == "POST" and request.headers.get(CSRF_HEADER) != "1":
            return _refuse(_("missing header {header}: 1").format(header=CSRF_HEADER), 403)
        return await handler(request)  # type: ignore[no-any-return]

    return guard


class SandboxWeb:
    """Routes of the page: personas, chat feeds, sending, pressing, uploading, clock, reset, files."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.url = ""
        self.pages: SandboxPages | None = None
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> None:
        """Listen on host:port (0 picks a free port); the personal page and the console are served there too."""
        sock = socket.create_server((host or "0.0.0.0", port), backlog=128)  # OSError(EADDRINUSE) when taken
        self.url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{sock.getsockname()[1]}"
        self.pages = SandboxPages(self.sandbox.engine, self.sandbox.zone, self.sandbox.evidence_dir, self.url)
        app = web.Application(client_max_size=MAX_DOWNLOAD + 1024 * 1024, middlewares=[_guard(self.sandbox)])
        r = app.router
        r.add_get("/", self.index)
        r.add_get("/favicon.ico", self.favicon)
        r.add_static("/static", STATIC)
        r.add_get("/api/personas", self.personas)
        r.add_get("/api/clock", self.clock)
        r.add_post("/api/clock/next", self.next_event)
        r.add_post("/api/reset", self.reset)
        r.add_get("/api/chat/{persona}", self.chat)
        r.add_post("/api/chat/{persona}/send", self.send)
        r.add_post("/api/chat/{persona}/press", self.press)
        r.add_post("/api/chat/{persona}/upload", self.upload)
        r.add_post("/api/chat/{persona}/channel", self.channel)
        r.add_get("/files/{path:.+}", self.file)
        r.add_get("/zalo/photos/{name}", self.zalo_photo)
        self.pages.mount(app)  # /p/… and /console/…
        # No handler cancellation: a tab closed during ↺ must not leave the bot half restarted.
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=False, shutdown_timeout=1.0)
        try:
            await self._runner.setup()
            await web.SockSite(self._runner, sock).start()
        except BaseException:
            await self._runner.cleanup()
            self._runner = None
            sock.close()
            raise

    async def stop(self) -> None:
        """Close the page's server."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- helpers -----------------------------------------------------------------------------
    def _persona_id(self, request: web.Request) -> int:
        try:
            persona_id = int(request.match_info["persona"])
            self.sandbox.persona(persona_id)
        except (ValueError, KeyError):
            raise web.HTTPNotFound(text=_("no such sandbox user")) from None
        return persona_id

    def _clock(self) -> JSONDict:
        stack = self.sandbox.stack
        return {**clock_json(stack.clock.now(), self.sandbox.zone, self.sandbox.speed), "epoch": self.sandbox.epoch}

    @staticmethod
    async def _body(request: web.Request) -> JSONDict:
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text=_("JSON expected")) from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text=_("a JSON object expected"))
        return body

    # --- routes ------------------------------------------------------------------------------
    async def index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers=_PAGE_HEADERS)

    async def favicon(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "favicon.svg", headers={"Content-Type": "image/svg+xml",
                                                                 "Cache-Control": "max-age=86400"})

    async def personas(self, request: web.Request) -> web.Response:
        stack = await self.sandbox.ready()
        return _json({"personas": [{**p.as_json(), "channel": self.sandbox.channel_of(p.id)}
                                   for p in self.sandbox.personas.values()],
                      "bot": {"name": stack.api.state.bot_user["first_name"], "username": stack.api.username},
                      "plan": self.sandbox.plan.plan.title, "epoch": self.sandbox.epoch,
                      "note": self.sandbox.closing_note()})

    async def clock(self, request: web.Request) -> web.Response:
        await self.sandbox.ready()
        return _json(self._clock())

    async def next_event(self, request: web.Request) -> web.Response:
        try:  # ?wait=S: answer after S seconds at most even if messages are still going out (the page)
            wait: float | None = min(max(float(request.query["wait"]), 0.0), MAX_WAIT)
        except (KeyError, ValueError):
            wait = None  # until the tick is done (scripts and tests read the chats right after)
        target = await self.sandbox.skip_to_next_event(wait=wait)
        if target is None:
            return _json({"ok": False, "error": _("No reminders left in the plan."), "clock": self._clock()})
        return _json({"ok": True, "target": clock_json(target, self.sandbox.zone, None), "clock": self._clock(),
                      "sending": self.sandbox.sending})

    async def reset(self, request: web.Request) -> web.Response:
        await self.sandbox.reset()
        return _json({"ok": True, "epoch": self.sandbox.epoch, "clock": self._clock()})

    async def chat(self, request: web.Request) -> web.Response:
        persona_id = self._persona_id(request)
        try:
            after = max(0, int(request.query.get("after", "0")))
        except ValueError:
            after = 0
        stack = await self.sandbox.ready()
        feed = stack.feed
        channel = self.sandbox.channel_of(persona_id)
        return _json({"epoch": self.sandbox.epoch, "rev": feed.rev, "channel": channel,
                      "messages": feed.since(persona_id, after, stack.api, channel),
                      "activity": {str(p): feed.last_rev(p) for p in self.sandbox.personas},
                      "roles": self.sandbox.roles_of(persona_id),
                      "clock": self._clock()})

    async def send(self, request: web.Request) -> web.Response:
        persona_id = self._persona_id(request)
        text = str((await self._body(request)).get("text") or "").strip()
        if not text:
            return _refuse(_("The message is empty."))
        if len(text) > MAX_TEXT:
            return _refuse(_("The message is longer than {n} characters.").format(n=fmt_number(MAX_TEXT)))
        return _json({"ok": True, "message_id": await self.sandbox.say(persona_id, text)})

    async def press(self, request: web.Request) -> web.Response:
        persona_id = self._persona_id(request)
        body = await self._body(request)
        message_id = body.get("message_id")
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            return _refuse(_("message_id must be a whole number"))
        await self.sandbox.ready()  # not during a reset's swap
        if self.sandbox.channel_of(persona_id) != "telegram":
            return _refuse(_("Zalo has no buttons: reply with the number of the choice."))
        try:
            await self.sandbox.press(persona_id, message_id, str(body.get("data") or ""))
        except ValueError:
            return _refuse(_("This button is gone (the message has changed)."))
        return _json({"ok": True})

    async def channel(self, request: web.Request) -> web.Response:
        persona_id = self._persona_id(request)
        channel = str((await self._body(request)).get("channel") or "")
        if channel not in CHANNELS:
            return _refuse(_("channel must be telegram or zalo"))
        key = await self.sandbox.switch(persona_id, channel)
        return _json({"ok": True, "channel": channel, "chat_id": key})

    async def upload(self, request: web.Request) -> web.Response:
        persona_id = self._persona_id(request)
        if not request.content_type.startswith("multipart/"):
            return _refuse(_("multipart/form-data with a file field expected"))
        post = await request.post()
        field = post.get("file")
        if not isinstance(field, web.FileField):
            return _refuse(_("No file chosen."))
        content = field.file.read()
        if not content:
            return _refuse(_("The file is empty."))
        caption = str(post.get("caption") or "").strip() or None
        mime = field.content_type or mimetypes.guess_type(field.filename)[0] or "application/octet-stream"
        if mime == "application/octet-stream" and content.startswith(tuple(magic for magic, _kind in _IMAGE_MAGIC)):
            mime = next(kind for magic, kind in _IMAGE_MAGIC if content.startswith(magic))
        try:
            message_id = await self.sandbox.upload(persona_id, field.filename or "file", content, mime, caption)
        except NotAPhoto as refused:
            return _refuse(str(refused))
        return _json({"ok": True, "message_id": message_id})

    async def file(self, request: web.Request) -> web.StreamResponse:
        stack = await self.sandbox.ready()
        stored = stack.api.state.files_by_path.get(request.match_info["path"])
        if stored is None:
            raise web.HTTPNotFound(text=_("no such file (was the sandbox started again?)"))
        mime = stored.mime_type
        if not mime.startswith("image/"):
            mime = next((kind for magic, kind in _IMAGE_MAGIC if stored.content.startswith(magic)), mime)
        disposition = "inline" if mime in _INLINE else "attachment"  # an uploaded SVG or HTML is never run
        headers = {"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(stored.file_name)}",
                   "Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff",
                   "Cache-Control": "no-store"}
        return web.Response(body=stored.content, content_type=mime, headers=headers)

    async def zalo_photo(self, request: web.Request) -> web.StreamResponse:
        """A photo a persona sent on Zalo, as the fake Zalo holds it."""
        stack = await self.sandbox.ready()
        content = stack.zalo.state.photos.get(request.match_info["name"])
        if content is None:
            raise web.HTTPNotFound(text=_("no such file (was the sandbox started again?)"))
        mime = next((kind for magic, kind in _IMAGE_MAGIC if content.startswith(magic)), "application/octet-stream")
        disposition = "inline" if mime in _INLINE else "attachment"
        return web.Response(body=content, content_type=mime,
                            headers={"Content-Disposition": disposition, "Content-Security-Policy": "sandbox",
                                     "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})
