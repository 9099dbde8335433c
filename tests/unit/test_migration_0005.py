"""Migration 0005 carries blockers forward: status from forwarded/resolved, replies table empty and usable."""

from __future__ import annotations

from datetime import date, datetime, timezone

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from bot.db.engine import MIGRATIONS, make_engine

NOW = datetime(2019, 11, 14, 1, 0, tzinfo=timezone.utc)


def _upgrade(engine: object, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:  # type: ignore[attr-defined]
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_blockers_at_0001_keep_their_rows_and_get_a_status(db_url: str) -> None:
    engine = make_engine(db_url)
    _upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO units (id, name, retired) VALUES ('TCCB', 'Phòng Tổ chức cán bộ', false)"))
        conn.execute(text("INSERT INTO tasks (id, area, area_name, title, evidence_required) "
                          "VALUES ('1.1', '1', 'Chỉ đạo', 'Kế hoạch', false)"))
        conn.execute(text("INSERT INTO occurrences (key, task_id, deadline_id, unit, period, label, source, "
                          "lead_units, due, status) VALUES ('k', '1.1', 'd', 'TCCB', '2019', 'Gửi', 'plan', '', "
                          ":due, 'open')"), {"due": date(2019, 11, 19)})
        conn.execute(text("INSERT INTO members (chat_id, name, role, reachable, active, lang, created_at) "
                          "VALUES (1, 'An', 'head', true, true, 'vi', :now)"), {"now": NOW})
        for text_, forwarded, resolved in (("a", None, None), ("b", NOW, None), ("c", NOW, NOW)):
            conn.execute(text("INSERT INTO blockers (occurrence_id, member_id, text, created_at, forwarded_at, "
                              "resolved_at) VALUES (1, 1, :t, :now, :f, :r)"),
                         {"t": text_, "now": NOW, "f": forwarded, "r": resolved})
    _upgrade(engine, "0005")
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT text, status FROM blockers ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [("a", "open"), ("b", "forwarded"), ("c", "resolved")]
        conn.execute(text("INSERT INTO blocker_replies (blocker_id, member_id, text, created_at) "
                          "VALUES (1, 1, 'chỉ đạo', :now)"), {"now": NOW})
        assert conn.execute(text("SELECT count(*) FROM blocker_replies")).scalar() == 1
    assert "resolved_by" in {c["name"] for c in inspect(engine).get_columns("blockers")}
    engine.dispose()
