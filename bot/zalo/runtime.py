"""The Zalo channel in a running bot: its adapter, its updates (long polling or the checked webhook), its sends.

`ZaloRuntime.start()` / `stop()` run inside the bot's event loop, beside Telegram or alone. Updates come by
long polling Zalo's getUpdates, or, with `zalo.webhook`, from the checked webhook (X-Bot-Api-Secret-Token);
either way each event goes to the adapter (bot.zalo.adapter), which answers it through the conversation core.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.config import ZaloWebhookConfig
from bot.conversation.services import Services
from bot.engine.ratelimit import RateLimiter
from bot.zalo.adapter import ZaloAdapter
from bot.zalo.api import ZaloApi
from bot.zalo.channel import ZaloChannel
from bot.zalo.files import DEFAULT_FILE_HOSTS
from bot.zalo.menus import DbMenus
from bot.zalo.updates import poll, webhook_app

log = logging.getLogger(__name__)
Weather = Callable[[bool, BaseException | None], None]  # (answers, the error when it does not)


@dataclass
class ZaloRuntime:
    adapter: ZaloAdapter
    api: ZaloApi
    channel: ZaloChannel
    webhook: ZaloWebhookConfig | None = None
    poll_timeout: int = 30
    weather: Weather | None = None  # told when getUpdates stops or starts answering (bot.ops.weather)
    _site: web.AppRunner | None = field(default=None, repr=False)
    _poller: asyncio.Task[Any] | None = field(default=None, repr=False)
    _stop: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    async def start(self) -> None:
        self._stop.clear()
        if self.webhook is None:
            await self.api.call("deleteWebhook")  # getUpdates works only without a webhook
            self._poller = asyncio.ensure_future(poll(self.api, self.adapter.receive, self._stop,
                                                      self.poll_timeout, weather=self.weather))
        else:
            assert self.webhook.secret_token is not None
            secret = self.webhook.secret_token.get_secret_value()
            self._site = web.AppRunner(webhook_app(secret, self.adapter.receive, self.webhook.path))
            await self._site.setup()
            await web.TCPSite(self._site, self.webhook.listen, self.webhook.port).start()
            await self.api.call("setWebhook", url=self.webhook.url, secret_token=secret)
        log.info("zalo channel started (%s)", "webhook" if self.webhook else "long polling")

    async def stop(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self._site is not None:
            await self._site.cleanup()
            self._site = None
        await self.adapter.close()
        await self.api.close()


def build_runtime(token: str, base_url: str, services: Services, limiter: RateLimiter,
                  webhook: ZaloWebhookConfig | None = None, poll_timeout: int = 30,
                  file_hosts: tuple[str, ...] = DEFAULT_FILE_HOSTS) -> ZaloRuntime:
    """The Zalo channel: its API, the sender with the chats' numbered menus, the adapter to the core."""
    api = ZaloApi(token, base_url, timeout=poll_timeout + 15.0)
    channel = ZaloChannel(api, DbMenus(services.engine), limiter)
    services.zalo = True  # invites also give the code to send on Zalo
    adapter = ZaloAdapter(services, channel, file_hosts=file_hosts)
    return ZaloRuntime(adapter, api, channel, webhook, poll_timeout)
