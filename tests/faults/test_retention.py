"""Retention: old deliveries, reminders and audit entries are archived to compressed JSON lines, then deleted."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.engine import make_engine, migrate
from bot.db.models import AuditRow, DeliveryRow, ReminderRow
from bot.engine.prune import Retention, prune

NOW = datetime(2022, 11, 20, 1, 0, tzinfo=UTC)


def _lines(folder: Path, table: str) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for path in sorted(folder.glob(f"{table}-*.jsonl.gz")):
        out += [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]
    return out


def test_old_rows_are_archived_then_deleted_and_recent_or_pending_ones_stay(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    old, recent = NOW - timedelta(days=800), NOW - timedelta(days=10)
    with Session(engine) as s, s.begin():
        rems = [ReminderRow(key=f"r{i}", kind="due", rung="0", target="U", due_at=at, state=state)
                for i, (at, state) in enumerate([(old, "queued"), (old, "skipped"), (old, "pending"),
                                                 (recent, "queued"), (old, "queued")])]
        s.add_all(rems)
        s.flush()
        s.add_all([DeliveryRow(reminder_id=rems[0].id, chat_id=1, state="sent", next_at=old, sent_at=old),
                   DeliveryRow(reminder_id=rems[3].id, chat_id=1, state="sent", next_at=recent, sent_at=recent),
                   DeliveryRow(reminder_id=rems[4].id, chat_id=1, state="pending", next_at=old)])
        s.add_all([AuditRow(at=NOW - timedelta(days=4000), actor="member:1", action="done", subject="1.1:U",
                            details={"reason": "Tiếng Việt"}),
                   AuditRow(at=NOW - timedelta(days=3000), actor="member:1", action="done", subject="1.2:U")])
    archive = tmp_path / "archive"
    keep = Retention(batch=1)  # one row a file: the batching is exercised too
    report = prune(engine, NOW, NOW, None, keep, archive)
    assert report.archived == {"deliveries": 1, "reminders": 2, "audit_log": 1}
    with Session(engine) as s:
        assert sorted(s.scalars(select(ReminderRow.key))) == ["r2", "r3", "r4"]  # pending, recent, delivery left
        assert s.scalar(select(func.count()).select_from(DeliveryRow)) == 2
        assert list(s.scalars(select(AuditRow.subject).where(AuditRow.action == "done"))) == ["1.2:U"]
    assert [r["key"] for r in _lines(archive, "reminders")] == ["r0", "r1"]
    assert [(d["state"], d["chat_id"]) for d in _lines(archive, "deliveries")] == [("sent", 1)]
    audit = _lines(archive, "audit_log")
    assert [(a["subject"], a["details"]) for a in audit] == [("1.1:U", {"reason": "Tiếng Việt"})]
    assert str(audit[0]["at"]).startswith(str((NOW - timedelta(days=4000)).date()))
    assert prune(engine, NOW, NOW, None, keep, archive).archived == {"deliveries": 0, "reminders": 0, "audit_log": 0}
    engine.dispose()


def test_the_audit_is_kept_ten_years_at_least_by_the_configuration() -> None:
    import pytest
    from pydantic import ValidationError

    from bot.config import DispatchConfig

    assert DispatchConfig().keep_audit_days >= 3653
    with pytest.raises(ValidationError):
        DispatchConfig(keep_audit_days=365)
