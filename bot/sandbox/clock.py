"""The sandbox's rehearsal clock: a RehearsalClock a trainer can move forward to the next event."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class SandboxClock:
    """Starts at `start`, runs `speed` times faster than real time, and can jump forward (never back)."""

    def __init__(self, start: datetime, speed: float = 1.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if start.tzinfo is None:
            raise ValueError("rehearsal start must carry a time-zone offset")
        if speed <= 0:
            raise ValueError("rehearsal speed must be positive")
        self.start = start.astimezone(UTC)
        self.speed = speed
        self._monotonic = monotonic
        self._anchor = self.start
        self._origin = monotonic()

    def now(self) -> datetime:
        """The rehearsal instant (aware, UTC)."""
        return self._anchor + timedelta(seconds=(self._monotonic() - self._origin) * self.speed)

    def jump(self, instant: datetime) -> datetime:
        """Continue from `instant` if it is later than now; time never runs backwards (the outbox relies on it)."""
        target = max(instant.astimezone(UTC), self.now())
        self._anchor, self._origin = target, self._monotonic()
        return target
