"""The personal page in the sandbox: served on 127.0.0.1 (a free port), signed with a key made at each start."""

from __future__ import annotations

import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.console.app import Console, ConsoleServices, Mounted
from bot.domain.clock import Clock
from bot.web.app import PersonalPage, WebServices
from bot.web.personal import LinkMaker


@dataclass
class SandboxPage:
    runner: web.AppRunner
    links: LinkMaker
    url: str

    async def stop(self) -> None:
        await self.runner.cleanup()


async def serve_personal_page(engine: Engine, clock: Clock, zone: ZoneInfo, evidence_dir: Path,
                              host: str = "127.0.0.1") -> SandboxPage:
    """Start the page; its links go in Zalo cards, e-mails and /trang, as in production."""
    host = "127.0.0.1" if host in ("", "0.0.0.0") else host
    sock = socket.socket()
    sock.bind((host, 0))
    url = f"http://{host}:{sock.getsockname()[1]}"
    key = secrets.token_bytes(32)
    page = PersonalPage(WebServices(engine, clock, zone, evidence_dir, key, url))
    served = Mounted(page, Console(ConsoleServices(engine, clock, zone, evidence_dir, url)))  # /console/ too
    runner = web.AppRunner(served.app(), access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    return SandboxPage(runner, LinkMaker(engine, key, url, clock), url)
