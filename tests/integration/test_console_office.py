"""The office's console, continued: drafts to confirm, the council stage, acting heads and extensions."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, CouncilItemRow, OccurrenceRow, ReminderRow, TaskRow
from tests.integration.console_world import World, load_criteria
from tests.integration.test_console import csrf_of, page, post, signed_in, site

__all__ = ["site"]


def _make_drafts(db: Engine, count: int = 3) -> list[int]:
    """Turn the TCCB's first open occurrences back into drafts (as an assumed plan date would be)."""
    with Session(db) as s, s.begin():
        ids = list(s.scalars(select(OccurrenceRow.id).where(OccurrenceRow.unit == "TCCB",
                                                            OccurrenceRow.status == "open")
                             .order_by(OccurrenceRow.due, OccurrenceRow.id).limit(count)))
        s.execute(update(OccurrenceRow).where(OccurrenceRow.id.in_(ids)).values(confirmed=False, source="assumed"))
        s.execute(update(TaskRow).where(TaskRow.id == "1.1").values(evidence_source="assumed",
                                                                   evidence_confirmed=False,
                                                                   evidence=["Kế hoạch CCHC năm"]))
    return ids


async def test_the_office_confirms_several_drafts_on_the_provinces_date(site: tuple, db: Engine) -> None:
    world, server = site
    ids = _make_drafts(db)
    client = await signed_in(world, server, "admin")
    status, html = await page(client, "/console/drafts")
    assert status == 200 and "Nội dung giả định chờ xác nhận" in html and f'value="{ids[0]}"' in html
    assert "Kế hoạch CCHC năm" in html
    status, html = await post(client, world, "/console/drafts/confirm",
                              [("csrf", csrf_of(html)), ("occ", str(ids[0])), ("occ", str(ids[1])),
                               ("due", "25/11/2019")])
    assert status == 200 and "Đã xác nhận 2 hạn giả định" in html, html[-2000:]
    with Session(db) as s:
        rows = {o.id: o for o in s.scalars(select(OccurrenceRow).where(OccurrenceRow.id.in_(ids)))}
        assert rows[ids[0]].confirmed and rows[ids[1]].confirmed and not rows[ids[2]].confirmed
        assert rows[ids[0]].due == rows[ids[1]].due == date(2019, 11, 25) == rows[ids[0]].due_set
        assert s.scalar(select(func.count()).select_from(AuditRow).where(
            AuditRow.action == "assumption_confirmed")) == 2
        assert s.scalar(select(func.count()).select_from(ReminderRow).where(
            ReminderRow.occurrence_id == ids[0], ReminderRow.state == "pending")) >= 1
    status, html = await post(client, world, "/console/drafts/confirm", [("csrf", csrf_of(html)),
                                                                       ("occ", str(ids[2]))])
    assert status == 200 and "Đã xác nhận 1 hạn giả định" in html
    status, html = await post(client, world, "/console/drafts/evidence", [("csrf", csrf_of(html)), ("task", "1.1")])
    assert status == 200 and "bắt buộc" in html
    with Session(db) as s:
        assert s.get(TaskRow, "1.1").evidence_confirmed  # type: ignore[union-attr]


async def test_nothing_ticked_or_a_bad_date_is_a_sentence_and_changes_nothing(site: tuple, db: Engine) -> None:
    world, server = site
    ids = _make_drafts(db, 1)
    client = await signed_in(world, server, "admin")
    _status, html = await page(client, "/console/drafts")
    status, said = await post(client, world, "/console/drafts/confirm", [("csrf", csrf_of(html))])
    assert status == 400 and "đánh dấu ít nhất một dòng" in said
    status, said = await post(client, world, "/console/drafts/confirm",
                              [("csrf", csrf_of(html)), ("occ", str(ids[0])), ("due", "31/02/2019")])
    assert status == 400 and "dd/mm/yyyy" in said
    with Session(db) as s:
        assert not s.get(OccurrenceRow, ids[0]).confirmed  # type: ignore[union-attr]


async def test_leadership_reads_the_drafts_but_cannot_confirm_and_a_forged_form_is_refused(site: tuple,
                                                                                          db: Engine) -> None:
    world, server = site
    ids = _make_drafts(db, 1)
    leader = await signed_in(world, server, "leader")
    status, html = await page(leader, "/console/drafts")
    assert status == 200 and "Nội dung giả định chờ xác nhận" in html and 'name="occ"' not in html
    status, _said = await post(leader, world, "/console/drafts/confirm", [("csrf", csrf_of(html)),
                                                                        ("occ", str(ids[0]))])
    assert status == 403
    head = await signed_in(world, server, "TCCB")
    status, _said = await page(head, "/console/drafts")
    assert status == 403
    admin = await signed_in(world, server, "admin")
    status, _said = await post(admin, world, "/console/drafts/confirm", [("csrf", "forged"), ("occ", str(ids[0]))])
    assert status == 403
    with Session(db) as s:
        assert not s.get(OccurrenceRow, ids[0]).confirmed  # type: ignore[union-attr]
    for client in (leader, head, admin):
        await client.close()


