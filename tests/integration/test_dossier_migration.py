"""Migration 0011 (criteria as a tree) keeps the criteria, their tasks and self-scores, in a set of their year."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.db.engine import make_engine
from tests.integration.test_migration_0006 import _upgrade

AT = datetime(2019, 11, 14, 1, 0, tzinfo=UTC)


def _at_0011_with_criteria(db_url: str) -> Engine:
    """Two criteria loaded at 0009 (one with a task and a self-score), then upgraded to 0011."""
    engine = make_engine(db_url)
    _upgrade(engine, "0009")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO members (chat_id, name, role, reachable, active, lang, created_at, "
                          "link_version) VALUES (1, 'VP', 'admin', true, true, 'vi', :at, 0)"), {"at": AT})
        conn.execute(text("INSERT INTO criteria (code, name, max_points, position, retired) VALUES "
                          "('1.1', 'Kế hoạch CCHC', 2, 0, false), ('1.2', 'Tuyên truyền', 1.5, 1, false)"))
        cid = conn.execute(text("SELECT id FROM criteria WHERE code = '1.1'")).scalar_one()
        conn.execute(text("INSERT INTO criterion_tasks (criterion_id, task_id) VALUES (:c, '1.1')"), {"c": cid})
        conn.execute(text("INSERT INTO self_scores (criterion_id, score, explanation, recorded_by, recorded_at) "
                          "VALUES (:c, 1.5, 'Ban hành chậm', 1, :at)"), {"c": cid, "at": AT})
        conn.execute(text("INSERT INTO audit_log (at, actor, action, subject, details) "
                          "VALUES (:at, 'cli', 'criteria_loaded', 'x.yaml', '{}')"), {"at": AT})
    _upgrade(engine, "0011")
    return engine


def test_criteria_tasks_and_scores_at_0009_move_into_a_set_of_their_year(db_url: str) -> None:
    engine = _at_0011_with_criteria(db_url)
    with engine.begin() as conn:
        year, set_id = conn.execute(text("SELECT year, id FROM criteria_sets")).one()
        rows = conn.execute(text("SELECT code, set_id, level, parent_id, survey FROM criteria ORDER BY position")).all()
        assert year == 2019
        assert [tuple(r) for r in rows] == [("1.1", set_id, "tieu_chi", None, False),
                                            ("1.2", set_id, "tieu_chi", None, False)]
        assert conn.execute(text("SELECT task_id FROM criterion_tasks")).scalar_one() == "1.1"
        assert conn.execute(text("SELECT score, explanation FROM self_scores")).one() == (1.5, "Ban hành chậm")
        # the same code may now exist in another year's set
        conn.execute(text("INSERT INTO criteria_sets (year, name, period_start, period_end, created_at) "
                          "VALUES (2020, 'Chỉ số 2020', '2020-01-01', '2020-12-31', :at)"), {"at": AT})
        other = conn.execute(text("SELECT id FROM criteria_sets WHERE year = 2020")).scalar_one()
        conn.execute(text("INSERT INTO criteria (code, name, max_points, position, retired, set_id) "
                          "VALUES ('1.1', 'Kế hoạch CCHC', 2, 0, false, :s)"), {"s": other})
    engine.dispose()


def test_an_empty_database_gets_no_set(db_url: str) -> None:
    engine = make_engine(db_url)
    _upgrade(engine, "0011")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM criteria_sets")).scalar_one() == 0
    engine.dispose()


def test_downgrade_to_0009_keeps_the_criteria_and_their_scores(db_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    from bot.db.engine import MIGRATIONS

    engine = _at_0011_with_criteria(db_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT code FROM criteria ORDER BY position")).scalars().all() == ["1.1", "1.2"]
        assert conn.execute(text("SELECT score FROM self_scores")).scalar_one() == 1.5
        assert conn.execute(text("SELECT task_id FROM criterion_tasks")).scalar_one() == "1.1"
    engine.dispose()
