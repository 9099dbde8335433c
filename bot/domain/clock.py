"""The one clock of the application: system time or a rehearsal clock."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current instant as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time; the only place `datetime.now()` is called."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


@dataclass
class RehearsalClock:
    """Starts at `start` and runs `speed` times faster than real time (training, demos)."""

    start: datetime
    speed: float = 1.0
    _origin: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("rehearsal start must carry a time-zone offset")
        if self.speed <= 0:
            raise ValueError("rehearsal speed must be positive")

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._origin) * self.speed
        return self.start.astimezone(timezone.utc) + timedelta(seconds=elapsed)


@dataclass
class FixedClock:
    """A clock that moves only when told to (tests, `simulate`)."""

    current: datetime

    def __post_init__(self) -> None:
        if self.current.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.current = self.current.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self.current

    def set(self, instant: datetime) -> None:
        """Jump to an instant (aware)."""
        self.current = instant.astimezone(timezone.utc)

    def advance(self, delta: timedelta) -> None:
        """Move forward by `delta`."""
        self.current = self.current + delta
