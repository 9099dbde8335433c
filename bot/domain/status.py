"""One definition of an occurrence's state, used by every card, list, escalation, digest, report and export.

`OccurrenceStatus` is what the database stores (what people did); `State` is what a reader is told on a given
day. `state_of` is the one rule between them; bot/services/occurrences.py writes the same rule in SQL (a test
holds the two together).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class OccurrenceStatus(StrEnum):
    OPEN = "open"
    RETURNED = "returned"  # the office sent it back: to fix and resend
    AWAITING_REVIEW = "awaiting_review"
    DONE = "done"
    CLOSED = "closed"  # closed by the office in bulk (it predates the deployment): never overdue, never done


class State(StrEnum):
    RETURNED = "returned"
    OVERDUE = "overdue"
    OPEN = "open"
    AWAITING_REVIEW = "awaiting_review"
    DONE = "done"
    CLOSED = "closed"


# Still the unit's to do: a returned one is as late as its date says (past it: overdue, like an open one).
TO_DO = (OccurrenceStatus.OPEN, OccurrenceStatus.RETURNED)


def state_of(status: str, due: date, today: date) -> State:
    """Past its date and still to do: overdue (returned or not); otherwise what was done with it."""
    if status in TO_DO:
        if due < today:
            return State.OVERDUE
        return State.RETURNED if status == OccurrenceStatus.RETURNED else State.OPEN
    return State(status)


# The list filters: chưa xong (o), quá hạn (q), chờ xác nhận (r), tất cả (a).
FILTER_STATES: dict[str, frozenset[State]] = {
    "o": frozenset({State.RETURNED, State.OVERDUE, State.OPEN}),
    "q": frozenset({State.OVERDUE}),
    "r": frozenset({State.AWAITING_REVIEW}),
    "a": frozenset(State),
}
FILTERS = tuple(FILTER_STATES)
