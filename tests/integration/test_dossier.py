"""The dossier on SQLite and PostgreSQL: criteria file format 2, the tree and its edits, per-criterion facts,
the overview, review warnings and decisions on several reviews at once."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.members import ensure_member
from bot.db.models import AuditRow, OccurrenceRow, ReviewRow
from bot.domain.workdays import WorkCalendar
from bot.dossier import checks, documents, editing, facts, overview, tree
from bot.dossier.criteria_file import CriteriaFileError, parse_criteria_file
from bot.engine.sync import sync_plan
from bot.i18n import language
from bot.plans.loader import parse_plan
from bot.services import criteria, par, tasks
from bot.services.access import Refused, load_actor
from bot.services.tasks import Event
from tests.conftest import MINI_PLAN

NOW = datetime(2019, 11, 21, 2, 0, tzinfo=timezone.utc)
TODAY = date(2019, 11, 21)
ADMIN, TCCB, KHTC, LEADER = 1, 20, 30, 40
CRITERIA = (Path(__file__).parents[1] / "data" / "criteria-2019-tree.yaml").read_text(encoding="utf-8")


def act(db: Engine, user: int, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with Session(db, expire_on_commit=False) as s, s.begin():
        return fn(s, load_actor(s, user, user), *args, **kwargs)


@pytest.fixture
def world(db: Engine, tmp_path: Path) -> dict[str, int]:
    """The mini plan, the 2019 criteria tree; TCCB sent a described plan and asked for review; KHTC sent a
    document carrying the same số/ký hiệu, undated."""
    sync_plan(db, parse_plan(MINI_PLAN.read_text(encoding="utf-8"), "mini.yaml"), WorkCalendar(), NOW)
    ensure_member(db, NOW, chat_id=TCCB, user_id=TCCB, role="head", unit="TCCB", name="Trần Thị Bình")
    ensure_member(db, NOW, chat_id=KHTC, user_id=KHTC, role="head", unit="KHTC", name="Lê Văn Cường")
    ensure_member(db, NOW, chat_id=ADMIN, user_id=ADMIN, role="admin", unit="VP", name="Chánh Văn phòng")
    ensure_member(db, NOW, chat_id=LEADER, user_id=LEADER, role="leader", name="Giám đốc")
    ev = Event(NOW)
    with Session(db, expire_on_commit=False) as s, s.begin():
        loaded = tree.load_file(s, parse_criteria_file(CRITERIA), NOW, source="criteria-2019.yaml")
        ids = {"set": loaded.set_id}
        for key, unit in (("tccb", "TCCB"), ("khtc", "KHTC")):
            ids[key] = s.scalar(select(OccurrenceRow.id).where(OccurrenceRow.key == f"1.1/ket-qua/{unit}/2019"))
        head = load_actor(s, TCCB, TCCB)
        ids["pdf"] = tasks.add_evidence(s, head, ids["tccb"], ev, kind="document", file_name="Kế hoạch CCHC.pdf",
                                        size=17, stored_path=str(tmp_path / "kh.pdf")).id
        par.set_document_meta(s, head, ids["pdf"], par.parse_meta_line(
            "123/KH-SGDĐT; 05/03/2019; Kế hoạch CCHC năm 2019; Sở GDĐT", TODAY), ev)
        ids["review"] = tasks.confirm_done(s, head, ids["tccb"], ev).id
        other = load_actor(s, KHTC, KHTC)
        ids["copy"] = tasks.add_evidence(s, other, ids["khtc"], ev, kind="document", file_name="KH.pdf", size=9).id
        par.set_document_meta(s, other, ids["copy"], par.DocumentMeta(number="123/kh-sgdđt"), ev)
        ids["copy_review"] = tasks.confirm_done(s, other, ids["khtc"], ev).id
        ids.update({code: cid for cid, code in [(n.id, n.code) for n in tree.tree(s)[1]]})
    return ids


def test_format_2_loads_a_tree_with_its_set_links_and_last_year(db: Engine, world: dict[str, int]) -> None:
    with Session(db) as s:
        crit_set, nodes = tree.tree(s)
        assert (crit_set.year, crit_set.total_points, crit_set.last_points, crit_set.last_rank, crit_set.last_of) \
            == (2019, 12, 70.69, 15, 21)
        assert [(n.code, n.depth, n.level) for n in nodes] == [
            ("1", 0, "linh_vuc"), ("1.1", 1, "tieu_chi"), ("1.1.1", 2, "tieu_chi_thanh_phan"),
            ("1.1.2", 2, "tieu_chi_thanh_phan"), ("2", 0, "linh_vuc"), ("2.1", 1, "tieu_chi")]
        sub = nodes[2]
        assert (sub.tasks, sub.units, sub.method, sub.survey, nodes[3].survey) == (
            ("1.1",), ("KHTC", "TCCB"), "Ban hành đúng thời hạn: 1 điểm; chậm: 0,5", False, True)
        assert tree.criteria_of_task(s, "1.1") == [(world["1.1.1"], "1.1.1", 2019)]


def test_every_problem_of_a_bad_file_is_listed_in_vietnamese_and_nothing_is_loaded() -> None:
    bad = CRITERIA.replace('parent: "1.1"\n    name: "Ban hành', 'parent: "9"\n    name: "Ban hành') \
        .replace("total_points: 12", "total_points: 100") \
        .replace('level: tieu_chi, parent: "2"', 'level: tieu_chi_thanh_phan, parent: "2"')
    with language("vi"), pytest.raises(CriteriaFileError) as caught:
        parse_criteria_file(bad, "bad.yaml")
    problems = caught.value.problems
    assert len(problems) == 3, problems
    assert any("1.1.1" in p and "9" in p for p in problems)
    assert any("2.1" in p for p in problems)
    assert any("100" in p for p in problems)
    assert all(any(ch in p for ch in "ạảấầẩậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ") for p in problems), problems


def test_a_sum_that_differs_is_a_warning_and_the_old_list_still_loads(db: Engine) -> None:
    parsed = parse_criteria_file(CRITERIA.replace('name: "Kế hoạch CCHC", max_points: 4',
                                                  'name: "Kế hoạch CCHC", max_points: 5')
                                 .replace("total_points: 12", "total_points: 13")
                                 .replace('name: "Công tác chỉ đạo, điều hành CCHC", max_points: 4',
                                          'name: "Công tác chỉ đạo, điều hành CCHC", max_points: 5'))
    assert len(parsed.warnings) == 1 and "1.1" in parsed.warnings[0]
    old = parse_criteria_file('- {code: "TC1", name: Kế hoạch, max_points: 2, tasks: ["1.1"]}\n')
    with Session(db) as s, s.begin():
        result = tree.load_file(s, old, NOW, year=2020)
        assert (result.year, result.loaded) == (2020, 1)
        assert [n.code for n in tree.tree(s)[1]] == ["TC1"]


def test_edits_are_the_office_s_and_audited(db: Engine, world: dict[str, int]) -> None:
    ev = Event(NOW)
    with pytest.raises(Refused):
        act(db, TCCB, editing.rename_criterion, world["1.1.1"], "Khác", ev)
    new = act(db, ADMIN, editing.add_criterion, world["set"], "1.1.3", "Báo cáo CCHC", "1,5",
              "tieu_chi_thanh_phan", world["1.1"], ev)
    act(db, ADMIN, editing.rename_criterion, new, "Báo cáo CCHC định kỳ", ev)
    act(db, ADMIN, editing.set_max_points, new, "1,25", ev)
    act(db, ADMIN, editing.link_task, new, "1.1", ev)
    act(db, ADMIN, editing.link_unit, new, "VP", ev)
    act(db, ADMIN, editing.unlink_unit, world["1.1.1"], "KHTC", ev)
    with pytest.raises(Refused) as taken:
        act(db, ADMIN, editing.add_criterion, world["set"], "1.1.3", "Trùng", 1, "tieu_chi_thanh_phan",
            world["1.1"], ev)
    assert taken.value.key == "criterion_code_taken"
    with pytest.raises(Refused):
        act(db, ADMIN, editing.add_criterion, world["set"], "9", "Sai cấp", 1, "tieu_chi_thanh_phan", None, ev)
    with Session(db) as s:
        nodes = tree.tree(s)[1]
        assert [n.code for n in nodes] == ["1", "1.1", "1.1.1", "1.1.2", "1.1.3", "2", "2.1"]
        added = nodes[4]
        assert (added.name, added.max_points, added.tasks, added.units) == ("Báo cáo CCHC định kỳ", 1.25, ("1.1",),
                                                                             ("VP",))
        assert nodes[2].units == ("TCCB",)
        admin = load_actor(s, ADMIN, ADMIN).member_id
        actions = list(s.scalars(select(AuditRow.action).where(AuditRow.actor == f"member:{admin}")))
        assert {"criterion_added", "criterion_renamed", "criterion_max_set", "criterion_task_linked",
                "criterion_unit_linked", "criterion_unit_unlinked"} <= set(actions)


def test_a_criterion_s_page_has_units_documents_score_and_what_is_missing(db: Engine, world: dict[str, int]) -> None:
    ev = Event(NOW)
    act(db, ADMIN, documents.link_document, world["1.1.1"], evidence_id=world["pdf"], section="Mục II, trang 3",
        ev=ev)
    act(db, ADMIN, documents.link_document, world["2.1"], evidence_id=world["pdf"], section="Mục III", ev=ev)
    office = act(db, ADMIN, documents.attach_office_document, world["2.1"], "QD.pdf", None, 10, None,
                 par.DocumentMeta("45/QĐ-SGDĐT", date(2019, 2, 1), "Quyết định công bố TTHC", "Sở GDĐT"), "Điều 1",
                 ev)
    with Session(db, expire_on_commit=False) as s, s.begin():
        criteria.record_self_score(s, load_actor(s, ADMIN, ADMIN), "1.1.1", "1,5", "Ban hành chậm", ev)
    page = act(db, LEADER, facts.criterion_dossier, world["1.1.1"], TODAY)
    assert (page.code, page.parent_code, page.tasks[0][0]) == ("1.1.1", "1.1", "1.1")
    pdf = next(d for d in page.documents if d.evidence_id == world["pdf"])
    assert (pdf.via, pdf.unit, pdf.number, pdf.issued_on, pdf.summary, pdf.issuer, pdf.section, pdf.status) == (
        "task", "TCCB", "123/KH-SGDĐT", date(2019, 3, 5), "Kế hoạch CCHC năm 2019", "Sở GDĐT", "Mục II, trang 3",
        "awaiting_review")
    tccb = next(u for u in page.units if u.unit == "TCCB")  # two quarterly reports of 2019 never sent
    assert (tccb.state, tccb.occurrences, tccb.overdue, tccb.documents, tccb.next_due) == (
        "overdue", 3, 2, 1, date(2019, 3, 20))
    assert page.score is not None and (page.score.score, page.score.explanation) == (1.5, "Ban hành chậm")
    assert ("undescribed", "KHTC") in {(m.kind, m.unit) for m in page.missing}
    # the same document proves 2.1 too, uploaded once; with the office's own decision
    other = act(db, ADMIN, facts.criterion_dossier, world["2.1"], TODAY)
    assert [(d.via, d.evidence_id, d.office_document_id, d.section) for d in other.documents] == [
        ("link", world["pdf"], None, "Mục III"), ("office", None, office, "Điều 1")]
    assert [(m.unit, m.kind) for m in other.missing] == [("VP", "no_task")]
    assert act(db, LEADER, documents.office_document_file, office).file_name == "QD.pdf"
    with pytest.raises(Refused):
        act(db, TCCB, documents.office_document_file, office)
    act(db, ADMIN, documents.leave_out_document, world["2.1"], evidence_id=world["pdf"], ev=ev)
    assert [d.office_document_id for d in act(db, ADMIN, facts.criterion_dossier, world["2.1"], TODAY).documents] \
        == [office]
    with pytest.raises(Refused):
        act(db, TCCB, facts.criterion_dossier, world["1.1.1"], TODAY)


def test_the_overview_adds_self_scores_per_area_and_puts_risks_first(db: Engine, world: dict[str, int]) -> None:
    ev = Event(NOW)
    with Session(db, expire_on_commit=False) as s, s.begin():
        admin = load_actor(s, ADMIN, ADMIN)
        criteria.record_self_score(s, admin, "1.1.1", "1,5", "Ban hành chậm", ev)
        criteria.record_self_score(s, admin, "1.1.2", "2", "", ev)
    view = act(db, LEADER, overview.overview, TODAY)
    assert [(a.code, a.max_points, a.score, a.scored, a.leaves) for a in view.areas] == [
        ("1", 4, 3.5, 2, 2), ("2", 8, 0, 0, 1)]
    assert (view.total_max, view.total_score, view.last_points, view.last_rank, view.last_of) == (12, 3.5, 70.69,
                                                                                                   15, 21)
    assert [(r.code, r.reasons, r.documents) for r in view.at_risk] == [
        ("2.1", ("no_evidence",), 0), ("1.1.1", ("overdue",), 2)]  # the survey row 1.1.2 is never at risk
    act(db, ADMIN, checks.decide_many, [world["copy_review"]], False, "Thiếu ngày ban hành", Event(NOW))
    view = act(db, LEADER, overview.overview, TODAY)
    assert [(r.code, r.reasons) for r in view.at_risk] == [("1.1.1", ("returned", "overdue")),
                                                           ("2.1", ("no_evidence",))]


def test_review_warnings_name_the_period_the_number_and_the_copy_from_another_unit(
        db: Engine, world: dict[str, int]) -> None:
    with Session(db, expire_on_commit=False) as s, s.begin():
        head = load_actor(s, TCCB, TCCB)
        odd = tasks.add_evidence(s, head, world["tccb"], Event(NOW), kind="document", file_name="cu.pdf", size=1)
    with Session(db, expire_on_commit=False) as s, s.begin():
        row = s.get(type(odd), odd.id)
        row.doc_number, row.doc_date = "so 5 ngay 3", date(2018, 12, 30)
    found = act(db, ADMIN, checks.review_warnings, world["review"])
    assert {(w.evidence_id, w.kind) for w in found} == {(odd.id, "outside_period"), (odd.id, "number_malformed")}
    outside = next(w for w in found if w.kind == "outside_period")
    assert outside.period == (date(2019, 1, 1), date(2019, 12, 31))
    copy = act(db, ADMIN, checks.review_warnings, world["copy_review"])
    assert {w.kind for w in copy} == {"date_missing", "duplicate_number"}
    dup = next(w for w in copy if w.kind == "duplicate_number")
    assert dup.existing is not None and (dup.existing.evidence_id, dup.existing.unit) == (world["pdf"], "TCCB")
    with pytest.raises(Refused):
        act(db, TCCB, checks.review_warnings, world["review"])


def test_several_reviews_are_decided_at_once_for_one_unit_only(db: Engine, world: dict[str, int]) -> None:
    with pytest.raises(Refused) as mixed:
        act(db, ADMIN, checks.decide_many, [world["review"], world["copy_review"]], True, "", Event(NOW))
    assert mixed.value.key == "reviews_of_one_unit"
    with Session(db) as s:
        assert s.scalars(select(ReviewRow.decision)).all() == [None, None]
    done = act(db, ADMIN, checks.decide_many, [world["review"]], True, "", Event(NOW))
    assert (done.unit, done.decision, done.occurrence_ids) == ("TCCB", "accepted", (world["tccb"],))
    with Session(db) as s:
        assert s.get(OccurrenceRow, world["tccb"]).status == "done"
        assert s.scalar(select(AuditRow.action).where(AuditRow.action == "review_accepted")) == "review_accepted"


def test_an_uploaded_file_a_set_s_period_and_scores_by_id(db: Engine, world: dict[str, int]) -> None:
    ev = Event(NOW)
    with pytest.raises(Refused):
        act(db, TCCB, editing.import_criteria, CRITERIA.replace("2019", "2020"), "tc-2020.yaml", ev)
    loaded = act(db, ADMIN, editing.import_criteria, CRITERIA.replace("year: 2019", "year: 2020"), "tc-2020.yaml", ev)
    assert (loaded.year, loaded.loaded) != (2019, 0) and loaded.year == 2020
    with pytest.raises(CriteriaFileError):
        act(db, ADMIN, editing.import_criteria, "format: 2\nset: {year: 2021}\ncriteria: []\n", "x.yaml", ev)
    # /tucham scores the current set (2020); the console scores any set's row by id
    with Session(db, expire_on_commit=False) as s, s.begin():
        criteria.record_self_score(s, load_actor(s, ADMIN, ADMIN), "1.1.1", "2", "", ev)
    act(db, ADMIN, editing.record_score, world["1.1.1"], "1", "Chậm", ev)
    with pytest.raises(Refused) as parent:
        act(db, ADMIN, editing.record_score, world["1.1"], "3", "x", ev)
    assert parent.value.key == "score_on_parent"
    assert act(db, LEADER, facts.criterion_dossier, world["1.1.1"], TODAY).score.score == 1.0
    assert act(db, LEADER, overview.overview, TODAY).total_score == 2.0  # 2020's 1.1.1
    assert act(db, LEADER, overview.overview, TODAY, world["set"]).total_score == 1.0
    updated = act(db, ADMIN, editing.update_set, world["set"], ev, period=(date(2018, 10, 1), date(2019, 9, 30)),
                  last_year=(70.69, 15, 21))
    assert (updated.period_start, updated.last_rank) == (date(2018, 10, 1), 15)
    with pytest.raises(Refused):
        act(db, ADMIN, editing.update_set, world["set"], ev, last_year=(70.0, 22, 21))
    found = act(db, ADMIN, checks.review_warnings, world["review"])  # 05/03/2019 is inside the new period
    assert "outside_period" not in {w.kind for w in found}
