"""The bundled plan schedules/cchc-2019-2020.yaml: a faithful transcription of the seed plan."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.deadlines import expand_plan, expand_task
from bot.domain.ladder import plan_reminders
from bot.domain.plan import Ladder, Plan
from bot.domain.workdays import WorkCalendar
from bot.plans.loader import load_plan

PLAN_PATH = Path(__file__).resolve().parents[2] / "schedules" / "cchc-2019-2020.yaml"

PHONG = ["TCCB", "KHTC", "TTr", "GDMN", "GDTH", "GDTrH", "GDTX", "KTKD"]
DVTT = ["THPTCHUYEN", "TTGDTX", "TTNNTH"]

# Counted from section II of the seed: one task per "- " bullet; the first bullet
# of 5.1 is split into its 12 semicolon-separated items (5.1.a ... 5.1.l), and the
# dash-less "Xây dựng phương án ... thu nhập tăng thêm" of 6.1 is its own item.
EXPECTED_TASKS_PER_AREA = {"1": 4, "2": 2, "3": 5, "4": 4, "5": 14, "6": 4, "7": 5, "8": 4}


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(PLAN_PATH)


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return WorkCalendar()


def _is_ascii(text: str) -> bool:
    return all(ord(ch) < 128 for ch in text)


def test_bundled_plan_loads_without_errors(plan: Plan) -> None:
    assert plan.plan.id == "cchc-2019-2020"
    assert len(plan.tasks) == sum(EXPECTED_TASKS_PER_AREA.values()) == 42


def test_every_bullet_of_section_two_is_one_task_per_area(plan: Plan) -> None:
    assert dict(Counter(t.area for t in plan.tasks)) == EXPECTED_TASKS_PER_AREA


def test_first_bullet_of_5_1_is_split_into_twelve_tasks(plan: Plan) -> None:
    split = [t.id for t in plan.tasks if t.id.startswith("5.1.")]
    assert split == [f"5.1.{letter}" for letter in "abcdefghijkl"]
    assert all(t.detail and t.detail.startswith("Đảm bảo quản lý, sử dụng biên chế")
               for t in plan.tasks if t.id in split)


def test_dashless_bullet_of_6_1_is_its_own_task(plan: Plan) -> None:
    assert plan.task("6.2").detail == (
        "Xây dựng phương án và báo cáo kết quả chi thu nhập tăng thêm công chức, viên chức "
        "và người lao động cơ quan Sở.")


def test_garbled_sentence_of_7_1_is_reconstructed_and_flagged(plan: Plan) -> None:
    detail = plan.task("7.1").detail or ""
    assert "Ứng dụng phần mềm quản lý văn bản đi, văn bản đến" in detail
    assert "khôi phục" in detail


def test_task_ids_are_area_number_and_bullet_index(plan: Plan) -> None:
    for task in plan.tasks:
        assert task.id.split(".")[0] == task.area
    assert [t.id for t in plan.tasks if t.area == "3"] == ["3.1", "3.2", "3.3", "3.4", "3.5"]


@pytest.mark.parametrize(("area", "lead", "lead_as", "others", "others_as"), [
    ("1", ["VP"], "chủ trì", ["PHONG", "DVTT"], "phối hợp"),
    ("2", ["VP"], "tổng hợp", ["PHONG"], "thực hiện"),
    ("3", ["VP"], "tổng hợp", ["PHONG"], "thực hiện"),
    ("4", ["TCCB"], "chủ trì", ["TTr", "DVTT"], "phối hợp"),
    ("5", [], "chủ trì", ["TCCB"], "thực hiện"),
    ("6", [], "chủ trì", ["KHTC"], "thực hiện"),
    ("7", [], "chủ trì", ["PHONG"], "thực hiện"),
    ("8", ["VP", "TCCB"], "chủ trì", ["PHONG"], "phối hợp"),
])
def test_each_area_has_the_responsibility_the_seed_assigns(
        plan: Plan, area: str, lead: list[str], lead_as: str, others: list[str], others_as: str) -> None:
    resp = plan.area(area).responsibility
    assert (resp.lead, resp.others, resp.others_as) == (lead, others, others_as)
    if lead:
        assert resp.lead_as == lead_as
    for task in plan.tasks:
        if task.area == area:
            assert task.responsibility is None
            assert plan.responsibility(task) == resp


def test_unit_groups_match_the_department_structure(plan: Plan) -> None:
    groups = {g.id: g.members for g in plan.groups}
    assert groups == {"PHONG": PHONG, "DVTT": DVTT}
    assert "VP" not in groups["PHONG"]
    assert plan.plan.office == "VP"
    for unit_id in DVTT:
        assert plan.unit(unit_id).note == "Ví dụ: Văn phòng Sở thay bằng danh sách đơn vị thật"
    leadership = next(r for r in plan.roles if r.id == "leadership")
    assert leadership.name == "Lãnh đạo Sở"
    assert leadership.members == ["Giám đốc", "Phó Giám đốc"]


def test_every_task_sends_results_before_20_november_each_year(plan: Plan, calendar: WorkCalendar) -> None:
    (common,) = plan.plan.common_deadlines
    assert (common.id, common.yearly, common.exclusive, common.source, common.due_from) == (
        "ket-qua", "20/11", True, "seed", "all")
    for task in plan.tasks:
        assert task.common_deadlines
        resp = plan.responsibility(task)
        named = task.owners.units if task.owners else resp.lead + resp.others
        units = set(plan.expand_units(named))
        results = [o for o in expand_task(plan, task, calendar) if o.deadline_id == "ket-qua"]
        for year in (2019, 2020):
            this_year = [o for o in results if o.period == str(year)]
            assert {o.unit for o in this_year} == units, task.id
            assert len(this_year) == len(units), task.id
            assert {o.due for o in this_year} == {date(year, 11, 19)}, task.id


def test_training_plan_is_due_at_end_of_q2_of_the_previous_year(plan: Plan, calendar: WorkCalendar) -> None:
    task = plan.task("5.2")
    spec = next(s for s in task.deadlines if s.id == "dao-tao")
    assert spec.source == "seed" and spec.years == [2020, 2021] and spec.note
    occurrences = [o for o in expand_task(plan, task, calendar) if o.deadline_id == "dao-tao"]
    # 30/06/2019 is a Sunday: the deadline moves back to Friday 28/06/2019.
    assert [(o.period, o.unit, o.due) for o in occurrences] == [
        ("2020", "TCCB", date(2019, 6, 28)),
        ("2021", "TCCB", date(2020, 6, 30)),
    ]
    training = [t.id for t in plan.tasks for s in t.deadlines if s.window and s.window.quarter == 2]
    assert training == ["5.2"]


def test_group_tasks_are_due_from_every_member_unit(plan: Plan, calendar: WorkCalendar) -> None:
    results_2019 = [o for o in expand_plan(plan, calendar, start=date(2019, 11, 1), end=date(2019, 11, 30))
                    if o.deadline_id == "ket-qua"]
    by_task = Counter(o.task_id for o in results_2019)
    assert by_task["7.2"] == len(PHONG) == 8
    assert {o.unit for o in results_2019 if o.task_id == "7.2"} == set(PHONG)
    assert by_task["1.2"] == 1 + len(PHONG) + len(DVTT)  # VP + both groups
    assert by_task["8.1"] == 1  # a Sở-wide figure: one owner reports it (was VP + PHONG: 9)
    assert by_task["4.1"] == 2 + len(DVTT)  # TCCB + TTr + DVTT
    assert by_task["2.1"] == 1 + len(PHONG)
    assert by_task["6.1"] == 1 and by_task["5.3"] == 1


@pytest.mark.parametrize(("task_id", "metric_id", "target", "comparison"), [
    ("2.2", "trien-khai-kh", 100, ">="),
    ("3.1", "ra-soat-tthc", 100, ">="),
    ("3.5", "cat-giam-tg", 30, ">="),
    ("7.1", "kh-cntt", 100, ">="),
    ("7.1", "thay-vb-giay", 100, ">="),
    ("7.1", "hop-thu-cong-vu", 100, ">="),
    ("8.1", "mot-cua", 100, ">="),
    ("8.1", "dung-han", 100, ">="),
    ("8.2", "buu-chinh", 10, ">"),
    ("8.3", "hai-long", 90, ">="),
])
def test_measurable_targets_are_metrics(plan: Plan, task_id: str, metric_id: str, target: float,
                                        comparison: str) -> None:
    metric = next(m for m in plan.task(task_id).metrics if m.id == metric_id)
    assert (metric.kind, metric.target, metric.comparison) == ("percent", target, comparison)


def test_postal_target_is_strictly_above_ten_percent(plan: Plan) -> None:
    metric = next(m for m in plan.task("8.2").metrics if m.id == "buu-chinh")
    assert not metric.is_met(10)
    assert metric.is_met(10.5)


def test_plan_context_matches_the_seed(plan: Plan) -> None:
    info = plan.plan
    assert info.issued_by == "Giám đốc Sở Giáo dục và Đào tạo"
    assert info.years == [2019, 2020]
    assert info.baseline is not None
    assert (info.baseline.year, info.baseline.score, info.baseline.rank, info.baseline.of) == (2018, 70.69, 15, 21)
    assert info.timezone == "Asia/Ho_Chi_Minh"
    assert info.shift == "previous"
    joined = "\n".join(info.references)
    for cited in ("787/QĐ-UBND", "588/QĐ-UBND", "24/CT-UBND", "877/QĐ-TTg", "3746/QĐ-UBND", "24/UBND-VP"):
        assert cited in joined


def test_ladder_is_the_default_written_out(plan: Plan, calendar: WorkCalendar) -> None:
    assert plan.plan.ladder == Ladder()
    occurrence = next(o for o in expand_plan(plan, calendar) if o.task_id == "7.2" and o.unit == "GDMN"
                      and o.deadline_id == "ket-qua" and o.period == "2019")
    rungs = {r.rung: r for r in plan_reminders(plan, occurrence, calendar)}
    assert rungs["due"].at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date() == date(2019, 11, 19)
    assert rungs["escalation-lead-3"].to == ("VP",)  # area 7 has no lead: the office is told
    assert rungs["escalation-leadership-7"].to == ("office",)  # mục III: "thông qua Văn phòng Sở"


def test_assumed_deadlines_carry_a_note(plan: Plan) -> None:
    specs = [*plan.plan.common_deadlines, *(s for t in plan.tasks for s in t.deadlines)]
    assumed = [s for s in specs if s.source == "assumed"]
    assert assumed
    for spec in assumed:
        assert spec.note and "giả định" in spec.note.lower(), spec.id


def test_assumed_deadlines_are_the_listed_ones(plan: Plan) -> None:
    assumed = sorted((t.id, s.id) for t in plan.tasks for s in t.deadlines if s.source == "assumed")
    assert assumed == sorted([
        ("1.1", "chuong-trinh"), ("1.1", "bc-quy1"), ("1.1", "bc-6thang"), ("1.1", "bc-quy3"), ("1.1", "bc-nam"),
        ("2.1", "ke-hoach"), ("2.2", "bc-6thang"), ("2.2", "bc-nam"), ("3.1", "ke-hoach"),
        ("4.2", "ke-hoach"), ("4.3", "bc-nam"), ("5.1.i", "bc-nam"), ("6.3", "bc-nam"),
        ("7.1", "ke-hoach"), ("8.4", "ke-hoach"),
    ])


def test_task_deadline_ids_do_not_shadow_the_common_deadline(plan: Plan) -> None:
    common = {s.id for s in plan.plan.common_deadlines}
    for task in plan.tasks:
        assert not common & {s.id for s in task.deadlines}, task.id


def test_occurrence_keys_are_unique(plan: Plan, calendar: WorkCalendar) -> None:
    keys = [o.key for o in expand_plan(plan, calendar)]
    assert len(keys) == len(set(keys))


def test_user_facing_texts_are_vietnamese_with_diacritics(plan: Plan) -> None:
    texts = [plan.plan.title, plan.plan.issued_by]
    texts += [u.name for u in plan.units] + [g.name for g in plan.groups] + [r.name for r in plan.roles]
    texts += [a.name for a in plan.areas]
    for task in plan.tasks:
        texts += [task.title, task.detail or "é", *task.evidence, *(m.name for m in task.metrics)]
        texts += [s.label for s in task.deadlines] + [s.lead_label for s in task.deadlines if s.lead_label]
    texts += [s.label for s in plan.plan.common_deadlines] + [s.office_label or "é" for s in plan.plan.common_deadlines]
    pure_ascii = [text for text in texts if _is_ascii(text)]
    assert pure_ascii == []


def test_evidence_is_listed_and_required_for_document_results(plan: Plan) -> None:
    for task in plan.tasks:
        assert task.evidence, task.id
    required = {t.id for t in plan.tasks if t.evidence_required}
    # Tasks whose result is a plan, report, decision or published document.
    assert {"1.1", "2.1", "2.2", "3.1", "4.2", "4.3", "5.1.i", "5.2", "6.3", "7.1", "8.4"} <= required
    assert not {"1.2", "3.3", "8.2", "8.3"} & required


# --- Issue 12: start, owners, internal report dates, fidelity -------------------------


def test_nothing_is_due_before_the_plan_starts(plan: Plan, calendar: WorkCalendar) -> None:
    start = plan.plan.start
    assert start is not None and start >= date(2019, 4, 26)
    assert plan.plan.start_note and "26/4/2019" in plan.plan.start_note
    occurrences = expand_plan(plan, calendar)
    assert min(o.due for o in occurrences) >= start
    # The Q1 2019 plans (2.1, 3.1, 4.2, 7.1, 8.4) and the Q1 2019 report fell before the plan existed.
    assert not [o for o in occurrences if o.period == "2019" and o.deadline_id in ("ke-hoach", "bc-quy1")]
    assert {o.task_id for o in occurrences if o.deadline_id == "ke-hoach" and o.period == "2020"} == {
        "2.1", "3.1", "4.2", "7.1", "8.4"}


@pytest.mark.parametrize("task_id", ["3.5", "7.1", "8.1", "8.2", "8.3", "8.4"])
def test_a_sở_wide_figure_or_a_single_plan_has_one_owner(plan: Plan, calendar: WorkCalendar,
                                                         task_id: str) -> None:
    task = plan.task(task_id)
    assert task.owners is not None and task.owners.source == "assumed" and task.owners.note
    per_deadline = Counter((o.deadline_id, o.period) for o in expand_task(plan, task, calendar))
    assert per_deadline and set(per_deadline.values()) == {1}, per_deadline


def test_the_office_is_not_asked_to_send_results_to_itself(plan: Plan, calendar: WorkCalendar) -> None:
    mine = [o for o in expand_plan(plan, calendar) if o.unit == "VP"]
    assert mine and not [o for o in mine if "về Văn phòng Sở" in o.label]
    results = [o for o in mine if o.deadline_id == "ket-qua"]
    assert results and all(o.label.startswith("Cập nhật kết quả thực hiện vào phần mềm") for o in results)
    # the seed's words ("đúng thời gian quy định"): no invented date, and a draft until the office sets it
    assert all("đúng thời gian quy định" in o.label and o.source == "assumed" for o in results)
    others = [o for o in expand_plan(plan, calendar) if o.deadline_id == "ket-qua" and o.unit != "VP"]
    assert others and all("về Văn phòng Sở" in o.label for o in others)


def test_departments_report_working_days_before_the_offices_own_deadline(
        plan: Plan, calendar: WorkCalendar) -> None:
    lead_days = plan.plan.internal_lead_days
    assert lead_days == 5 and plan.plan.internal_lead_note
    by_key = {(o.task_id, o.deadline_id, o.period, o.unit): o for o in expand_plan(plan, calendar)}
    office = by_key[("1.1", "bc-quy3", "2019", "VP")]
    assert office.due == date(2019, 9, 5) and "Sở Nội vụ" in office.label
    department = by_key[("1.1", "bc-quy3", "2019", "KHTC")]
    assert calendar.working_days_between(department.due, office.due) == lead_days
    assert "Văn phòng Sở" in department.label
    # 4.3: the departments' figures go to TCCB, which leads area 4.
    tccb, ttr = by_key[("4.3", "bc-nam", "2019", "TCCB")], by_key[("4.3", "bc-nam", "2019", "TTr")]
    assert calendar.working_days_between(ttr.due, tccb.due) == lead_days
    assert not [o for o in by_key.values() if o.due.day == 20 and o.deadline_id.startswith("bc-")
                and o.task_id == "1.1"], "the day-20 rule binds provinces, not departments"


def test_quarterly_reports_are_labelled_by_their_own_quarter(plan: Plan) -> None:
    labels = {s.id: s.label for s in plan.task("1.1").deadlines}
    assert "quý I " in labels["bc-quy1"] + " " and "quý III" not in labels["bc-quy1"]
    assert "quý III" in labels["bc-quy3"]
    assert not any("quý I và quý III" in label for label in labels.values())


def test_fidelity_points(plan: Plan) -> None:
    joined = "\n".join(plan.plan.references) + (plan.task("4.1").detail or "")
    assert "18-NQ/TW" in joined and "NQ-TW" not in joined
    metric = next(m for m in plan.task("2.2").metrics if m.id == "trien-khai-kh")
    assert "văn bản gốc" not in metric.name and metric.note and "trên 100%" in metric.note
    assert all(t.evidence_source == "assumed" for t in plan.tasks if t.evidence)


def test_owed_deadlines_per_unit_in_2019(plan: Plan, calendar: WorkCalendar) -> None:
    """Measured before issue 12: 313 deadlines in 2019, 225 of them the 20/11 one (TCCB 38, VP 15)."""
    in_2019 = [o for o in expand_plan(plan, calendar) if o.due.year == 2019]
    results = Counter(o.unit for o in in_2019 if o.deadline_id == "ket-qua")
    assert len(in_2019) == 241 and sum(results.values()) == 178
    assert (results["TCCB"], results["VP"], results["KHTC"], results["GDMN"], results["TTGDTX"]) == (
        32, 16, 18, 14, 8)


def test_every_task_names_its_place_in_the_plan_text(plan: Plan) -> None:
    refs = {t.id: t.ref for t in plan.tasks}
    assert all(r and r.startswith("mục II.") for r in refs.values())
    assert refs["5.2"] == "mục II.5.1, gạch đầu dòng thứ 2"  # the bot's 5.2 is the plan's 5.1, second bullet
    assert refs["5.1.c"] == "mục II.5.1, gạch đầu dòng thứ 1, nội dung thứ 3"
    assert refs["1.4"] == "mục II.1.1, gạch đầu dòng thứ 4"
