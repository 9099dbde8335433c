"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import AuditRow


def audit(session: Session, at: datetime, actor: str, action: str, subject: str = "",
          details: dict[str, Any] | None = None, update_id: int | None = None) -> None:
    """Append one entry; the caller's transaction commits it together with the change."""
    session.add(AuditRow(at=at, actor=actor, action=action, subject=subject, details=details or {},
                         update_id=update_id))