def _after_20_11(world: World) -> None:
    world.clock.set(datetime(2019, 11, 25, 2, 0, tzinfo=UTC))  # Monday 25/11/2019, the council's review


async def test_a_council_question_becomes_a_short_task_for_the_unit_and_is_listed_with_its_state(
        site: tuple, db: Engine) -> None:
    world, server = site
    ids = load_criteria(db)
    client = await signed_in(world, server, "admin")
    status, html = await page(client, f"/console/council?criterion={ids['1.1.1']}")
    assert status == 200 and "Giai đoạn thẩm định" in html and f'<option value="{ids["1.1.1"]}" selected' in html
    form = [("csrf", csrf_of(html)), ("criterion", str(ids["1.1.1"])), ("kind", "question"),
            ("text", "Kế hoạch ban hành chậm, đề nghị giải trình"), ("unit", "TCCB"), ("days", "2")]
    status, said = await post(client, world, "/console/council/item", form)
    assert status == 400 and "20/11" in said  # before the council's stage: nothing recorded
    await client.close()
    _after_20_11(world)
    client = await signed_in(world, server, "admin")  # a session lasts hours, not the two weeks gone by
    _status, html = await page(client, "/console/council")
    form[0] = ("csrf", csrf_of(html))
    status, html = await post(client, world, "/console/council/item", form)
    assert status == 200 and "đơn vị TCCB giải trình trước ngày 27/11/2019" in html, html[-1500:]
    assert "chờ đơn vị giải trình" in html and "Kế hoạch ban hành chậm" in html
    token = csrf_of(html)
    deduction = [("csrf", token), ("criterion", str(ids["2.1"])), ("kind", "deduction"),
                 ("text", "Thiếu công khai 2 thủ tục"), ("days", "3")]
    status, said = await post(client, world, "/console/council/item", [*deduction, ("points", "9")])
    assert status == 400 and "từ 0 đến 8" in said
    status, html = await post(client, world, "/console/council/item", [*deduction, ("points", "0,5")])
    assert status == 200 and "đơn vị VP giải trình trước ngày 28/11/2019" in html, html[-1500:]
    with Session(db) as s:
        items = list(s.scalars(select(CouncilItemRow).order_by(CouncilItemRow.id)))
        assert [(i.kind, i.unit, i.points) for i in items] == [("question", "TCCB", None), ("deduction", "VP", 0.5)]
        occ = s.get(OccurrenceRow, items[0].occurrence_id)
        assert occ is not None and occ.unit == "TCCB" and occ.due == date(2019, 11, 27)
        assert s.scalar(select(func.count()).select_from(AuditRow).where(
            AuditRow.action == "council_item_recorded")) == 2
    await client.close()


async def test_survey_reminders_go_to_the_ticked_units(site: tuple, db: Engine) -> None:
    world, server = site
    load_criteria(db)
    _after_20_11(world)
    client = await signed_in(world, server, "admin")
    _status, html = await page(client, "/console/council")
    assert "1.1.2" in html  # the survey criterion is named
    status, said = await post(client, world, "/console/council/survey",
                              [("csrf", csrf_of(html)), ("until", "05/12/2019")])
    assert status == 400 and "đánh dấu ít nhất một dòng" in said
    status, html = await post(client, world, "/console/council/survey",
                              [("csrf", csrf_of(html)), ("unit", "TCCB"), ("unit", "KHTC"), ("until", "05/12/2019")])
    assert status == 200 and "Đã nhắc 2 đơn vị" in html, html[-1500:]
    with Session(db) as s:
        audit_row = s.scalars(select(AuditRow).where(AuditRow.action == "survey_reminded")).one()
        assert audit_row.details["units"] == ["TCCB", "KHTC"]  # type: ignore[index]
    await client.close()


async def test_leadership_reads_the_council_items_but_records_nothing_and_a_forged_form_is_refused(
        site: tuple, db: Engine) -> None:
    world, server = site
    ids = load_criteria(db)
    _after_20_11(world)
    leader = await signed_in(world, server, "leader")
    status, html = await page(leader, "/console/council")
    assert status == 200 and "Nội dung Hội đồng nêu" in html and 'action="/console/council/item"' not in html
    form = [("csrf", csrf_of(html)), ("criterion", str(ids["2.1"])), ("kind", "question"), ("text", "Hỏi")]
    status, _said = await post(leader, world, "/console/council/item", form)
    assert status == 403
    head = await signed_in(world, server, "TCCB")
    assert (await page(head, "/console/council"))[0] == 403
    admin = await signed_in(world, server, "admin")
    status, _said = await post(admin, world, "/console/council/item", [("csrf", "forged"), *form[1:]])
    assert status == 403
    with Session(db) as s:
        assert s.scalar(select(func.count()).select_from(CouncilItemRow)) == 0
    for client in (leader, head, admin):
        await client.close()
