"""The wire protocol: the action data a choice sends back (Telegram callback data, a Zalo reply's meaning).

It lives with the views, which build actions, below the conversation, which reads them (bot/conversation
above bot/views: a constructor module in bot/conversation would make the two packages import each other).

One table of kinds: their prefix, and whether acting on them cannot be undone (a text channel then asks to
confirm a number that did not come from the latest menu). Constructors build the data; adapters and views
call them instead of writing "done:12" by hand. Data is at most 64 bytes (Telegram's callback limit).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    prefix: str
    irreversible: bool = False


KINDS: dict[str, Kind] = {k.prefix: k for k in (
    Kind("done", irreversible=True),  # submit for review
    Kind("ev"), Kind("evend"), Kind("snz"), Kind("snz1"), Kind("snz3"), Kind("blk"),
    Kind("rvok", irreversible=True), Kind("rvret"), Kind("rvrc", irreversible=True),  # accept; return (confirmed)
    Kind("fwd", irreversible=True), Kind("rm"), Kind("rmy", irreversible=True),  # forward; remove a member
    Kind("no"), Kind("x"), Kind("mt"), Kind("cl"), Kind("wl"), Kind("tc"), Kind("rq"), Kind("rv"), Kind("rvf"),
    Kind("bq"), Kind("bk"), Kind("bkr"), Kind("bkd", irreversible=True), Kind("bkw", irreversible=True),
    Kind("lp"), Kind("nv"), Kind("td"), Kind("ics"),
    Kind("em"), Kind("emx"),  # a document's number and date: ask (or edit); skip the question
    Kind("ivd"), Kind("ivy", irreversible=True), Kind("ivn"),  # revoke an invite: ask, revoke, keep
    Kind("gh", irreversible=True),  # the office grants or refuses more time
)}
WAY_OUT = "x:"  # the way out of a prompt waiting for text: a word on a text channel, never a number


def prefix(data: str) -> str:
    return data.split(":", 1)[0]


def irreversible(data: str) -> bool:
    """Acting on `data` cannot be undone by the person (submitted, accepted, returned, removed...)."""
    kind = KINDS.get(prefix(data))
    return kind is not None and kind.irreversible


def done(occurrence_id: int) -> str:
    return f"done:{occurrence_id}"


def evidence(occurrence_id: int) -> str:
    return f"ev:{occurrence_id}"


def evidence_end(occurrence_id: int) -> str:
    return f"evend:{occurrence_id}"


def edit_meta(evidence_id: int) -> str:
    """✏️ a document's number, date of issue, subject and issuing body."""
    return f"em:{evidence_id}"


def skip_meta(evidence_id: int) -> str:
    """⏭ no number and date for this document now."""
    return f"emx:{evidence_id}"


def blocker(occurrence_id: int) -> str:
    return f"blk:{occurrence_id}"


def blocker_withdraw(blocker_id: int) -> str:
    return f"bkw:{blocker_id}"


def cancel_wait() -> str:
    """✖️ Cancel under a prompt: nothing changes and the chat stops waiting."""
    return WAY_OUT + "0"


def cancel() -> str:
    """◀ No under a confirmation."""
    return "no:0"
