"""The composition root: the channels (adapters) of one bot, built in one place, and the dispatcher's table of them.

The runner (`nhacviec run`), the sandbox, the end-to-end tests and the benchmarks build their channels here, each
with its own settings (real servers, or the fake Bot API and the fake Zalo API on 127.0.0.1). A channel is an
adapter package (bot/telegram, bot/zalo, bot/mail), its configuration section and one entry
below; the dispatcher finds it by the chat key's channel (bot.db.addresses.channel_of).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.config import ZaloWebhookConfig
from bot.conversation.services import Services
from bot.db import addresses
from bot.engine.channel import Channel, Failure, OutMessage, SendError
from bot.engine.ratelimit import RateLimiter
from bot.zalo.files import DEFAULT_FILE_HOSTS


@dataclass(frozen=True)
class TelegramSetup:
    token: str
    base_url: str | None = None  # the fake Bot API in tests and the sandbox
    base_file_url: str | None = None
    rate_limiter: Any = None  # a PTB BaseRateLimiter sharing the dispatcher's budget


@dataclass(frozen=True)
class ZaloSetup:
    token: str
    base_url: str
    limiter: RateLimiter = field(default_factory=lambda: RateLimiter(per_second=5, private_interval=1.0))
    webhook: ZaloWebhookConfig | None = None
    poll_timeout: int = 30
    file_hosts: tuple[str, ...] = DEFAULT_FILE_HOSTS


class ChannelTable:
    """The dispatcher's channel: a message goes to the channel of its chat key; a channel not built is
    unreachable (the office is told, like a member who blocked the bot)."""

    def __init__(self, channels: dict[str, Channel]) -> None:
        self.channels = channels

    async def send(self, message: OutMessage) -> int:
        name = addresses.channel_of(message.chat_id)
        channel = self.channels.get(name)
        if channel is None:
            raise SendError(Failure.UNREACHABLE, f"{name} channel not configured")
        return await channel.send(message)


@dataclass
class Channels:
    telegram: Any  # the python-telegram-bot Application (bot.telegram.application), or None
    zalo: Any  # bot.zalo.runtime.ZaloRuntime, or None
    outbound: ChannelTable  # what the dispatcher sends through, by chat key
    email: Any = None  # bot.mail.EmailChannel: the dispatcher sends to e-mail addresses through it, or None


def build_channels(services: Services, telegram: TelegramSetup | None = None,
                   zalo: ZaloSetup | None = None, email: Any = None) -> Channels:
    """The adapters of one bot on the same services (the conversation core answers on each); `email` is a
    bot.mail.SmtpSettings when e-mail is on (outbound only: replies come through the personal page)."""
    table: dict[str, Channel] = {}
    app = None
    if telegram is not None:
        from bot.telegram.application import build_application
        from bot.telegram.channel import TelegramChannel

        limits = {"rate_limiter": telegram.rate_limiter} if telegram.rate_limiter is not None else {}
        app = build_application(telegram.token, services, telegram.base_url, telegram.base_file_url, **limits)
        table["telegram"] = TelegramChannel(app.bot)
    runtime = None
    if zalo is not None:
        from bot.zalo.runtime import build_runtime

        runtime = build_runtime(zalo.token, zalo.base_url, services, zalo.limiter, zalo.webhook, zalo.poll_timeout,
                                zalo.file_hosts)
        table["zalo"] = runtime.channel
    mail = None
    if email is not None:
        from bot.mail import EmailChannel

        mail = EmailChannel(email)
    return Channels(app, runtime, ChannelTable(table), mail)
