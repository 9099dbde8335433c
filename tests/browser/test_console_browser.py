"""The office console in Debian's Chromium (Playwright drives /usr/bin/chromium; never `playwright install`):
sign in from a one-time link, accept a review with its PDF shown in the page, load the criteria, link one to a
task, record a self-score and see the total change, export the dossier and find the document's details under
its criterion. Screenshots go to tmp_path only."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.browser.test_sandbox_browser import browser  # noqa: F401 (the fixture: Debian's Chromium)
from tests.integration.console_world import Served, build, load_criteria, sign_in_link

WAIT_MS = 15_000


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_office_reviews_scores_and_exports_in_the_browser(db: Engine, tmp_path: Path, browser: object,
                                                              free_port: Callable[[], int]) -> None:
    from openpyxl import load_workbook
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    port = free_port()
    world = build(db, tmp_path / "evidence", port)
    ids = load_criteria(db)
    served = Served(world, port)
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(sign_in_link(world, "admin"))
        page.click("#signin")
        expect(page.locator("h1")).to_contain_text("Tổng quan")
        page.screenshot(path=str(tmp_path / "1-overview.png"))

        page.click("nav a[href='/console/review']")
        expect(page.locator("h1")).to_contain_text("Kết quả chờ xác nhận (4)")
        page.locator("a.button", has_text="Xem").first.click()
        frame = page.locator("iframe.viewer")
        expect(frame).to_be_visible()
        shown = page.request.get(world.base + str(frame.get_attribute("src")))
        assert shown.status == 200 and shown.headers["content-type"] == "application/pdf"
        assert shown.headers["content-disposition"].startswith("inline")
        expect(page.locator("dl.meta").first).to_contain_text("45/KH-TCCB")
        page.screenshot(path=str(tmp_path / "2-review.png"))
        page.click("#accept")
        expect(page.locator("p.note.ok")).to_contain_text("Đã tiếp nhận 1 kết quả của TCCB")

        page.click("nav a[href='/console/criteria']")
        expect(page.locator("#tree")).to_contain_text("Ban hành kế hoạch CCHC năm")
        page.click(f"a[href='/console/criteria/{ids['2.1']}']")
        page.select_option("#linktask", "1.1")
        page.click("#link-task")
        expect(page.locator("#tasks")).to_contain_text("1.1 Ban hành kế hoạch CCHC")
        page.fill("#scoreinput", "6,5")
        page.fill("#explanation", "Còn 2 thủ tục chưa công khai đúng hạn.")
        page.click("#save-score")
        expect(page.locator("#score")).to_have_text("6,5")

        page.click("nav a[href='/console/dossier']")
        expect(page.locator("#total")).to_have_text("6,5 / 12")
        with page.expect_download() as download:
            page.click("a[href*='/dossier/export/xlsx']")
        saved = tmp_path / "ho-so.xlsx"
        download.value.save_as(saved)
        rows = [" ".join(str(c) for c in row if c is not None)
                for row in load_workbook(io.BytesIO(saved.read_bytes())).worksheets[0].iter_rows(values_only=True)]
        at = next(i for i, row in enumerate(rows) if re.match(r"^1\.1\.1\b", row))
        assert "45/KH-TCCB" in " ".join(rows[at:at + 4])
        page.screenshot(path=str(tmp_path / "3-dossier.png"))
        context.close()
    finally:
        served.stop()
