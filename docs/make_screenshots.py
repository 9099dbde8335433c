"""Screenshots of the user guide (docs/huong-dan-su-dung.md) from the sandbox, at phone size 390×844.

Run once on the merged code, from the repository's root, with Debian's Chromium and Playwright:

    .venv/bin/python docs/make_screenshots.py            # all screens into docs/img/
    .venv/bin/python docs/make_screenshots.py --only 02  # the screens whose name starts with 02
    .venv/bin/python docs/make_screenshots.py --from-tests  # 13, 14: copied from the browser tests' run

The sandbox (the real bot, the fake Bot API and the chat page) runs in this process on a fresh
database, with the rehearsal clock at 10:00 on 13/11/2019. Each screen is a small scenario driven
through the page as a person would: pick the persona, type a command, press a button found by its
label. A scenario whose button is not there (wording changed) is reported and skipped; the others
still run. The script exits 1 if any screen is missing.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import ClockConfig, Config, SandboxConfig
from bot.sandbox.personas import ADMIN_ID, FIRST_HEAD_ID, LEADER_ID
from bot.sandbox.thread import SandboxThread

OUT = ROOT / "docs" / "img"
PLAN = ROOT / "schedules" / "cchc-2019-2020.yaml"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
TCCB = FIRST_HEAD_ID + 1
WAIT_MS = 20_000
START = datetime(2019, 11, 13, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


class Skipped(Exception):
    """A scenario could not be played (a button or a message was not found)."""


class Phone:
    """The sandbox page in a phone-sized browser, with the few gestures the scenarios need."""

    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        self.url = url

    def who(self, persona: int) -> None:
        self.page.select_option("#persona", str(persona))
        self.page.wait_for_timeout(600)  # the chat's first poll

    def _bot_count(self) -> int:
        return int(self.page.locator("#chat .msg.bot").count())

    def _settle(self, before: int, edited: bool = False) -> None:
        """Until a new bot message (or, for an edit, a moment), then let the page draw it."""
        page = self.page
        if not edited:
            try:
                page.locator("#chat .msg.bot").nth(before).wait_for(timeout=WAIT_MS)
            except Exception as exc:  # a playwright timeout
                raise Skipped("the bot did not answer") from exc
        page.wait_for_timeout(1200)

    def say(self, text: str) -> None:
        before = self._bot_count()
        self.page.fill("#text", text)
        self.page.press("#text", "Enter")
        self._settle(before)

    def press(self, label: str, edits: bool = False) -> None:
        """The last button whose label matches the regular expression `label`."""
        buttons = self.page.locator("#chat .msg.bot .buttons button").filter(
            has_text=re.compile(label))
        if buttons.count() == 0:
            raise Skipped(f"no button matching {label!r}")
        before = self._bot_count()
        buttons.last.click()
        self._settle(before, edited=edits)

    def upload(self, name: str, content: bytes, folder: Path) -> None:
        path = folder / name
        path.write_bytes(content)
        before = self._bot_count()
        self.page.set_input_files("#file", str(path))
        self._settle(before)

    def next_event(self, clock_text: str) -> None:
        self.page.get_by_role("button", name="⏩ Lời nhắc kế tiếp").click()
        self.page.locator("#clock").filter(has_text=clock_text).wait_for(timeout=WAIT_MS)
        self.page.wait_for_timeout(3000)  # the messages of that instant go out

    def shot(self, name: str, text: str | None = None, picture: bool = False) -> None:
        """Screenshot with the newest bot message (the one containing `text`, or with a picture) on top."""
        target = self.page.locator("#chat .msg.bot:has(img)" if picture else "#chat .msg.bot")
        if text is not None:
            target = target.filter(has_text=text)
        if target.count():
            target.last.evaluate("node => node.scrollIntoView({block: 'start'})")
        self.page.wait_for_timeout(300)
        self.page.screenshot(path=str(OUT / f"{name}.png"))
        print(f"  ✓ docs/img/{name}.png")


def scenarios(phone: Phone, scratch: Path) -> list[tuple[str, Callable[[], None]]]:
    def invite() -> None:
        phone.who(ADMIN_ID)
        phone.say("/moi THPTCHUYEN")
        phone.shot("01-loi-moi")

    def card() -> None:
        phone.next_event("14/11/2019 08:0")
        phone.who(TCCB)
        phone.shot("02-the-nhac-viec", "TCCB")

    def checklist() -> None:
        phone.who(TCCB)
        phone.say("/viec")
        phone.shot("03-danh-sach-viec")

    def task_card() -> None:
        phone.who(TCCB)
        phone.press(r"^\d+\. \d+\.\d+", edits=True)  # a task of the checklist: "1. 1.1 …"
        phone.shot("04-the-nhiem-vu")

    def evidence() -> None:
        phone.who(TCCB)
        phone.press("📎")
        phone.upload("Bao-cao-CCHC-2019.pdf", b"%PDF-1.4 Bao cao ket qua CCHC nam 2019", scratch)
        phone.say("123/KH-SGDĐT; 12/11/2019; Kế hoạch CCHC năm 2019; Sở GDĐT")
        phone.shot("05-tai-lieu-kiem-chung")
        phone.press("Xong")
        phone.press("Hoàn thành")

    def review_queue() -> None:
        phone.who(ADMIN_ID)
        phone.say("/duyet")
        phone.shot("06-hang-doi-duyet")

    def review_card() -> None:
        phone.who(ADMIN_ID)
        phone.press(r"TCCB|\d+\.\d+", edits=True)
        phone.shot("07-the-duyet")

    def blocker() -> None:
        phone.who(TCCB)
        phone.say("/viec")
        phone.press(r"^\d+\. \d+\.\d+", edits=True)
        phone.press("⚠️")
        phone.say("Chưa nhận đủ số liệu của các trường để tổng hợp báo cáo.")
        phone.who(ADMIN_ID)
        phone.press("Chuyển")  # the office forwards it to leadership
        phone.who(LEADER_ID)
        phone.press("chỉ đạo")
        phone.say("Văn phòng Sở đôn đốc các trường gửi số liệu trước ngày 18/11.")
        phone.shot("08-vuong-mac")

    def progress() -> None:
        phone.who(LEADER_ID)
        phone.say("/tiendo")
        phone.shot("09-tien-do")

    def overdue() -> None:
        phone.who(LEADER_ID)
        phone.say("/quahan")
        phone.shot("10-qua-han")

    def export() -> None:
        phone.who(ADMIN_ID)
        phone.say("/xuat")
        phone.page.wait_for_timeout(3000)  # the workbook and the ZIP follow
        phone.shot("11-xuat")

    def digest() -> None:
        phone.next_event("Thứ Sáu 15/11/2019 08:0")  # the departments' internal report reminders
        phone.next_event("Thứ Sáu 15/11/2019 16:0")
        phone.who(LEADER_ID)
        phone.page.wait_for_timeout(3000)  # the chart is drawn
        phone.shot("12-tong-hop-tuan", picture=True)

    return [("01", invite), ("02", card), ("03", checklist), ("04", task_card), ("05", evidence),
            ("06", review_queue), ("07", review_card), ("08", blocker), ("09", progress), ("10", overdue),
            ("11", export), ("12", digest)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Screenshots of docs/huong-dan-su-dung.md from the sandbox.")
    parser.add_argument("--only", default="", help="only the screens whose number starts with this")
    parser.add_argument("--from-tests", action="store_true",
                        help="copy the screens the browser tests made (test-artifacts/docs-img) into docs/img")
    args = parser.parse_args(argv)
    if args.from_tests:  # the tests never write into the tracked docs/img themselves
        made = sorted((ROOT / "test-artifacts" / "docs-img").glob("*.png"))
        OUT.mkdir(parents=True, exist_ok=True)
        for shot in made:
            (OUT / shot.name).write_bytes(shot.read_bytes())
            print(f"{shot.name} → {OUT.relative_to(ROOT)}")
        return 0 if made else 1
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    missing: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        scratch = Path(tmp)
        config = Config(plan=str(PLAN), clock=ClockConfig(start=START, speed=1),
                        sandbox=SandboxConfig(port=0, database=f"sqlite:///{scratch / 'sandbox.db'}",
                                              evidence_dir=str(scratch / "evidence")))
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        with SandboxThread(config) as box:
            context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                          locale="vi-VN", is_mobile=True, has_touch=True)
            page = context.new_page()
            page.goto(f"{box.url}/#{ADMIN_ID}")
            page.locator("#clock").filter(has_text="13/11/2019").wait_for(timeout=WAIT_MS)
            phone = Phone(page, box.url)
            for number, scenario in scenarios(phone, scratch):
                if args.only and not number.startswith(args.only) and number not in ("02",):
                    continue  # 02 moves the clock to the first reminders: the later screens need it
                print(f"{number} {scenario.__name__}")
                try:
                    scenario()
                except Skipped as exc:
                    missing.append(f"{number} {scenario.__name__}: {exc}")
                    print(f"  ✗ skipped: {exc}")
            context.close()
        browser.close()
    if missing:
        print("Missing screens:\n  " + "\n  ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
