"""Telegram as a Channel: python-telegram-bot errors translated into outbox policy."""

from __future__ import annotations

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from collections.abc import Sequence

from bot.engine.channel import Button, Failure, OutMessage, SendError


def _retry_seconds(exc: RetryAfter) -> float:
    value = exc._retry_after  # the public property warns in PTB 22 unless PTB_TIMEDELTA is set
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


def classify(exc: TelegramError) -> SendError:
    """Map a PTB exception to what the outbox must do (see STACK-NOTES: BadRequest is a NetworkError)."""
    reason = str(exc.message if hasattr(exc, "message") else exc)
    if isinstance(exc, RetryAfter):
        return SendError(Failure.RETRY_AFTER, reason, _retry_seconds(exc))
    if isinstance(exc, Forbidden):
        return SendError(Failure.UNREACHABLE, reason)
    if isinstance(exc, BadRequest):
        if "chat not found" in reason.lower() or "user not found" in reason.lower():
            return SendError(Failure.UNREACHABLE, reason)
        return SendError(Failure.PERMANENT, reason)
    if isinstance(exc, TimedOut):
        cause = exc.__cause__
        if isinstance(cause, (httpx.ConnectTimeout, httpx.PoolTimeout)) or "pool timeout" in reason.lower():
            return SendError(Failure.RETRY, reason)  # the request never left
        return SendError(Failure.UNCERTAIN, reason)  # read/write timeout: Telegram may have it
    if isinstance(exc, NetworkError):
        cause = exc.__cause__
        if isinstance(cause, httpx.ConnectError) or "bad gateway" in reason.lower() or "502" in reason:
            return SendError(Failure.RETRY, reason)
        return SendError(Failure.RETRY_UNCERTAIN, reason)
    return SendError(Failure.PERMANENT, reason)


def to_markup(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """Our buttons as PTB's inline keyboard (None for no buttons)."""
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in rows])


class TelegramChannel:
    """Sends OutMessages with a PTB Bot (the application's, so its request settings apply)."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, message: OutMessage) -> int:
        markup = to_markup(message.buttons)
        try:
            if message.photo is not None:
                sent = await self.bot.send_photo(message.chat_id, message.photo, caption=message.text[:1024],
                                                 reply_markup=markup)
            else:
                sent = await self.bot.send_message(message.chat_id, message.text, reply_markup=markup)
        except TelegramError as exc:
            raise classify(exc) from None
        return sent.message_id
