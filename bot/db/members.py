"""Members: the people and chats the bot talks to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import MemberRow


def ensure_member(engine: Engine, now: datetime, *, chat_id: int, role: str, unit: str | None = None,
                  name: str = "", user_id: int | None = None, actor: str = "system") -> int:
    """Add (or reactivate) a member; idempotent on (chat, role, unit). Returns its id."""
    with Session(engine) as session, session.begin():
        row = session.scalar(select(MemberRow).where(MemberRow.chat_id == chat_id, MemberRow.role == role,
                                                     MemberRow.unit == unit if unit else MemberRow.unit.is_(None)))
        if row is None:
            row = MemberRow(chat_id=chat_id, user_id=user_id, role=role, unit=unit, name=name, reachable=True,
                            active=True, created_at=now)
            session.add(row)
            session.flush()
            audit(session, now, actor, "member_added", str(chat_id), {"role": role, "unit": unit, "name": name})
        elif not row.active or not row.reachable:
            if not row.active:  # links made before the removal stay dead
                row.link_version += 1
            row.active, row.reachable = True, True
            audit(session, now, actor, "member_reactivated", str(chat_id), {"role": role, "unit": unit})
        return row.id
