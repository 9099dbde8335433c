"""`preview --format json`: each row says whether it is confirmed (the contract grows, nothing removed)."""

from bot.domain.workdays import WorkCalendar
from bot.plans.loader import load_plan
from bot.preview import timeline
from tests.conftest import BUNDLED_PLAN

KEYS = {"task_id", "title", "area", "area_name", "deadline_id", "label", "unit", "lead_units", "due", "source", "key",
        "reminders"}


def test_every_assumed_row_is_unconfirmed_from_the_plan_alone() -> None:
    items = timeline(load_plan(BUNDLED_PLAN), WorkCalendar())
    assert all(KEYS | {"confirmed"} == set(i) for i in items)
    assumed = [i for i in items if i["source"] == "assumed"]
    assert assumed and all(i["confirmed"] is False for i in assumed)
    assert all(i["confirmed"] is True for i in items if i["source"] == "seed")
    # the office's own share of the 20/11 results is assumed (the seed gives no date for it)
    assert {i["source"] for i in items if i["deadline_id"] == "ket-qua" and i["unit"] == "VP"} == {"assumed"}
    assert {i["source"] for i in items if i["deadline_id"] == "ket-qua" and i["unit"] == "TCCB"} == {"seed"}
