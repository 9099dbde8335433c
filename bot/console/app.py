"""The web console's aiohttp application: sign-in, the checks every route shares, rendering.

Mounted under /console/ in the personal page's application (same address, same TLS proxy). Every route
states what it needs (`signed`, `direct` for the office and leadership, `edit` for the office alone); every
form carries the session's anti-forgery value and must come from the console's own origin. Pages are
Jinja2 templates with autoescape; every sentence comes from the `console` catalog.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web
from markupsafe import Markup
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.console import sessions
from bot.console.refusals import refusal_text
from bot.console.sessions import SignInError, Viewer
from bot.domain.clock import Clock
from bot.domain.workdays import WorkCalendar
from bot.i18n import _, current_lang, language
from bot.i18n.formats import fmt_number
from bot.services.access import Refused
from bot.services.tasks import Event
from bot.texts import fmt_date, fmt_local

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
COOKIE = "nhv_console"
PREFIX = "/console"
NEEDS = ("signed", "direct", "edit")
Handler = Callable[["Ctx"], Awaitable[web.StreamResponse] | web.StreamResponse]


@dataclass
class ConsoleServices:
    engine: Engine
    clock: Clock
    zone: ZoneInfo
    evidence_dir: Path
    base_url: str  # https://nhacviec.sogd.example.vn (no trailing slash)
    max_bytes: int = 20 * 1024 * 1024
    calendar: WorkCalendar = field(default_factory=WorkCalendar)  # working days (confirming on a date, extensions)
    plan_paths: list[str] = field(default_factory=list)  # config plan files/folders (empty: no applying)
    fresh_seconds: float = 5.0  # how long a page shared by every reader (the dossier overview) is reused
    _shared: dict[Any, tuple[float, Any]] = field(default_factory=dict)

    def shared(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A read every office and leadership reader sees alike, computed at most once per `fresh_seconds`;
        a change made in the console forgets it at once (changes from the chat show within `fresh_seconds`)."""
        now = time.monotonic()
        found = self._shared.get(key)
        if found is not None and now - found[0] < self.fresh_seconds:
            return found[1]
        value = compute()
        self._shared[key] = (now, value)
        return value

    def changed(self) -> None:
        self._shared.clear()

    @contextmanager
    def tx(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    def login_url(self, token: str) -> str:
        return f"{self.base_url}{PREFIX}/login/{token}"


class Denied(Exception):
    def __init__(self, status_code: int, text: str) -> None:
        super().__init__(text)
        self.status_code = status_code
        self.text = text


@dataclass
class Ctx:
    """One request of a signed-in viewer: the form already checked, the clock's now, a render helper."""

    request: web.Request
    viewer: Viewer
    services: ConsoleServices
    form: Any

    @property
    def ev(self) -> Event:
        return Event(self.services.clock.now())

    def render(self, template: str, status: int = 200, **context: Any) -> web.Response:
        return render(self.request, template, self.viewer, status=status, **context)


@functools.lru_cache(maxsize=4096)
def _number(lang: str, value: float, digits: int) -> str:
    with language(lang):
        return fmt_number(value, digits)


def number(value: float, digits: int = 2) -> str:
    """fmt_number, remembered: a dossier page shows hundreds of the same few points (Babel is slow)."""
    return _number(current_lang(), value, digits)


def headers() -> dict[str, str]:
    return {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            # inline style attributes only (layout); no inline or foreign script at all
            "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-src 'self'; "
                                       "object-src 'none'; "
                                       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"}


def render(request: web.Request, template: str, viewer: Viewer | None, status: int = 200,
           **context: Any) -> web.Response:
    csrf = Markup('<input type="hidden" name="csrf" value="{}">').format(viewer.csrf) if viewer else ""
    values = {"viewer": viewer, "P": PREFIX, "csrf": csrf, "flash": "", "nav": "", "status": status, **context}
    response = aiohttp_jinja2.render_template(template, request, values, status=status)
    response.headers.update(headers())
    return response


def message(request: web.Request, viewer: Viewer | None, text: str, status: int) -> web.Response:
    return render(request, "message.html", viewer, status=status, text=text)


class Console:
    """The console's routes; `route()` wraps each handler in the shared checks."""

    def __init__(self, services: ConsoleServices) -> None:
        self.s = services
        parts = urlsplit(services.base_url)
        self.host, self.origin = parts.netloc, f"{parts.scheme}://{parts.netloc}"
        self.secure = parts.scheme == "https"

    def app(self) -> web.Application:
        from bot.console import (
            council,
            difficulties,
            dossier,
            drafts,
            home,
            people,
            plan,
            review,
            signin,
            standins,
            units,
        )

        app = web.Application(client_max_size=self.s.max_bytes + 1024 * 1024)
        env = aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                                   autoescape=True, undefined=jinja2.StrictUndefined, auto_reload=False)
        env.globals.update(_=_, fmt_date=fmt_date, fmt_number=number,
                           fmt_local=lambda moment: fmt_local(moment, self.s.zone))
        app.router.add_static("/static", HERE / "static", append_version=True)
        for module in (signin, home, review, people, plan, dossier, difficulties, drafts, council,
                       standins, units):
            module.add_routes(app, self)
        return app

    def route(self, need: str, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """The checks of every signed-in route: host, session, role, then (POST) origin and anti-forgery value."""
        assert need in NEEDS

        async def wrapped(request: web.Request) -> web.StreamResponse:
            viewer: Viewer | None = None
            try:
                viewer = self.viewer(request)
                with language(viewer.lang):
                    if need == "edit" and not viewer.edits or need == "direct" and not viewer.reads_all:
                        raise Denied(403, _("This page is for the department office only.") if need == "edit"
                                     else _("This page is for the department office and leadership only."))
                    form = await request.post() if request.method == "POST" else None
                    if request.method == "POST":
                        self.check_form(request, viewer, form)
                    ctx = Ctx(request, viewer, self.s, form)
                    if inspect.iscoroutinefunction(handler):
                        result = await handler(ctx)
                    else:  # database work off the event loop: other requests go on meanwhile
                        result = await asyncio.to_thread(handler, ctx)
                    if request.method == "POST":
                        self.s.changed()
                    return result
            except Denied as denied:
                with language(viewer.lang if viewer else None):
                    return message(request, viewer, denied.text, denied.status_code)
            except Refused as exc:
                forbidden = exc.key.endswith("_only") or exc.key in ("not_your_unit", "stranger")
                with language(viewer.lang if viewer else None):
                    return message(request, viewer, refusal_text(exc), 403 if forbidden else 400)
            except web.HTTPException:
                raise
            except Exception:  # never a traceback for the reader; the log has it
                log.exception("console: %s %s failed", request.method, request.path)
                with language(viewer.lang if viewer else None):
                    return message(request, viewer, _("Something went wrong on the server; nothing was changed. "
                                                      "Please try again, or tell the department office."), 500)

        return wrapped

    def viewer(self, request: web.Request) -> Viewer:
        if request.host != self.host:
            raise Denied(404, _("Page not found."))
        cookie = request.cookies.get(COOKIE, "")
        if not cookie:
            raise Denied(401, _("You are not signed in. Ask the bot for a sign-in link (/bangdieukhien)."))
        try:
            with self.s.tx() as session:
                return sessions.viewer_of(session, cookie, self.s.clock.now())
        except SignInError as exc:
            raise Denied(401, _("Your session has ended. Ask the bot for a new sign-in link (/bangdieukhien).")
                         if exc.reason != "bad" else
                         _("You are not signed in. Ask the bot for a sign-in link (/bangdieukhien).")) from None

    def check_origin(self, request: web.Request) -> None:
        origin = request.headers.get("Origin")
        referer = request.headers.get("Referer", "")
        if (origin is not None and origin != self.origin) or (
                origin is None and not referer.startswith(self.origin + "/")):
            raise Denied(403, _("This form was not sent from the console."))

    def check_form(self, request: web.Request, viewer: Viewer, form: Any) -> None:
        self.check_origin(request)
        if form is None or str(form.get("csrf", "")) != viewer.csrf:
            raise Denied(403, _("This form was not sent from the console."))


@dataclass
class Mounted:
    """The personal page's application with the console under /console/ (one address, one TLS proxy)."""

    page: Any  # bot.web.app.PersonalPage
    console: Console

    def app(self) -> web.Application:
        app: web.Application = self.page.app()
        app.add_subapp(PREFIX + "/", self.console.app())
        return app
