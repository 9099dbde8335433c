"""The channel interface the dispatcher sends through (Telegram now; e-mail or Zalo later)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Failure(StrEnum):
    """What a failed send means for the outbox."""

    RETRY_AFTER = "retry_after"  # flood control: back in the queue after `retry_after` seconds
    UNREACHABLE = "unreachable"  # blocked, chat not found: stop sending to this chat, tell the office
    RETRY = "retry"  # certainly not delivered (connect/pool timeout, 5xx): try again later
    RETRY_UNCERTAIN = "retry_uncertain"  # connection dropped mid-request: maybe delivered; resend, flag it
    UNCERTAIN = "uncertain"  # read timeout: probably delivered; do not resend blindly
    PERMANENT = "permanent"  # the request itself is wrong (BadRequest): record the reason


class SendError(Exception):
    """A send that did not (certainly) succeed, with the policy to apply."""

    def __init__(self, failure: Failure, reason: str, retry_after: float = 0.0) -> None:
        super().__init__(f"{failure}: {reason}")
        self.failure = failure
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class Button:
    text: str
    data: str


@dataclass(frozen=True)
class OutMessage:
    """One message to one chat: text plus optional inline keyboard rows, or a PNG with the text as caption."""

    chat_id: int
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    photo: bytes | None = None
    address: str = ""  # channels other than Telegram (an e-mail address...)
    link: str = ""  # the recipient's personal page (bot.web.personal): where a channel without buttons sends them


class Channel(Protocol):
    """Sends a message and returns the channel's message id, or raises SendError."""

    async def send(self, message: OutMessage) -> int: ...


@dataclass
class RecordingChannel:
    """A channel that only records (simulate, unit tests)."""

    sent: list[tuple[OutMessage, object]] = field(default_factory=list)
    stamp: object = None
    _next_id: int = 0

    async def send(self, message: OutMessage) -> int:
        self._next_id += 1
        self.sent.append((message, self.stamp))
        return self._next_id
