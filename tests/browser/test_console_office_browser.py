"""The office's later pages in Debian's Chromium: confirm drafts on the province's date, record a council
question as a task for a unit, set an acting head. Screenshots go to tmp_path only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.members import ensure_member
from bot.db.models import OccurrenceRow
from tests.browser.test_sandbox_browser import browser  # noqa: F401 (the fixture: Debian's Chromium)
from tests.integration.console_world import T0, Served, build, load_criteria, sign_in_link

WAIT_MS = 15_000


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_office_confirms_drafts_records_a_council_question_and_sets_an_acting_head(
        db: Engine, tmp_path: Path, browser: object, free_port: Callable[[], int]) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    port = free_port()
    world = build(db, tmp_path / "evidence", port)
    ids = load_criteria(db)
    deputy = ensure_member(db, T0, chat_id=40, user_id=40, role="staff", unit="TCCB", name="Đỗ Thị Hoa")
    with Session(db) as s, s.begin():
        draft = s.scalars(select(OccurrenceRow.id).where(OccurrenceRow.unit == "KHTC", OccurrenceRow.status == "open")
                          .order_by(OccurrenceRow.due)).first()
        s.execute(update(OccurrenceRow).where(OccurrenceRow.id == draft).values(confirmed=False))
    world.clock.set(datetime(2019, 11, 25, 2, 0, tzinfo=UTC))  # the council's review
    served = Served(world, port)
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(sign_in_link(world, "admin"))
        page.click("#signin")
        page.click("nav a[href='/console/drafts']")
        page.check(f"#occ{draft}")
        page.fill("#due", "29/11/2019")
        page.click("#confirm-drafts")
        expect(page.locator("p.note.ok")).to_contain_text("Đã xác nhận 1 hạn giả định")
        page.screenshot(path=str(tmp_path / "drafts.png"), full_page=True)
        with Session(db) as s:
            row = s.get(OccurrenceRow, draft)
            assert row is not None and row.confirmed and row.due.day == 29

        page.goto(f"{world.base}/console/criteria/{ids['1.1.1']}")
        page.click("#to-council")
        page.fill("#ctext", "Đề nghị giải trình việc ban hành kế hoạch chậm")
        page.select_option("#cunit", "TCCB")
        page.click("#record-item")
        expect(page.locator("p.note.ok")).to_contain_text("đơn vị TCCB giải trình trước ngày 27/11/2019")
        expect(page.locator("#council-items")).to_contain_text("chờ đơn vị giải trình")
        page.screenshot(path=str(tmp_path / "council.png"), full_page=True)

        page.click("nav a[href='/console/people']")
        page.select_option("#standin", str(deputy))
        page.fill("#starts", "25/11/2019")
        page.fill("#ends", "29/11/2019")
        page.click("#set-acting")
        expect(page.locator("#acting-heads")).to_contain_text("Đỗ Thị Hoa")
        page.screenshot(path=str(tmp_path / "people.png"), full_page=True)
        context.close()
    finally:
        served.stop()
