"""Test doubles for the engine's ports (not for PTB: PTB is exercised against the fake Bot API)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.engine.channel import Failure, OutMessage, SendError


@dataclass
class ScriptedChannel:
    """Records sends; fails the next sends to a chat with scripted failures."""

    sent: list[OutMessage] = field(default_factory=list)
    failures: dict[int, list[SendError]] = field(default_factory=dict)
    attempts: int = 0

    def fail(self, chat_id: int, failure: Failure, reason: str = "test", retry_after: float = 0.0) -> None:
        self.failures.setdefault(chat_id, []).append(SendError(failure, reason, retry_after))

    async def send(self, message: OutMessage) -> int:
        self.attempts += 1
        queue = self.failures.get(message.chat_id)
        if queue:
            raise queue.pop(0)
        self.sent.append(message)
        return len(self.sent)

    def to(self, chat_id: int) -> list[OutMessage]:
        return [m for m in self.sent if m.chat_id == chat_id]


def confirm_all(engine: object, now: object) -> int:
    """The office has confirmed every assumption (what a running Sở does before counting on the figures)."""
    from sqlalchemy.orm import Session

    from bot.services.assumptions import confirm_all_for_rehearsal

    with Session(engine) as session, session.begin():  # type: ignore[call-overload]
        return confirm_all_for_rehearsal(session, now)  # type: ignore[arg-type]
