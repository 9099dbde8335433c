"""The office's console, continued: drafts to confirm, the council stage, acting heads and extensions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp
import yaml
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.members import ensure_member
from bot.db.models import (
    ActingHeadRow,
    AuditRow,
    CouncilItemRow,
    ExtensionRow,
    MemberRow,
    OccurrenceRow,
    ReminderRow,
    TaskRow,
    UnitRow,
)
from bot.services import delegation
from bot.services.access import load_actor
from bot.services.tasks import Event
from tests.integration.console_world import HEAD, T0, World, load_criteria
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


STAFF_CHAT = 40


def _deputy(db: Engine) -> int:
    """A deputy of TCCB, invited as the unit's staff."""
    return ensure_member(db, T0, chat_id=STAFF_CHAT, user_id=STAFF_CHAT, role="staff", unit="TCCB",
                         name="Đỗ Thị Hoa")


async def test_the_office_sets_an_acting_head_for_a_date_range_and_cancels_it(site: tuple, db: Engine) -> None:
    world, server = site
    deputy = _deputy(db)
    client = await signed_in(world, server, "admin")
    status, html = await page(client, "/console/people")
    assert status == 200 and f'<option value="{deputy}">' in html and "Đỗ Thị Hoa" in html
    token = csrf_of(html)
    status, said = await post(client, world, "/console/people/acting",
                              {"csrf": token, "member": deputy, "starts": "20/11/2019", "ends": "13/11/2019"})
    assert status == 400 and "trước ngày bắt đầu" in said
    status, said = await post(client, world, "/console/people/acting",
                              {"csrf": token, "member": world.members["leader"], "starts": "13/11/2019",
                               "ends": "20/11/2019"})
    assert status == 400 and "không phải thành viên" in said
    status, html = await post(client, world, "/console/people/acting",
                              {"csrf": token, "member": deputy, "starts": "13/11/2019", "ends": "20/11/2019"})
    assert status == 200 and "Đỗ Thị Hoa" in html and "13/11/2019" in html, html[-1500:]
    with Session(db) as s:
        row = s.scalars(select(ActingHeadRow)).one()
        assert (row.unit, row.member_id, row.starts, row.ends) == ("TCCB", deputy, date(2019, 11, 13),
                                                                    date(2019, 11, 20))
        assert delegation.acting_units(s, (deputy,), date(2019, 11, 14)) == {"TCCB"}
        assert delegation.acting_units(s, (deputy,), date(2019, 11, 21)) == frozenset()
    status, html = await post(client, world, f"/console/people/acting/{row.id}/cancel", {"csrf": token})
    assert status == 200 and "đã hủy" in html.lower(), html[-1500:]
    status, said = await post(client, world, f"/console/people/acting/{row.id}/cancel", {"csrf": token})
    assert status == 400
    with Session(db) as s:
        assert delegation.acting_units(s, (deputy,), date(2019, 11, 14)) == frozenset()
        actions = list(s.scalars(select(AuditRow.action).where(AuditRow.action.like("acting_head_%"))
                                 .order_by(AuditRow.id)))
        assert actions == ["acting_head_set", "acting_head_cancelled"]
    await client.close()


async def test_only_the_office_sets_an_acting_head_and_a_forged_form_is_refused(site: tuple, db: Engine) -> None:
    world, server = site
    deputy = _deputy(db)
    form = {"member": deputy, "starts": "13/11/2019", "ends": "20/11/2019"}
    leader = await signed_in(world, server, "leader")
    _status, html = await page(leader, "/console/")
    assert (await post(leader, world, "/console/people/acting", {**form, "csrf": csrf_of(html)}))[0] == 403
    head = await signed_in(world, server, "TCCB")
    _status, html = await page(head, "/console/")
    assert (await post(head, world, "/console/people/acting", {**form, "csrf": csrf_of(html)}))[0] == 403
    admin = await signed_in(world, server, "admin")
    assert (await post(admin, world, "/console/people/acting", {**form, "csrf": "forged"}))[0] == 403
    _status, html = await page(admin, "/console/people")
    assert (await post(admin, world, "/console/people/acting", {**form, "csrf": csrf_of(html)},
                       origin="http://evil.example"))[0] == 403
    with Session(db) as s:
        assert s.scalar(select(func.count()).select_from(ActingHeadRow)) == 0
    for client in (leader, head, admin):
        await client.close()


