"""Migration 0002 carries a database made at revision 0001 forward: every row stays, new columns get values.

The rows are written with raw SQL at 0001 (the models describe the newest schema, not 0001's), then the
database is upgraded to the head; a later `sync_plan` fills the plan's words into the old task rows.
"""

from __future__ import annotations

from datetime import datetime, timezone

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from bot.db.engine import MIGRATIONS, make_engine
from bot.db.models import EvidenceRow, OccurrenceRow, ReminderRow, ReviewRow, TaskRow
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.plans.loader import parse_plan
from tests.conftest import MINI_PLAN

T0 = datetime(2019, 10, 1, tzinfo=timezone.utc)
NAIVE = "2019-10-02 03:04:05"


def _upgrade(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _rows_at_0001(engine: Engine) -> None:
    statements = [
        ("INSERT INTO units (id, name, email, retired) VALUES ('VP', 'Văn phòng Sở', NULL, false), "
         "('TCCB', 'Phòng Tổ chức cán bộ', NULL, false)"),
        ("INSERT INTO tasks (id, area, area_name, title, evidence_required, retired_at) VALUES "
         "('1.1', '1', 'Công tác chỉ đạo điều hành', 'Ban hành kế hoạch CCHC', true, NULL)"),
        ("INSERT INTO occurrences (id, key, task_id, deadline_id, unit, period, label, source, lead_units, due, "
         "status, completed_at, completed_by, snoozed_until, retired_at) VALUES "
         "(1, '1.1/ket-qua/TCCB/2019', '1.1', 'ket-qua', 'TCCB', '2019', 'Gửi kết quả', 'seed', 'VP', "
         "'2019-11-19', 'awaiting_review', NULL, NULL, NULL, NULL), "
         "(2, '1.1/ket-qua/VP/2019', '1.1', 'ket-qua', 'VP', '2019', 'Gửi kết quả', 'seed', 'VP', "
         f"'2019-11-19', 'done', '{NAIVE}', 1, NULL, NULL)"),
        ("INSERT INTO members (id, user_id, chat_id, name, role, unit, reachable, active, lang, created_at) VALUES "
         f"(1, 11, 11, 'Trưởng phòng', 'head', 'TCCB', true, true, 'vi', '{NAIVE}')"),
        ("INSERT INTO evidence (id, occurrence_id, member_id, kind, file_id, file_unique_id, file_name, size, "
         f"sha256, stored_path, text, created_at) VALUES (1, 1, 1, 'document', 'F1', 'U1', 'kế hoạch.pdf', 1234, "
         f"'{'a' * 64}', 'evidence/1/ke-hoach.pdf', NULL, '{NAIVE}'), "
         f"(2, 1, 1, 'text', NULL, NULL, NULL, NULL, NULL, NULL, 'Đã ban hành KH số 12/KH-SGDĐT', '{NAIVE}')"),
        ("INSERT INTO reviews (id, occurrence_id, submitted_by, submitted_at, decision, decided_by, decided_at, "
         f"reason) VALUES (1, 1, 1, '{NAIVE}', NULL, NULL, NULL, NULL), "
         f"(2, 2, 1, '{NAIVE}', 'accepted', 1, '{NAIVE}', NULL)"),
        ("INSERT INTO reminders (id, key, occurrence_id, kind, rung, target, due_at, state, note, body, buttons) "
         f"VALUES (1, '1.1/ket-qua/TCCB/2019#due', 1, 'due', 'due', 'TCCB', '{NAIVE}', 'pending', NULL, NULL, NULL)"),
        ("INSERT INTO audit_log (id, at, actor, action, subject, details, update_id) VALUES "
         f"(1, '{NAIVE}', 'system', 'plan_sync', 'mini', '{{}}', NULL)"),
    ]
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
        if engine.dialect.name == "postgresql":  # explicit ids above: move the sequences past them
            for table in ("occurrences", "members", "evidence", "reviews", "reminders", "audit_log"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 100)"))


def test_a_database_at_0001_with_evidence_and_reviews_upgrades_with_every_row(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        _upgrade(engine, "0001")
        _rows_at_0001(engine)
        _upgrade(engine, "head")
        with Session(engine) as s:
            task = s.get(TaskRow, "1.1")
            assert task is not None and task.title == "Ban hành kế hoạch CCHC" and task.evidence_required
            assert (task.detail, task.evidence, task.evidence_source) == (None, [], None)
            assert task.plan_id == "mini"  # from the last plan_sync in the audit log
            occs = {o.id: o for o in s.scalars(select(OccurrenceRow))}
            assert {i: o.status for i, o in occs.items()} == {1: "awaiting_review", 2: "done"}
            assert occs[2].completed_at == datetime(2019, 10, 2, 3, 4, 5, tzinfo=timezone.utc)
            assert occs[1].closed_at is None and occs[1].closed_reason is None
            evidence = list(s.scalars(select(EvidenceRow).order_by(EvidenceRow.id)))
            assert [(e.kind, e.file_name, e.size, e.text) for e in evidence] == [
                ("document", "kế hoạch.pdf", 1234, None), ("text", None, None, "Đã ban hành KH số 12/KH-SGDĐT")]
            reviews = list(s.scalars(select(ReviewRow).order_by(ReviewRow.id)))
            assert [(r.occurrence_id, r.decision) for r in reviews] == [(1, None), (2, "accepted")]
            assert s.scalar(select(func.count()).select_from(ReminderRow)) == 1
        # The next sync fills the plan's words in and keeps the history attached.
        words = ('    title: Ban hành kế hoạch CCHC\n    detail: "Ban hành kịp thời kế hoạch CCHC năm."\n'
                 '    evidence_source: assumed\n    evidence: ["Kế hoạch CCHC năm", "Báo cáo quý"]\n')
        plan = parse_plan(MINI_PLAN.read_text(encoding="utf-8").replace("    title: Ban hành kế hoạch CCHC\n", words),
                          "mini.yaml")
        sync_plan(engine, plan, WorkCalendar(), T0)
        with Session(engine) as s:
            task = s.get(TaskRow, "1.1")
            assert task is not None and task.plan_id == "mini"
            assert task.detail == "Ban hành kịp thời kế hoạch CCHC năm."
            assert (task.evidence, task.evidence_source) == (["Kế hoạch CCHC năm", "Báo cáo quý"], "assumed")
            occ = s.scalar(select(OccurrenceRow).where(OccurrenceRow.key == "1.1/ket-qua/TCCB/2019"))
            assert occ is not None and occ.id == 1 and occ.status == "awaiting_review"
            assert s.scalar(select(func.count()).select_from(EvidenceRow).where(EvidenceRow.occurrence_id == 1)) == 2
        if engine.dialect.name == "postgresql":  # task ids widened for "<plan id>:<task id>"
            with engine.connect() as conn:
                length = conn.execute(text("SELECT character_maximum_length FROM information_schema.columns "
                                           "WHERE table_name = 'tasks' AND column_name = 'id'")).scalar()
            assert length == 64
    finally:
        engine.dispose()
