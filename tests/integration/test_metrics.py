"""Metric check-ins on SQLite and PostgreSQL: validation, the chat state on a bad answer, history, is_met."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.members import ensure_member
from bot.db.models import AuditRow, ChatStateRow, MetricRow, MetricValueRow
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.plans.loader import parse_plan
from bot.services import metrics
from bot.services.access import Refused, load_actor
from bot.services.tasks import Event
from tests.conftest import MINI_PLAN

T0 = datetime(2019, 11, 12, 2, 0, tzinfo=timezone.utc)
HEAD, TWO_UNITS, ADMIN = 20, 21, 1
METRICS = """    metrics:
      - {id: dung-han, name: Tỷ lệ hồ sơ đúng hạn, kind: percent, target: 100, comparison: ">="}
      - {id: van-ban, name: Số văn bản chỉ đạo ban hành, kind: count, target: 2, comparison: ">="}
"""


@pytest.fixture
def ids(db: Engine) -> dict[str, int]:
    """Mini plan with two metrics on 1.1; a TCCB head, a head of KHTC and TCCB, an admin without a unit."""
    text = MINI_PLAN.read_text(encoding="utf-8")
    anchor = "    title: Ban hành kế hoạch CCHC\n"
    sync_plan(db, parse_plan(text.replace(anchor, anchor + METRICS), "mini.yaml"), WorkCalendar(), T0)
    ensure_member(db, T0, chat_id=HEAD, user_id=HEAD, role="head", unit="TCCB", name="Trần Thị Bình")
    for unit in ("TCCB", "KHTC"):
        ensure_member(db, T0, chat_id=TWO_UNITS, user_id=TWO_UNITS, role="head", unit=unit, name="Kiêm nhiệm")
    ensure_member(db, T0, chat_id=ADMIN, user_id=ADMIN, role="admin", name="Văn phòng")
    with Session(db) as s:
        return {m.metric_id: m.id for m in s.scalars(select(MetricRow))}


def call(db: Engine, user: int, fn, *args, at: datetime = T0):  # type: ignore[no-untyped-def]
    with Session(db, expire_on_commit=False) as s, s.begin():
        return fn(s, load_actor(s, user, user), *args, Event(at))


def state(db: Engine, chat: int) -> tuple[str, int] | None:
    with Session(db) as s:
        row = s.get(ChatStateRow, chat)
        return (row.kind, row.ref) if row else None


@pytest.mark.parametrize(("raw", "value"), [("95", 95.0), ("95%", 95.0), ("95,5", 95.5), (" 95,5 % ", 95.5),
                                            ("0", 0.0), ("100", 100.0), ("99.25", 99.25)])
def test_percent_accepts_plain_percent_sign_and_vietnamese_comma(db: Engine, ids: dict[str, int], raw: str,
                                                                  value: float) -> None:
    row = call(db, HEAD, metrics.record_value, ids["dung-han"], raw)
    assert (row.value, row.unit) == (value, "TCCB")


@pytest.mark.parametrize("raw", ["101", "100,5", "-5", "abc", "", "95%%", "1e2", "chín mươi"])
def test_percent_outside_0_100_or_not_a_number_is_refused_and_the_question_stands(db: Engine, ids: dict[str, int],
                                                                                  raw: str) -> None:
    call(db, HEAD, metrics.start_report, ids["dung-han"], None)
    with pytest.raises(Refused) as err:
        call(db, HEAD, metrics.record_value, ids["dung-han"], raw)
    assert err.value.key == "metric_bad_value"
    assert "từ 0 đến 100" in err.value.params["why"] and err.value.params["name"] == "Tỷ lệ hồ sơ đúng hạn"
    assert state(db, HEAD) == ("metric", ids["dung-han"])
    with Session(db) as s:
        assert s.scalars(select(MetricValueRow)).all() == []


@pytest.mark.parametrize(("raw", "value"), [("3", 3.0), ("0", 0.0), ("1.250", 1250.0), ("1 250", 1250.0)])
def test_count_accepts_non_negative_integers(db: Engine, ids: dict[str, int], raw: str, value: float) -> None:
    assert call(db, HEAD, metrics.record_value, ids["van-ban"], raw).value == value


@pytest.mark.parametrize("raw", ["-1", "2,5", "2.5", "3%", "ba", "12.34"])
def test_count_refuses_negative_fractional_and_text(db: Engine, ids: dict[str, int], raw: str) -> None:
    with pytest.raises(Refused) as err:
        call(db, HEAD, metrics.record_value, ids["van-ban"], raw)
    assert err.value.key == "metric_bad_value" and "số nguyên không âm" in err.value.params["why"]


def test_good_value_clears_the_state_is_audited_and_history_is_kept_latest_wins(db: Engine,
                                                                                ids: dict[str, int]) -> None:
    call(db, HEAD, metrics.start_report, ids["dung-han"], None)
    call(db, HEAD, metrics.record_value, ids["dung-han"], "90")
    assert state(db, HEAD) is None
    call(db, HEAD, metrics.record_value, ids["dung-han"], "98,5", at=T0 + timedelta(days=2))
    call(db, HEAD, metrics.record_value, ids["dung-han"], "97", at=T0 + timedelta(days=1))  # typed late, older
    with Session(db) as s:
        assert [v.value for v in s.scalars(select(MetricValueRow).order_by(MetricValueRow.id))] == [90, 98.5, 97]
        actions = s.scalars(select(AuditRow).where(AuditRow.action == "metric_reported")).all()
        assert [(a.subject, a.details["value"]) for a in actions][0] == ("1.1/dung-han/TCCB", 90.0)
        mine = [(m.metric_id, unit, v.value if v else None) for m, unit, v in
                metrics.metrics_for(s, load_actor(s, HEAD, HEAD))]
    assert mine == [("dung-han", "TCCB", 98.5), ("van-ban", "TCCB", None)]


def test_head_of_two_units_reports_for_the_first_and_is_told(db: Engine, ids: dict[str, int]) -> None:
    target = call(db, TWO_UNITS, metrics.start_report, ids["dung-han"], None)
    assert (target.unit, target.other_units) == ("KHTC", ("TCCB",))
    assert call(db, TWO_UNITS, metrics.record_value, ids["dung-han"], "80").unit == "KHTC"
    with Session(db) as s, s.begin():
        row = metrics.record_value(s, load_actor(s, TWO_UNITS, TWO_UNITS), ids["dung-han"], "70", Event(T0),
                                   unit="TCCB")
        assert row.unit == "TCCB"


def test_only_units_owing_the_task_report_and_unknown_metrics_are_refused(db: Engine, ids: dict[str, int]) -> None:
    for user, metric_id, key in ((ADMIN, ids["dung-han"], "not_your_metric"), (HEAD, 999, "no_such_metric")):
        with pytest.raises(Refused) as err:
            call(db, user, metrics.start_report, metric_id, None)
        assert err.value.key == key
    with pytest.raises(Refused) as err:
        call(db, HEAD, metrics.start_report, ids["dung-han"], "VP")
    assert err.value.key == "not_your_unit"
    with Session(db) as s, pytest.raises(Refused) as err:
        metrics.metrics_for(s, load_actor(s, ADMIN, ADMIN))
    assert err.value.key == "not_a_head"


@pytest.mark.parametrize(("comparison", "target", "met", "missed"), [
    (">=", 100, [100, 100.5], [99.9]), (">", 10, [10.01, 50], [10, 0]), ("<=", 5, [5, 0], [5.5]),
    ("<", 5, [4.99], [5, 6]), ("==", 3, [3], [2, 4])])
def test_is_met_follows_the_comparison(comparison: str, target: float, met: list[float], missed: list[float]) -> None:
    metric = MetricRow(task_id="1.1", metric_id="m", name="m", kind="percent", target=target, comparison=comparison)
    assert all(metrics.is_met(metric, v) for v in met)
    assert not any(metrics.is_met(metric, v) for v in missed)


def test_values_are_shown_with_a_vietnamese_comma_and_the_target_with_its_sign() -> None:
    metric = MetricRow(task_id="8.2", metric_id="b", name="Bưu chính", kind="percent", target=10, comparison=">")
    assert (metrics.fmt_value("percent", 95.5), metrics.fmt_value("count", 1250.0)) == ("95,5%", "1.250")
    assert metrics.target_text(metric) == "> 10%"