def _ask_for_more_time(db: Engine, days: int = 10) -> tuple[int, int, date]:
    """TCCB's head asks for `days` more on its first open item: (extension id, occurrence id, old due)."""
    with Session(db) as s, s.begin():
        actor = load_actor(s, HEAD, HEAD)
        occ = s.scalars(select(OccurrenceRow).where(OccurrenceRow.unit == "TCCB", OccurrenceRow.status == "open")
                        .order_by(OccurrenceRow.due, OccurrenceRow.id)).first()
        assert occ is not None
        row = delegation.request_extension(s, actor, occ.id, occ.due + timedelta(days=days),
                                           "Chờ số liệu của các trường", Event(T0))
        return row.id, occ.id, occ.due


async def test_the_office_grants_one_request_for_more_time_and_refuses_another(site: tuple, db: Engine) -> None:
    world, server = site
    asked, occ_id, old_due = _ask_for_more_time(db)
    client = await signed_in(world, server, "admin")
    status, html = await page(client, "/console/extensions")
    assert status == 200 and "Chờ số liệu của các trường" in html and f'id="grant-{asked}"' in html
    status, html = await post(client, world, f"/console/extensions/{asked}/grant",
                              {"csrf": csrf_of(html), "answer": "Đồng ý, đề nghị gửi đúng hạn mới"})
    wanted = old_due + timedelta(days=10)
    assert status == 200 and wanted.strftime("%d/%m/%Y") in html, html[-1500:]
    status, said = await post(client, world, f"/console/extensions/{asked}/refuse", {"csrf": csrf_of(html)})
    assert status == 400 and "Đề nghị này đã được" in said
    with Session(db) as s:
        occ = s.get(OccurrenceRow, occ_id)
        assert occ is not None and occ.due == wanted
        extension = s.get(ExtensionRow, asked)
        assert extension is not None and extension.decision == "granted"
        assert extension.answer == "Đồng ý, đề nghị gửi đúng hạn mới"
    again, _occ, due_now = _ask_for_more_time(db, 5)
    status, html = await post(client, world, f"/console/extensions/{again}/refuse", {"csrf": csrf_of(html)})
    assert status == 200 and due_now.strftime("%d/%m/%Y") in html
    with Session(db) as s:
        assert s.get(OccurrenceRow, occ_id).due == wanted  # type: ignore[union-attr]
        actions = list(s.scalars(select(AuditRow.action).where(AuditRow.action.in_(
            ("extension_granted", "extension_refused"))).order_by(AuditRow.id)))
        assert actions == ["extension_granted", "extension_refused"]
    await client.close()


async def test_leadership_cannot_decide_a_request_for_more_time_nor_can_a_forged_form(site: tuple,
                                                                                     db: Engine) -> None:
    world, server = site
    asked, _occ, _due = _ask_for_more_time(db)
    leader = await signed_in(world, server, "leader")
    status, html = await page(leader, "/console/extensions")
    assert status == 403
    assert (await post(leader, world, f"/console/extensions/{asked}/grant", {"csrf": csrf_of(html)}))[0] == 403
    admin = await signed_in(world, server, "admin")
    assert (await post(admin, world, f"/console/extensions/{asked}/grant", {"csrf": "forged"}))[0] == 403
    with Session(db) as s:
        assert s.get(ExtensionRow, asked).decision is None  # type: ignore[union-attr]
    for client in (leader, admin):
        await client.close()


