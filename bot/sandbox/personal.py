"""The personal page (bot.web) and the console (/console/) in the sandbox: on the chat page's own address, so
every link the sandbox shows (/trang, Zalo cards, /bangdieukhien) uses the port the user chose.

The routes are mounted once, on the chat page's application; each start and reset gives them a new signing key
(links from before a reset stop working, as the database they pointed into is gone) and the new bot's clock.
"""

from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.console.app import PREFIX, Console, ConsoleServices
from bot.domain.clock import Clock
from bot.web.app import PersonalPage, WebServices
from bot.web.personal import LinkMaker

PATHS = ("/p/", PREFIX + "/")  # what these routes serve on the chat page's address


class _Current:
    """The running bot's clock, whichever start or reset made it."""

    def __init__(self) -> None:
        self.clock: Clock | None = None

    def now(self) -> datetime:
        if self.clock is None:
            raise RuntimeError("sandbox is not running")
        return self.clock.now()


class SandboxPages:
    """The personal page and the console, served by the chat page's server at `url`."""

    def __init__(self, engine: Engine, zone: ZoneInfo, evidence_dir: Path, url: str) -> None:
        self.engine, self.url = engine, url
        self._clock = _Current()
        self.page = PersonalPage(WebServices(engine, self._clock, zone, evidence_dir, secrets.token_bytes(32), url))
        self.console = Console(ConsoleServices(engine, self._clock, zone, evidence_dir, url))

    def mount(self, app: web.Application) -> None:
        """Add /p/… and /console/… to the chat page's application (before it starts)."""
        self.page.add_routes(app.router)
        app.add_subapp(PREFIX + "/", self.console.app())

    def attach(self, clock: Clock) -> LinkMaker:
        """A (re)started bot: its clock, a new signing key; the links its chats and cards will carry."""
        key = secrets.token_bytes(32)
        self._clock.clock = clock
        self.page.s = dataclasses.replace(self.page.s, secret=key)
        self.console.s.changed()
        return LinkMaker(self.engine, key, self.url, clock)
