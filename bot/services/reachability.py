"""A member who writes again is reachable again, and the office is told (any channel, any update)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import MemberRow
from bot.db.notices import queue_notice


def may_restore(rows: Sequence[Any], ident: int, user_id: int, chat_id: int) -> bool:
    """Whether restore_reachability can find anyone, knowing the acting user's member rows (`load_actor`'s):
    in a private chat of an unlinked user the members it looks at are among those rows, so an update from a
    reachable member (nearly every update) costs no query. A group chat or a linked chat always looks."""
    if chat_id != user_id or ident != user_id:
        return True
    return any(not r.reachable and r.chat_id == chat_id for r in rows)


def restore_reachability(session: Session, user_id: int, chat_id: int, now: datetime,
                         update_id: int | None = None) -> list[str]:
    """Any update from a member marked unreachable (blocked the bot, then pressed Start) makes them
    reachable again; the office is told. Returns the names restored."""
    private = chat_id == user_id
    rows = session.scalars(select(MemberRow).where(
        MemberRow.active, MemberRow.reachable.is_(False), MemberRow.chat_id == chat_id,
        (MemberRow.user_id == user_id) | (MemberRow.user_id.is_(None)) if private else MemberRow.chat_id < 0)).all()
    names = []
    for member in rows:
        member.reachable = True
        names.append(f"{member.name or member.chat_id} ({member.unit or member.role})")
    if not names:
        return []
    audit(session, now, f"user:{user_id}", "member_reachable", str(chat_id), {"members": names}, update_id)
    queue_notice(session, now, f"reachable:{chat_id}", "office", facts={"notice": "reachable", "who": ", ".join(names)})
    return names