async def test_the_office_adds_and_renames_a_unit_and_merges_one_after_seeing_what_moves(site: tuple,
                                                                                        db: Engine) -> None:
    world, server = site
    client = await signed_in(world, server, "admin")
    status, html = await page(client, "/console/units")
    assert status == 200 and "Hợp nhất đơn vị" in html
    token = csrf_of(html)
    status, html = await post(client, world, "/console/units/add", {"csrf": token, "code": "THPTNK",
                                                                   "name": "Trường THPT Năng khiếu"})
    assert status == 200 and "Đã thêm đơn vị THPTNK" in html
    status, said = await post(client, world, "/console/units/add", {"csrf": token, "code": "THPT NK", "name": "x"})
    assert status == 400 and "không phải mã đơn vị hợp lệ" in said
    status, html = await post(client, world, "/console/units/THPTNK/rename",
                              {"csrf": token, "name": "Trường THPT Năng khiếu tỉnh"})
    assert status == 200 and "Trường THPT Năng khiếu tỉnh" in html
    status, said = await post(client, world, "/console/units/merge", {"csrf": token, "source": "KHTC",
                                                                     "target": "TCCB"})
    assert status == 400 and "Kế hoạch vẫn còn đơn vị KHTC" in said
    with Session(db) as s, s.begin():  # a member of the school the office added, to move with it
        s.add(MemberRow(chat_id=77, user_id=77, role="head", unit="THPTNK", name="Hồ Văn Nam", active=True,
                        created_at=T0))
    status, html = await post(client, world, "/console/units/merge", {"csrf": token, "source": "THPTNK",
                                                                     "target": "TCCB"})
    assert status == 200 and "Hợp nhất THPTNK vào TCCB?" in html and "1 thành viên" in html
    with Session(db) as s:
        assert not s.get(UnitRow, "THPTNK").retired  # type: ignore[union-attr]  # only shown, nothing stored
    status, html = await post(client, world, "/console/units/merge", {"csrf": token, "source": "THPTNK",
                                                                     "target": "TCCB", "confirm": "1"})
    assert status == 200 and "Đã hợp nhất THPTNK vào TCCB" in html
    with Session(db) as s:
        assert s.get(UnitRow, "THPTNK").retired  # type: ignore[union-attr]
        assert s.scalars(select(MemberRow).where(MemberRow.chat_id == 77)).one().unit == "TCCB"
        actions = list(s.scalars(select(AuditRow.action).where(AuditRow.action.like("unit%")).order_by(AuditRow.id)))
        assert actions == ["unit_added", "unit_renamed", "units_merged"]
    await client.close()


async def test_only_the_office_manages_units_and_a_forged_form_is_refused(site: tuple, db: Engine) -> None:
    world, server = site
    leader = await signed_in(world, server, "leader")
    status, html = await page(leader, "/console/units")
    assert status == 403
    _status, html = await page(leader, "/console/")
    assert (await post(leader, world, "/console/units/add", {"csrf": csrf_of(html), "code": "X1",
                                                             "name": "X"}))[0] == 403
    admin = await signed_in(world, server, "admin")
    assert (await post(admin, world, "/console/units/add", {"csrf": "forged", "code": "X1", "name": "X"}))[0] == 403
    assert (await post(admin, world, "/console/units/TCCB/rename", {"csrf": "forged", "name": "X"}))[0] == 403
    with Session(db) as s:
        assert s.get(UnitRow, "X1") is None
        assert s.get(UnitRow, "TCCB").name == "Phòng Tổ chức cán bộ"  # type: ignore[union-attr]
    for client in (leader, admin):
        await client.close()


ROOT = Path(__file__).resolve().parents[2]


async def test_the_office_rolls_a_plan_to_2026_and_sees_the_terms_no_longer_in_force(site: tuple, db: Engine) -> None:
    world, server = site
    client = await signed_in(world, server, "admin")
    _status, html = await page(client, "/console/plan")
    token = csrf_of(html)
    plan = (ROOT / "schedules" / "cchc-2019-2020.yaml").read_bytes()

    def form(year: str, how: str = "show", data: bytes = plan, name: str = "cchc-2019-2020.yaml") -> aiohttp.FormData:
        sent = aiohttp.FormData()
        sent.add_field("csrf", token)
        sent.add_field("year", year)
        sent.add_field("how", how)
        sent.add_field("file", data, filename=name, content_type="application/x-yaml")
        return sent

    status, html = await post(client, world, "/console/plan/roll", form("2026"))  # type: ignore[arg-type]
    assert status == 200 and "sang năm 2026" in html and "Thanh tra Sở" in html and 'id="stale"' in html, html[-800:]
    async with client.post("/console/plan/roll", data=form("2026", "download"),
                            headers={"Origin": world.base}) as response:
        assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
        rolled = yaml.safe_load(await response.text())
        assert rolled["plan"]["years"] == [2026, 2027]
    status, said = await post(client, world, "/console/plan/roll", form("26"))  # type: ignore[arg-type]
    assert status == 400 and "bốn chữ số" in said
    status, said = await post(client, world, "/console/plan/roll",
                              form("2026", data=b"plan: [", name="hong.yaml"))  # type: ignore[arg-type]
    assert status == 400 and "hong.yaml" in said and "Traceback" not in said
    with Session(db) as s:
        assert s.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.action == "plan_rolled")) == 2
    leader = await signed_in(world, server, "leader")
    _status, html = await page(leader, "/console/")
    token = csrf_of(html)
    assert (await post(leader, world, "/console/plan/roll", form("2026")))[0] == 403  # type: ignore[arg-type]
    token = "forged"
    assert (await post(client, world, "/console/plan/roll", form("2026")))[0] == 403  # type: ignore[arg-type]
    for each in (client, leader):
        await each.close()
