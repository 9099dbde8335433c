"""Migration 0012: assumed occurrences already in a database become drafts; everything else stays live."""

from __future__ import annotations

from sqlalchemy import text

from bot.db.engine import make_engine
from tests.integration.test_migration_0006 import _upgrade


def test_existing_assumed_occurrences_become_unconfirmed_and_seed_evidence_lists_required(db_url: str) -> None:
    engine = make_engine(db_url)
    _upgrade(engine, "0009")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO units (id, name, retired) VALUES ('TCCB', 'Phòng Tổ chức cán bộ', false)"))
        for task, source in (("1.1", "assumed"), ("1.2", "seed")):
            conn.execute(text("INSERT INTO tasks (id, area, area_name, title, evidence_required, evidence, "
                              "evidence_source) VALUES (:id, '1', 'Chỉ đạo', 'Nhiệm vụ', false, '[]', :src)"),
                         {"id": task, "src": source})
        for key, task, source in (("1.1/a/TCCB/2019", "1.1", "assumed"), ("1.2/b/TCCB/2019", "1.2", "seed")):
            conn.execute(text("INSERT INTO occurrences (key, task_id, deadline_id, unit, period, label, source, "
                              "lead_units, due, status) VALUES (:key, :task, 'd', 'TCCB', '2019', 'Hạn', :src, '', "
                              "'2019-11-19', 'open')"), {"key": key, "task": task, "src": source})
    _upgrade(engine, "0012")
    with engine.connect() as conn:
        flags = dict(conn.execute(text("SELECT key, confirmed FROM occurrences")).all())
        evidence = dict(conn.execute(text("SELECT id, evidence_confirmed FROM tasks")).all())
        status = dict(conn.execute(text("SELECT key, status FROM occurrences")).all())
    assert {k: bool(v) for k, v in flags.items()} == {"1.1/a/TCCB/2019": False, "1.2/b/TCCB/2019": True}
    assert {k: bool(v) for k, v in evidence.items()} == {"1.1": False, "1.2": True}
    assert set(status.values()) == {"open"}  # nothing else changes
    engine.dispose()
