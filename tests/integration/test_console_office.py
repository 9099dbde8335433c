"""The office's console, continued: drafts to confirm, the council stage, acting heads and extensions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, OccurrenceRow, ReminderRow, TaskRow
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
