"""Injected faults and Telegram-like flood limits for the fake Bot API."""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.sandbox.state import ApiError

FAULT_KINDS = ("retry_after", "forbidden", "chat_not_found", "bad_request", "server_error", "reset",
               "read_timeout")


@dataclass
class Fault:
    """One injected fault; `times` counts the matching calls it still applies to."""

    kind: str
    method: str = "sendMessage"
    chat_id: int | None = None
    times: int = 1
    retry_after: int = 1
    description: str | None = None
    delay: float = 5.0
    deliver: bool = True

    def matches(self, method: str, chat_id: object) -> bool:
        """Whether this fault applies to a call of method for chat_id ("*" matches any method)."""
        if self.method != "*" and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def error(self) -> ApiError | None:
        """The error answer for answer-type faults; None for reset and read_timeout."""
        if self.kind == "retry_after":
            seconds = max(1, int(self.retry_after))
            return ApiError(429, self.description or f"Too Many Requests: retry after {seconds}",
                            retry_after=seconds)
        if self.kind == "forbidden":
            return ApiError(403, self.description or "Forbidden: bot was blocked by the user")
        if self.kind == "chat_not_found":
            return ApiError(400, self.description or "Bad Request: chat not found")
        if self.kind == "bad_request":
            return ApiError(400, self.description or "Bad Request: can't parse entities")
        return None


@dataclass
class _RandomFaults:
    rate: float
    kinds: tuple[str, ...]
    rng: random.Random
    method: str
    delay: float


def check_kind(kind: str) -> None:
    """Reject unknown fault kinds early, at injection time."""
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")


class FaultPlan:
    """Queued one-off faults (in injection order) plus seeded random ones."""

    def __init__(self) -> None:
        self.queued: list[Fault] = []
        self._random: list[_RandomFaults] = []

    def add(self, fault: Fault) -> None:
        """Queue a fault for the next `fault.times` matching calls."""
        check_kind(fault.kind)
        if fault.times < 1:
            raise ValueError("times must be >= 1")
        self.queued.append(fault)

    def add_random(self, rate: float, kinds: Sequence[str], seed: int, method: str, delay: float) -> None:
        """Make each matching call fail with probability rate, kind drawn from kinds."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        if not kinds:
            raise ValueError("kinds must not be empty")
        for kind in kinds:
            check_kind(kind)
        self._random.append(_RandomFaults(rate, tuple(kinds), random.Random(seed), method, delay))

    def clear(self) -> None:
        """Drop every queued and random fault."""
        self.queued.clear()
        self._random.clear()

    def take(self, method: str, chat_id: object) -> Fault | None:
        """The fault for this call, if any, consuming one use of it."""
        for fault in self.queued:
            if fault.matches(method, chat_id):
                fault.times -= 1
                if fault.times <= 0:
                    self.queued.remove(fault)
                return fault
        for plan in self._random:
            if plan.method != "*" and plan.method.lower() != method.lower():
                continue
            # Draw both numbers every time so the sequence depends only on the seed and call count.
            roll, kind = plan.rng.random(), plan.rng.choice(plan.kinds)
            if roll < plan.rate:
                return Fault(kind=kind, method=method, delay=plan.delay)
        return None


class FloodLimiter:
    """Sliding-window limits: overall per second, per private chat, per group per minute."""

    def __init__(self, time_source: Callable[[], float], global_per_second: int,
                 per_chat_per_second: float, group_per_minute: int) -> None:
        self._now = time_source
        self._global_limit = global_per_second
        # A fractional rate such as 0.5/s means one message per 2 s window.
        self._chat_window = max(1.0, 1.0 / per_chat_per_second)
        self._chat_limit = max(1, round(per_chat_per_second * self._chat_window))
        self._group_limit = group_per_minute
        self._global: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}

    @staticmethod
    def _wait(stamps: deque[float], limit: int, window: float, now: float) -> float:
        while stamps and stamps[0] <= now - window:
            stamps.popleft()
        if len(stamps) < limit:
            return 0.0
        return stamps[len(stamps) - limit] + window - now

    def admit(self, chat_id: int) -> None:
        """Record a message to chat_id, or raise a 429 ApiError if it would exceed a limit."""
        now = self._now()
        chat = self._chats.setdefault(chat_id, deque())
        if chat_id > 0:
            chat_wait = self._wait(chat, self._chat_limit, self._chat_window, now)
        else:
            chat_wait = self._wait(chat, self._group_limit, 60.0, now)
        wait = max(self._wait(self._global, self._global_limit, 1.0, now), chat_wait)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        chat.append(now)
        self._global.append(now)
