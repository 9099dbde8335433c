"""The reminder ladder: which reminders an occurrence gets, when, and to whom.

Dates are counted by hand in working days; November–December 2019 has no public
holiday, so a deadline on Tuesday 19/11/2019 counts over plain weekends.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.deadlines import Occurrence, expand_plan
from bot.domain.ladder import (
    Reminder,
    effective_ladder,
    ladder_reminders,
    plan_reminders,
)
from bot.domain.plan import Ladder, Plan
from bot.domain.workdays import WorkCalendar
from bot.plans.loader import load_plan

CAL = WorkCalendar()
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"


def utc(y: int, m: int, d: int, hour: int = 1, minute: int = 0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=UTC)


def make_plan(*, deadline: dict[str, Any] | None = None, task: dict[str, Any] | None = None,
              responsibility: dict[str, Any] | None = None, ladder: dict[str, Any] | None = None,
              area: dict[str, Any] | None = None) -> Plan:
    """Three units (VP leads, the group PHONG = TCCB + KHTC cooperates), one task, one deadline."""
    info: dict[str, Any] = {"id": "t", "title": "Thử", "issued_by": "Sở", "years": [2019], "office": "VP"}
    if ladder is not None:
        info["ladder"] = ladder
    return Plan.model_validate({
        "plan": info,
        "units": [{"id": u, "name": u} for u in ("VP", "TCCB", "KHTC")],
        "groups": [{"id": "PHONG", "name": "Các phòng", "members": ["TCCB", "KHTC"]}],
        "roles": [{"id": "leadership", "name": "Lãnh đạo Sở"}, {"id": "gd", "name": "Giám đốc"}],
        "areas": [{"id": "1", "name": "Chỉ đạo",
                   "responsibility": responsibility or {"lead": ["VP"], "others": ["PHONG"]}, **(area or {})}],
        "tasks": [{"id": "1.1", "area": "1", "title": "Nhiệm vụ",
                   "deadlines": [{"id": "d", "label": "Hạn", "date": "19/11/2019", "source": "seed",
                                  **(deadline or {})}],
                   **(task or {})}],
    })


def reminders_for(plan: Plan, unit: str) -> list[Reminder]:
    occurrence = next(o for o in expand_plan(plan, CAL) if o.unit == unit)
    return plan_reminders(plan, occurrence, CAL)


def schedule(reminders: list[Reminder]) -> list[tuple[str, datetime]]:
    return [(r.rung, r.at) for r in reminders]


DEFAULT_FOR_COOPERATING_UNIT = [
    ("before-14", utc(2019, 10, 30)),
    ("before-7", utc(2019, 11, 8)),
    ("before-3", utc(2019, 11, 14)),
    ("before-1", utc(2019, 11, 18)),
    ("due", utc(2019, 11, 19)),
    ("overdue-2", utc(2019, 11, 21)),
    ("escalation-lead-3", utc(2019, 11, 22)),
    ("overdue-4", utc(2019, 11, 25)),
    ("overdue-6", utc(2019, 11, 27)),
    ("escalation-leadership-7", utc(2019, 11, 28)),
    ("overdue-8", utc(2019, 11, 29)),
    ("overdue-10", utc(2019, 12, 3)),
    ("overdue-12", utc(2019, 12, 5)),
    ("overdue-14", utc(2019, 12, 9)),
    ("overdue-16", utc(2019, 12, 11)),
    ("overdue-18", utc(2019, 12, 13)),
    ("overdue-20", utc(2019, 12, 17)),
]


def test_default_ladder_of_a_cooperating_unit_counts_working_days_at_8_local_time() -> None:
    assert schedule(reminders_for(make_plan(), "TCCB")) == DEFAULT_FOR_COOPERATING_UNIT


def test_8_00_in_ho_chi_minh_city_is_01_00_utc() -> None:
    reminders = reminders_for(make_plan(), "TCCB")
    assert {r.at.astimezone(HCM).time().isoformat() for r in reminders} == {"08:00:00"}
    assert {(r.at.tzinfo, r.at.hour, r.at.minute) for r in reminders} == {(UTC, 1, 0)}


def test_default_ladder_kinds_offsets_and_recipients() -> None:
    reminders = {r.rung: r for r in reminders_for(make_plan(), "TCCB")}
    assert (reminders["before-14"].kind, reminders["before-14"].offset, reminders["before-14"].to) == \
        ("before", -14, ("TCCB",))
    assert (reminders["due"].kind, reminders["due"].offset, reminders["due"].to) == ("due", 0, ("TCCB",))
    assert (reminders["overdue-20"].kind, reminders["overdue-20"].offset, reminders["overdue-20"].to) == \
        ("overdue", 20, ("TCCB",))
    lead = reminders["escalation-lead-3"]
    assert (lead.kind, lead.offset, lead.to) == ("escalation", 3, ("VP",))
    top = reminders["escalation-leadership-7"]
    assert (top.kind, top.offset, top.to) == ("escalation", 7, ("office",))  # "thông qua Văn phòng Sở"


def test_leadership_rung_goes_to_the_role_in_charge_through_the_office_or_straight_when_asked() -> None:
    plan = make_plan(area={"in_charge": "gd"})
    assert {r.rung: r.to for r in reminders_for(plan, "TCCB")}["escalation-leadership-7"] == ("gd", "office")
    straight = make_plan(ladder={"leadership_via_office": False})
    assert {r.rung: r.to for r in reminders_for(straight, "TCCB")}["escalation-leadership-7"] == ("leadership",)
    # the office late on its own share: leadership hears it directly
    assert {r.rung: r.to for r in reminders_for(make_plan(), "VP")}["escalation-leadership-7"] == ("leadership",)


def test_reminder_keys_are_the_occurrence_key_and_the_rung() -> None:
    reminders = reminders_for(make_plan(), "TCCB")
    assert reminders[0].key == "1.1/d/TCCB/once#before-14"
    assert len({r.key for r in reminders}) == len(reminders)


def test_lead_unit_gets_no_escalation_to_itself() -> None:
    rungs = [r.rung for r in reminders_for(make_plan(), "VP")]
    assert "escalation-lead-3" not in rungs
    assert "escalation-leadership-7" in rungs
    assert len(rungs) == len(DEFAULT_FOR_COOPERATING_UNIT) - 1


def test_without_lead_units_escalation_goes_to_the_plan_office() -> None:
    plan = make_plan(responsibility={"others": ["PHONG"]})
    escalation = next(r for r in reminders_for(plan, "KHTC") if r.rung == "escalation-lead-3")
    assert escalation.to == ("VP",)


def test_office_itself_late_without_lead_units_skips_escalation_to_itself() -> None:
    plan = make_plan(responsibility={"others": ["VP", "TCCB"]})
    assert "escalation-lead-3" not in [r.rung for r in reminders_for(plan, "VP")]
    assert "escalation-lead-3" in [r.rung for r in reminders_for(plan, "TCCB")]


def test_several_lead_units_all_receive_the_escalation() -> None:
    plan = make_plan(responsibility={"lead": ["VP", "KHTC"], "others": ["TCCB"]})
    escalation = next(r for r in reminders_for(plan, "TCCB") if r.kind == "escalation" and "lead-" in r.rung)
    assert escalation.to == ("VP", "KHTC")
    assert "escalation-lead-3" not in [r.rung for r in reminders_for(plan, "KHTC")]


def test_task_ladder_override_replaces_only_the_fields_it_sets() -> None:
    plan = make_plan(task={"ladder": {"before": [5], "overdue_every": 5, "overdue_for": 10}})
    assert schedule(reminders_for(plan, "TCCB")) == [
        ("before-5", utc(2019, 11, 12)),
        ("due", utc(2019, 11, 19)),
        ("escalation-lead-3", utc(2019, 11, 22)),
        ("overdue-5", utc(2019, 11, 26)),
        ("escalation-leadership-7", utc(2019, 11, 28)),
        ("overdue-10", utc(2019, 12, 3)),
    ]


def test_deadline_override_is_merged_over_the_task_override() -> None:
    plan = make_plan(task={"ladder": {"at": "09:00", "before": [5], "overdue_for": 0}},
                     deadline={"ladder": {"at": "14:30", "on_due": False, "escalate_to_lead_after": 1}})
    assert schedule(reminders_for(plan, "TCCB")) == [
        ("before-5", utc(2019, 11, 12, 7, 30)),
        ("escalation-lead-1", utc(2019, 11, 20, 7, 30)),
        ("escalation-leadership-7", utc(2019, 11, 28, 7, 30)),
    ]


def test_effective_ladder_merges_plan_task_and_deadline_levels() -> None:
    plan = make_plan(ladder={"at": "07:00", "before": [10, 2], "leadership_role": "gd"},
                     task={"ladder": {"before": [4]}}, deadline={"ladder": {"overdue_every": 4}})
    occurrence = expand_plan(plan, CAL)[0]
    assert effective_ladder(plan, occurrence) == Ladder(at="07:00", before=[4], overdue_every=4,
                                                        leadership_role="gd")


def test_plan_ladder_sets_the_leadership_role_and_can_switch_escalations_off() -> None:
    plan = make_plan(ladder={"leadership_role": "gd", "escalate_to_lead_after": None,
                             "leadership_via_office": False})
    reminders = reminders_for(plan, "TCCB")
    assert [r.to for r in reminders if r.kind == "escalation"] == [("gd",)]


def test_no_due_reminder_and_no_overdue_reminders_when_switched_off() -> None:
    plan = make_plan(ladder={"on_due": False, "overdue_for": 0, "escalate_to_lead_after": None,
                             "escalate_to_leadership_after": None})
    assert [r.rung for r in reminders_for(plan, "TCCB")] == ["before-14", "before-7", "before-3", "before-1"]


def test_repeated_before_rungs_are_sent_once() -> None:
    plan = make_plan(ladder={"before": [3, 1, 3], "overdue_for": 0})
    assert [r.rung for r in reminders_for(plan, "TCCB")][:3] == ["before-3", "before-1", "due"]


def test_reminders_are_sorted_by_time_then_kind_when_rungs_share_a_day() -> None:
    plan = make_plan(ladder={"before": [1, 14], "overdue_for": 4, "escalate_to_lead_after": 1,
                             "escalate_to_leadership_after": 2})
    reminders = reminders_for(plan, "TCCB")
    assert [r.rung for r in reminders] == ["before-14", "before-1", "due", "escalation-lead-1", "overdue-2",
                                           "escalation-leadership-2", "overdue-4"]
    assert [r.at for r in reminders] == sorted(r.at for r in reminders)


def test_deadline_on_the_monday_after_tet_counts_back_over_tet() -> None:
    plan = make_plan(deadline={"date": "11/02/2019"}, ladder={"overdue_for": 0})
    assert schedule(reminders_for(plan, "TCCB"))[:5] == [
        ("before-14", utc(2019, 1, 15)),
        ("before-7", utc(2019, 1, 24)),
        ("before-3", utc(2019, 1, 30)),
        ("before-1", utc(2019, 2, 1)),  # the Friday before Tết, not a day of Tết
        ("due", utc(2019, 2, 11)),
    ]


def test_overdue_reminders_after_a_deadline_just_before_tet_2020_skip_tet() -> None:
    plan = make_plan(deadline={"date": "22/01/2020"}, task={"ladder": {"overdue_for": 4}},
                     ladder={"escalate_to_lead_after": None, "escalate_to_leadership_after": None})
    overdue = [(r.rung, r.at) for r in reminders_for(plan, "TCCB") if r.kind == "overdue"]
    assert overdue == [("overdue-2", utc(2020, 1, 31)), ("overdue-4", utc(2020, 2, 4))]


def test_with_shift_keep_a_due_date_on_saturday_is_reminded_on_the_friday_before() -> None:
    plan = make_plan(deadline={"date": "23/11/2019", "shift": "keep"}, ladder={"before": [1], "overdue_for": 2})
    assert [(r.rung, r.at) for r in reminders_for(plan, "TCCB")][:4] == [
        ("before-1", utc(2019, 11, 22)),
        ("due", utc(2019, 11, 22)),
        ("overdue-2", utc(2019, 11, 26)),
        ("escalation-lead-3", utc(2019, 11, 27)),
    ]


def test_ladder_reminders_works_on_a_hand_made_occurrence() -> None:
    occurrence = Occurrence(key="x/y/TCCB/2019", task_id="x", deadline_id="y", unit="TCCB", period="2019",
                            nominal=date(2019, 11, 19), due=date(2019, 11, 19), source="seed", label="L",
                            lead_units=())
    ladder = Ladder(before=[1], on_due=False, overdue_for=0, escalate_to_leadership_after=None)
    reminders = ladder_reminders(occurrence, ladder, CAL, HCM, office="VP")
    assert [(r.rung, r.at, r.to) for r in reminders] == [
        ("before-1", utc(2019, 11, 18), ("TCCB",)),
        ("escalation-lead-3", utc(2019, 11, 22), ("VP",)),
    ]


def test_mini_plan_every_unit_of_the_group_gets_its_own_reminders() -> None:
    plan = load_plan(MINI)
    occurrences = [o for o in expand_plan(plan, CAL) if o.deadline_id == "ket-qua" and o.period == "2019"]
    assert {o.unit for o in occurrences} == {"VP", "TCCB", "KHTC"}
    for occurrence in occurrences:
        reminders = plan_reminders(plan, occurrence, CAL)
        assert {r.occurrence_key for r in reminders} == {occurrence.key}
        assert all(r.to == (occurrence.unit,) for r in reminders if r.kind != "escalation")
        assert reminders[0].at == utc(2019, 10, 30)  # due Tuesday 19/11/2019, 14 working days back
