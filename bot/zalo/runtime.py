"""The Zalo channel in a running bot: its Application (over the bridge), its updates, its webhook site.

`ZaloRuntime.start()` / `stop()` run inside the event loop of the main Application (or alone, when only
Zalo is configured). Updates come by long polling Zalo's getUpdates, or, with `zalo.webhook`, from the
checked webhook (X-Bot-Api-Secret-Token) through a queue: either way PTB's own Updater feeds the handlers.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from telegram.ext import Application

from bot.config import ZaloWebhookConfig
from bot.db import addresses
from bot.engine.channel import Channel, Failure, OutMessage, SendError
from bot.engine.ratelimit import RateLimiter
from bot.telegram.context import Services
from bot.zalo.api import ZaloApi
from bot.zalo.bridge import ZaloBridge
from bot.zalo.channel import ZaloChannel
from bot.zalo.files import DEFAULT_FILE_HOSTS
from bot.zalo.menus import DbMenus
from bot.zalo.updates import Incoming, webhook_app

log = logging.getLogger(__name__)


@dataclass
class ZaloRuntime:
    app: Application  # type: ignore[type-arg]
    bridge: ZaloBridge
    api: ZaloApi
    channel: ZaloChannel
    webhook: ZaloWebhookConfig | None = None
    poll_timeout: int = 30
    _site: web.AppRunner | None = field(default=None, repr=False)

    async def start(self) -> None:
        await self.app.initialize()
        await self.app.start()
        if self.webhook is None:
            await self.api.call("deleteWebhook")  # getUpdates works only without a webhook
        else:
            assert self.webhook.secret_token is not None
            secret = self.webhook.secret_token.get_secret_value()
            inbox: asyncio.Queue[Incoming] = asyncio.Queue()
            self.bridge.inbox = inbox

            async def handle(incoming: Incoming) -> None:
                await inbox.put(incoming)

            self._site = web.AppRunner(webhook_app(secret, handle, self.webhook.path))
            await self._site.setup()
            await web.TCPSite(self._site, self.webhook.listen, self.webhook.port).start()
            await self.api.call("setWebhook", url=self.webhook.url, secret_token=secret)
        assert self.app.updater is not None
        await self.app.updater.start_polling(timeout=self.poll_timeout, allowed_updates=["message", "callback_query"])
        log.info("zalo channel started (%s)", "webhook" if self.webhook else "long polling")

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        if self._site is not None:
            await self._site.cleanup()
            self._site = None
        await self.app.shutdown()
        await self.api.close()


def build_runtime(token: str, base_url: str, services: Services, limiter: RateLimiter, files_dir: Path,
                  webhook: ZaloWebhookConfig | None = None, poll_timeout: int = 30,
                  links: Any = None, file_hosts: tuple[str, ...] = DEFAULT_FILE_HOSTS) -> ZaloRuntime:
    """The Zalo Application: the same handlers as Telegram, over the bridge."""
    from bot.telegram.application import build_application

    api = ZaloApi(token, base_url, timeout=poll_timeout + 15.0)
    channel = ZaloChannel(api, DbMenus(services.engine), limiter)
    bridge = ZaloBridge(api, channel, services.engine, services.clock, files_dir, links=links,
                        file_hosts=file_hosts)
    app = build_application("zalo-bridge", replace(services, zalo=True), request=bridge)
    return ZaloRuntime(app, bridge, api, channel, webhook, poll_timeout)


class ChannelRouter:
    """The dispatcher's channel: a chat key in the Zalo range goes to Zalo, any other to Telegram."""

    def __init__(self, engine: Engine, telegram: Channel | None, zalo: ZaloChannel | None) -> None:
        self.engine = engine
        self.telegram = telegram
        self.zalo = zalo

    async def send(self, message: OutMessage) -> int:
        if addresses.channel_of(message.chat_id) == "zalo":
            with Session(self.engine) as session:
                row = addresses.address_of(session, message.chat_id)
            if self.zalo is None or row is None:
                raise SendError(Failure.UNREACHABLE, "zalo channel not configured" if self.zalo is None
                                else "unknown zalo chat")
            return await self.zalo.send(replace(message, address=row.address))
        if self.telegram is None:
            raise SendError(Failure.UNREACHABLE, "telegram channel not configured")
        return await self.telegram.send(message)


