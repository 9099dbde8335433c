"""Screenshots of the real office console at 1280×800 for docs/huong-dan-van-phong.md.

Run: `python docs/console_screenshots.py`.

Builds a small office in a temporary SQLite database (the test world: the mini plan, four completions
waiting for review with a PDF and a photo, the 2019 criteria tree), serves the console on 127.0.0.1 and drives
Debian's Chromium (/usr/bin/chromium) through Playwright. Writes docs/img/console-*.png (or --out DIR).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from datetime import UTC, datetime

from sqlalchemy import select, update

from bot.db.engine import make_engine, migrate
from bot.db.models import OccurrenceRow
from tests.browser.test_sandbox_browser import CHROMIUM, CHROMIUM_FLAGS
from tests.integration.console_world import Served, build, free_port, load_criteria, sign_in_link


def shoot(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="nhacviec-shots-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'console.db'}")
        migrate(engine)
        port = free_port()
        world = build(engine, Path(tmp) / "evidence", port)
        ids = load_criteria(engine)
        with engine.begin() as conn:  # two deadlines of KHTC the plan only assumed, for the list of drafts
            conn.execute(update(OccurrenceRow).where(OccurrenceRow.id.in_(
                select(OccurrenceRow.id).where(OccurrenceRow.unit == "KHTC", OccurrenceRow.status == "open")
                .order_by(OccurrenceRow.due).limit(2).scalar_subquery())).values(confirmed=False, source="assumed"))
        served = Served(world, port)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                            args=[*CHROMIUM_FLAGS, "--lang=vi"])
                page = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN").new_page()

                def snap(name: str, full: bool = False) -> None:
                    path = out / f"console-{name}.png"
                    page.screenshot(path=str(path), full_page=full)
                    made.append(path)

                page.goto(sign_in_link(world, "admin"))
                snap("01-dang-nhap")
                page.click("#signin")
                page.wait_for_selector("h1")
                snap("02-tong-quan")
                page.goto(f"{world.base}/console/review")
                snap("03-hang-doi-duyet")
                page.goto(f"{world.base}/console/review/{world.reviews['TCCB'][0]}")
                page.wait_for_timeout(800)  # the PDF viewer draws the page
                snap("04-duyet-tai-lieu")
                page.goto(f"{world.base}/console/criteria")
                snap("05-cay-tieu-chi")
                page.goto(f"{world.base}/console/criteria/{ids['1.1.1']}")
                page.fill("#scoreinput", "1,5")
                page.fill("#explanation", "Kế hoạch ban hành chậm 5 ngày so với hướng dẫn của tỉnh.")
                page.click("#save-score")
                page.wait_for_selector("#score")
                page.locator("#documents input[name=section]").first.fill("Mục II.1, trang 2")
                page.locator("#documents form[action$='/section'] button").first.click()
                page.wait_for_selector("#score")
                snap("06-tieu-chi-thanh-phan", full=True)
                page.goto(f"{world.base}/console/dossier")
                snap("07-ho-so-tu-cham", full=True)
                page.goto(f"{world.base}/console/people")
                roster = ("Họ tên,Đơn vị,Chức vụ,Điện thoại\nHoàng Văn Em,TCCB,Phó Trưởng phòng,0912 345 678\n"
                          "Đỗ Thị Gấm,Phòng Kế hoạch - Tài chính,Chuyên viên,gam.dt@sogd.example.vn\n"
                          "Vũ Minh Hải,Phòng Khảo thí,Trưởng phòng,0987 654 321\n")
                page.set_input_files("#roster", files=[{"name": "danh-sach-moi.csv", "mimeType": "text/csv",
                                                        "buffer": roster.encode()}])
                page.click("form[action$='/people/bulk'] button")
                page.wait_for_selector("#made")
                snap("08-thanh-vien", full=True)
                page.goto(f"{world.base}/console/plan")
                page.set_input_files("#planfile", str(ROOT / "tests/data/import/ke-hoach-2026-trong-tam.txt"))
                page.click("form[action$='/plan/import'] button")
                page.wait_for_selector("#checks, details")
                snap("09-ke-hoach")
                page.goto(f"{world.base}/console/drafts")
                page.locator("#drafts input[name=occ]").first.check()
                page.fill("#due", "25/11/2019")
                snap("10-gia-dinh")
                world.clock.set(datetime(2019, 11, 25, 2, 0, tzinfo=UTC))  # the council's review
                page.goto(sign_in_link(world, "admin"))
                page.click("#signin")
                page.goto(f"{world.base}/console/council?criterion={ids['1.1.1']}")
                page.fill("#ctext", "Kế hoạch ban hành ngày 25/01/2019, chậm so với hướng dẫn: đề nghị giải trình.")
                page.select_option("#cunit", "TCCB")
                page.click("#record-item")
                page.wait_for_selector("#council-items a")
                snap("11-tham-dinh", full=True)
                browser.close()
        finally:
            served.stop()
            engine.dispose()
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "docs" / "img"))
    args = parser.parse_args()
    for path in shoot(Path(args.out)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
