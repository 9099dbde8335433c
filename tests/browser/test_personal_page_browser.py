"""The personal page on a 390×844 phone in headless Chromium: the short list, one task, a document sent, and the
reason the office gave for returning a task (issue 18).

The page is served in-process by `PersonalPage` over 127.0.0.1; Playwright drives Debian's /usr/bin/chromium
(never `playwright install`). Screenshots go to tmp_path.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.members import ensure_member
from bot.db.models import EvidenceRow, MemberRow, OccurrenceRow
from bot.domain.clock import FixedClock
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.plans.loader import parse_plan
from bot.services import review, tasks
from bot.services.access import load_actor
from bot.web.app import PersonalPage, WebServices
from tests.conftest import MINI_PLAN

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
NOW = datetime(2019, 11, 12, 2, 0, tzinfo=UTC)
HEAD, OFFICE = 20, 1
REASON = "Thiếu quyết định ban hành kèm theo"


@dataclass
class Site:
    link: str
    returned: int  # an occurrence the office returned with REASON
    evidence_dir: Path


@pytest.fixture
async def site(db: Engine, tmp_path: Path, free_port: Callable[[], int]) -> AsyncIterator[Site]:
    sync_plan(db, parse_plan(MINI_PLAN.read_text(encoding="utf-8"), "mini.yaml"), WorkCalendar(), NOW)
    ensure_member(db, NOW, chat_id=HEAD, user_id=HEAD, role="head", unit="TCCB", name="Trần Thị Bình")
    ensure_member(db, NOW, chat_id=OFFICE, user_id=OFFICE, role="admin", unit="VP", name="Văn phòng")
    with Session(db) as s, s.begin():
        returned = s.scalars(select(OccurrenceRow.id).where(OccurrenceRow.unit == "TCCB",
                                                            OccurrenceRow.status == "open")
                             .order_by(OccurrenceRow.due.desc())).first()
        assert returned is not None
        submitted = tasks.confirm_done(s, load_actor(s, HEAD, HEAD), returned, tasks.Event(NOW))
        review.return_with_reason(s, load_actor(s, OFFICE, OFFICE), submitted.id, REASON, tasks.Event(NOW))
    port = free_port()  # held (tests/ports.py): nobody takes it before the site listens
    services = WebServices(db, FixedClock(NOW), ZoneInfo("Asia/Ho_Chi_Minh"), tmp_path / "ev",
                           b"browser-secret-0123456789", f"http://127.0.0.1:{port}")
    runner = web.AppRunner(PersonalPage(services).app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    with Session(db) as s:
        member = s.scalars(select(MemberRow).where(MemberRow.chat_id == HEAD)).one()
        link = services.link_for(member)
    try:
        yield Site(link, returned, tmp_path / "ev")
    finally:
        await runner.cleanup()


async def test_a_head_opens_the_list_one_task_sends_a_document_and_reads_why_a_task_came_back(
        db: Engine, site: Site, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.async_api import async_playwright, expect
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    shots = tmp_path / "shots"
    shots.mkdir()
    pdf = tmp_path / "Ke hoach CCHC 2019.pdf"
    pdf.write_bytes(b"%PDF-1.4 ke hoach cai cach hanh chinh " * 40)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        try:
            context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN",
                                                is_mobile=True, has_touch=True)
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            # The list: tabs with counts, one line per task, no form; it fits the phone's width.
            await page.goto(site.link)
            tabs = page.locator("nav.tabs a")
            await expect(tabs.first).to_contain_text(re.compile(r"Quá hạn \(\d+\)"))
            await expect(page.locator("nav.tabs")).to_contain_text("Tất cả (")
            assert await page.locator("input[type=file]").count() == 0
            # A returned task is above the tabs, whatever its deadline.
            await expect(page.locator("li.returned")).to_contain_text(f"Lý do: {REASON}")
            assert await page.evaluate("document.documentElement.scrollWidth") <= 390
            await page.screenshot(path=str(shots / "1-list.png"), full_page=True)

            # The returned task, under "Tất cả": its line says why; its page too, with its form.
            await page.locator("nav.tabs a", has_text="Tất cả").click()
            row = page.locator(f'a[href*="/task/{site.returned}"]')
            await expect(row).to_contain_text(f"Văn phòng Sở trả lại. Lý do: {REASON}")
            await row.click()
            await expect(page.locator(".note.err")).to_contain_text("Văn phòng Sở trả lại, đề nghị bổ sung:")
            await expect(page.locator(".note.err")).to_contain_text(f"Lý do: {REASON}")
            assert await page.locator("input[type=file]").count() == 1  # one task's form, not one per task
            assert await page.evaluate("document.documentElement.scrollWidth") <= 390
            await page.screenshot(path=str(shots / "2-returned-task.png"), full_page=True)

            # A document with its details, from the phone.
            await page.set_input_files("input[type=file]", str(pdf))
            await page.fill("input[name=doc_number]", "45/KH-TCCB")
            await page.fill("input[name=doc_date]", "12/03/2019")
            await page.fill("input[name=doc_summary]", "Kế hoạch cải cách hành chính năm 2019")
            await page.get_by_role("button", name="Gửi tài liệu").click()
            await expect(page.locator(".note.ok")).to_contain_text("Đã nhận tài liệu kiểm chứng")
            await expect(page.locator("h2", has_text="Tài liệu kiểm chứng đã gửi (1)")).to_be_visible()
            await expect(page.locator(".docs")).to_contain_text("45/KH-TCCB · 12/03/2019")
            await page.screenshot(path=str(shots / "3-document-sent.png"), full_page=True)
            assert errors == []
        finally:
            await browser.close()
    with Session(db) as s:
        (row_,) = s.scalars(select(EvidenceRow)).all()
        assert row_.occurrence_id == site.returned and row_.doc_number == "45/KH-TCCB"
        assert Path(row_.stored_path or "").read_bytes() == pdf.read_bytes()
    assert sorted(p.name for p in shots.iterdir()) == ["1-list.png", "2-returned-task.png", "3-document-sent.png"]
