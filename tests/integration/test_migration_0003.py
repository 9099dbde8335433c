"""Migration 0003 carries a database made by revision 0001 forward: every row kept, the new columns NULL."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, Table, func, insert, inspect, select, text
from sqlalchemy.engine import Engine

from bot.db.engine import MIGRATIONS, make_engine, migrate
from bot.db.models import EvidenceRow, MemberRow, MetricRow, MetricValueRow, OccurrenceRow, ReviewRow, TaskRow, UnitRow

NOW = datetime(2019, 11, 12, 2, 0, tzinfo=timezone.utc)


def _upgrade(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _old_columns(table: type) -> list[str]:
    new = {"doc_number", "doc_date", "doc_summary", "doc_issuer", "numerator", "denominator", "doc_meta_required"}
    return [c.name for c in table.__table__.columns if c.name not in new]  # type: ignore[attr-defined]


def _fill_0001(engine: Engine) -> None:
    """Rows as today's schema (0001) holds them: two evidence items, two reviews, a metric value.

    The tables are read from the database (revision 0001), not from today's models: their newer columns
    and defaults must not reach an old database."""
    with engine.begin() as conn:
        old = MetaData()
        old.reflect(conn)

        def table(model: type) -> Table:
            return old.tables[model.__tablename__]  # type: ignore[attr-defined]

        conn.execute(insert(table(UnitRow)).values(id="TCCB", name="Phòng Tổ chức cán bộ", retired=False))
        conn.execute(insert(table(TaskRow)).values(id="1.1", area="1", area_name="Chỉ đạo", title="Kế hoạch",
                                                      evidence_required=True))
        conn.execute(insert(table(MemberRow)).values(id=1, chat_id=20, user_id=20, name="Bình", role="head",
                                                        unit="TCCB", reachable=True, active=True, lang="vi",
                                                        created_at=NOW))
        conn.execute(insert(table(OccurrenceRow)).values(
            id=1, key="1.1/ket-qua/TCCB/2019", task_id="1.1", deadline_id="ket-qua", unit="TCCB", period="2019",
            label="Gửi kết quả", source="seed", lead_units="", due=date(2019, 11, 19), status="done"))
        for n, kind in ((1, "document"), (2, "link")):
            conn.execute(insert(table(EvidenceRow)).values(
                id=n, occurrence_id=1, member_id=1, kind=kind, file_name="kh.pdf" if n == 1 else None,
                text=None if n == 1 else "https://vb.example", created_at=NOW))
        for n, decision in ((1, "returned"), (2, "accepted")):
            conn.execute(insert(table(ReviewRow)).values(id=n, occurrence_id=1, submitted_by=1, submitted_at=NOW,
                                                            decision=decision, decided_by=1, decided_at=NOW))
        conn.execute(insert(table(MetricRow)).values(id=1, task_id="1.1", metric_id="m", name="Tỷ lệ",
                                                        kind="percent", target=30, comparison=">=", retired=False))
        conn.execute(insert(table(MetricValueRow)).values(id=1, metric_id=1, unit="TCCB", value=95.5,
                                                             reported_by=1, reported_at=NOW))


def _check(engine: Engine) -> None:
    with engine.connect() as conn:
        counts = {t.__tablename__: conn.scalar(select(func.count()).select_from(t.__table__))  # type: ignore
                  for t in (EvidenceRow, ReviewRow, MetricValueRow, OccurrenceRow, TaskRow, MemberRow)}
        assert counts == {"evidence": 2, "reviews": 2, "metric_values": 1, "occurrences": 1, "tasks": 1,
                          "members": 1}
        evidence = conn.execute(text("SELECT id, kind, file_name, text, doc_number, doc_date, doc_summary, "
                                     "doc_issuer FROM evidence ORDER BY id")).all()
        assert [tuple(r) for r in evidence] == [(1, "document", "kh.pdf", None, None, None, None, None),
                                                (2, "link", None, "https://vb.example", None, None, None, None)]
        assert [tuple(r) for r in conn.execute(text("SELECT decision FROM reviews ORDER BY id"))] == [
            ("returned",), ("accepted",)]
        assert tuple(conn.execute(text("SELECT value, numerator, denominator FROM metric_values")).one()) == (
            95.5, None, None)
        assert conn.execute(text("SELECT doc_meta_required FROM tasks")).scalar() is None
    tables = set(inspect(engine).get_table_names())
    assert {"criteria", "criterion_tasks", "self_scores"} <= tables


def _at_0001_then_head(url: str) -> None:
    engine = make_engine(url)
    try:
        _upgrade(engine, "0001")
        assert "doc_number" not in {c["name"] for c in inspect(engine).get_columns("evidence")}
        _fill_0001(engine)
        migrate(engine)  # what the bot does at start: to the newest revision
        _check(engine)
    finally:
        engine.dispose()


def test_sqlite_database_of_revision_0001_upgrades_without_losing_rows(tmp_path: Path) -> None:
    _at_0001_then_head(f"sqlite:///{tmp_path / 'old.db'}")


def test_postgresql_database_of_revision_0001_upgrades_without_losing_rows(pg_url: str) -> None:
    _at_0001_then_head(pg_url)
