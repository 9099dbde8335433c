"""The sandbox as a trainer shows it: `nhacviec run` without a token, driven in headless Chromium on a phone screen.

The office invites a newcomer as head of the provincial specialised school, the newcomer accepts, ⏩ moves
the rehearsal clock to the 08:00 reminder of 14/11/2019, the newcomer attaches a file and presses ✅, the
office accepts and sees it in /tiendo; ⏩ again brings Friday's digest with its chart. Screenshots go to
test-artifacts/ (gitignored).

Chromium is Debian's (/usr/bin/chromium); Playwright only drives it (never `playwright install`).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import BUNDLED_PLAN, ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"
WAIT_MS = 20_000


class Sandbox:
    """`python -m bot run` in sandbox mode, as a child process; its page's address comes from the banner."""

    def __init__(self, tmp: Path) -> None:
        config = {"plan": str(BUNDLED_PLAN),
                  "sandbox": {"database": f"sqlite:///{tmp / 'sandbox.db'}", "evidence_dir": str(tmp / "evidence")}}
        path = tmp / "config.yaml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
        env["PYTHONPATH"] = str(ROOT)
        self.log = tmp / "run.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--config", str(path), "--rehearsal", "13/11/2019 10:00",
                 "--speed", "1", "--port", "0"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT)
        self.url = self._address()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def _address(self) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # waiting for the child to start, not for a scheduler
            found = re.search(r"Mở (http://127\.0\.0\.1:\d+)", self.output())
            if found:
                return found[1]
            if self.proc.poll() is not None:
                raise AssertionError(f"`run` exited {self.proc.returncode}:\n{self.output()}")
            time.sleep(0.1)
        raise TimeoutError(f"no address printed:\n{self.output()}")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(20)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    child = Sandbox(tmp_path)
    try:
        yield child
    finally:
        child.kill()


@pytest.fixture
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium chromium-driver)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_office_invites_head_gets_reminder_sends_evidence_and_office_accepts_in_the_browser(
        sandbox: Sandbox, browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="vi-VN",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(sandbox.url + "/#1001")

    def message(text: str) -> object:
        return page.locator(".msg", has_text=text).last

    # The office invites a newcomer as head of THPTCHUYEN.
    expect(page.locator("#persona")).to_have_value("1001")
    expect(page.locator("#clock")).to_contain_text("Thứ Tư 13/11/2019 10:0")
    page.fill("#text", "/moi THPTCHUYEN")
    page.press("#text", "Enter")
    invite = message("Đường dẫn mời Hiệu trưởng Trường THPT chuyên")
    expect(invite).to_be_visible(timeout=WAIT_MS)
    expect(invite.locator(".invite select")).to_have_value("9001")  # "Người mới" by default

    # The newcomer accepts: the page switches to that persona and sends /start <code>.
    invite.get_by_role("button", name="Mở lời mời ▶").click()
    expect(page.locator("#persona")).to_have_value("9001")
    expect(message("Chào Nguyễn Thị Mai")).to_contain_text("với tư cách Hiệu trưởng Trường THPT chuyên của tỉnh",
                                                           timeout=WAIT_MS)

    # ⏩: the rehearsal clock goes to 08:00 on Thursday 14/11; the reminder arrives without a reload.
    page.get_by_role("button", name="⏩ Lời nhắc kế tiếp").click()
    expect(page.locator("#clock")).to_contain_text("Thứ Năm 14/11/2019 08:0", timeout=WAIT_MS)
    reminder = message("Nhắc việc")
    expect(reminder).to_contain_text("Trường THPT chuyên của tỉnh", timeout=WAIT_MS)
    expect(reminder.get_by_role("button", name=re.compile("^📋 Danh sách việc"))).to_be_visible()

    # Evidence: 📋 opens the checklist (a new message; the card stays), 1.1 its task card in the same
    # message, 📎 there; a file from the phone, its details skipped, then ✅ Hoàn thành.
    reminder.get_by_role("button", name=re.compile("^📋 Danh sách việc")).click()
    checklist = message("chưa xong:")
    expect(checklist).to_be_visible(timeout=WAIT_MS)
    checklist.get_by_role("button", name=re.compile(r"^\d+\. 1\.1 ")).first.click()
    card = message("Trạng thái")
    expect(card.get_by_role("button", name="◀ Quay lại")).to_be_visible(timeout=WAIT_MS)
    card.get_by_role("button", name=re.compile("^📎")).click()
    expect(message("Gửi tài liệu kiểm chứng cho")).to_contain_text("1.1", timeout=WAIT_MS)
    evidence = tmp_path / "Báo cáo CCHC 2019.pdf"
    evidence.write_bytes(b"%PDF-1.4 bao cao ket qua CCHC nam 2019")
    page.set_input_files("#file", str(evidence))
    saved = message("Đã lưu tài liệu kiểm chứng (1)")
    expect(saved).to_be_visible(timeout=WAIT_MS)
    expect(saved).to_contain_text("Số/ký hiệu, ngày ban hành")  # the details the scoring software asks for
    expect(page.locator(".msg.user .doc", has_text="Báo cáo CCHC 2019.pdf")).to_be_visible()
    saved.get_by_role("button", name="✔️ Đã gửi đủ tài liệu").click()
    done = message("Đã nhận 1 tài liệu kiểm chứng")
    expect(done).to_be_visible(timeout=WAIT_MS)
    done.get_by_role("button", name="✅ Hoàn thành").click()
    expect(message("gửi Văn phòng Sở xác nhận")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#toast")).to_be_hidden(timeout=WAIT_MS)
    page.screenshot(path=str(ARTIFACTS / "sandbox-head.png"))

    # The office: the review request arrives (the sandbox sweeps every second), ✔️ Tiếp nhận, then /tiendo.
    page.select_option("#persona", "1001")
    review = message("Đề nghị xác nhận")
    expect(review).to_be_visible(timeout=WAIT_MS)
    review.get_by_role("button", name="✔️ Tiếp nhận").click()
    expect(message("Đã tiếp nhận")).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("button", name="/tiendo", exact=True).click()
    expect(message("Tiến độ")).to_contain_text("✅ 1 xong", timeout=WAIT_MS)
    page.fill("#text", "/tiendo THPTCHUYEN")
    page.press("#text", "Enter")
    expect(message("— đơn vị Trường THPT chuyên")).to_contain_text("✅ 1 xong", timeout=WAIT_MS)
    expect(page.locator("#toast")).to_be_hidden(timeout=WAIT_MS)
    page.screenshot(path=str(ARTIFACTS / "sandbox-phone.png"))

    # ⏩ twice: Friday 08:00 (internal report reminders), then 16:00, the weekly digest; Lãnh đạo Sở sees its
    # chart as a picture.
    page.get_by_role("button", name="⏩ Lời nhắc kế tiếp").click()
    expect(page.locator("#clock")).to_contain_text("Thứ Sáu 15/11/2019 08:0", timeout=WAIT_MS)
    page.wait_for_timeout(800)  # past the double-tap guard
    page.get_by_role("button", name="⏩ Lời nhắc kế tiếp").click()
    expect(page.locator("#clock")).to_contain_text("Thứ Sáu 15/11/2019 16:0", timeout=WAIT_MS)
    page.select_option("#persona", "1002")
    chart = page.locator(".msg img").last
    expect(chart).to_be_visible(timeout=WAIT_MS)
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.locator("#toast")).to_be_hidden(timeout=WAIT_MS)
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "sandbox-digest.png"))
    page.select_option("#persona", "1001")
    expect(message("— đơn vị Trường THPT chuyên")).to_be_visible(timeout=WAIT_MS)

    # The same page on a desktop screen, for the record.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "sandbox.png"))
    context.close()
    assert errors == []
    assert sandbox.stop() == 0, sandbox.output()
    assert "Đang dừng chế độ thử" in sandbox.output()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[object]:
    """The sandbox in this process (a thread), so the test can reach its fake Bot API directly."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.config import ClockConfig, Config, SandboxConfig
    from bot.sandbox.thread import SandboxThread

    config = Config(plan=str(BUNDLED_PLAN), clock=ClockConfig(
        start=datetime(2019, 11, 13, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), speed=1),
        sandbox=SandboxConfig(port=0, database=f"sqlite:///{tmp_path / 'sandbox.db'}",
                              evidence_dir=str(tmp_path / "evidence")))
    with SandboxThread(config) as box:
        yield box


def test_next_stays_usable_while_sending_answers_come_into_view_and_edits_update_in_place(
        live: object, browser: object) -> None:
    import json
    import urllib.request

    from playwright.sync_api import Browser, expect

    from bot.sandbox.personas import FIRST_HEAD_ID
    from bot.sandbox.server import TOKEN
    from bot.sandbox.thread import SandboxThread

    assert isinstance(browser, Browser) and isinstance(live, SandboxThread)
    assert live.sandbox is not None
    sandbox = live.sandbox
    head = FIRST_HEAD_ID + 9  # THPTCHUYEN: eight tasks on 14/11, a tall reminder
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="vi-VN",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live.url}/#{head}")
    expect(page.locator("#clock")).to_contain_text("13/11/2019 10:0", timeout=WAIT_MS)
    page.get_by_role("button", name="/help", exact=True).click()
    expect(page.locator(".msg.bot")).to_have_count(1, timeout=WAIT_MS)

    # A slow Telegram: six sends held 2.5 s each. ⏩ twice: the second tap moves the clock on at once.
    live.call(lambda: sandbox.stack.api.inject("read_timeout", method="sendMessage", times=6, delay=2.5))
    skip = page.get_by_role("button", name="⏩ Lời nhắc kế tiếp")
    skip.click()
    expect(page.locator("#clock")).to_contain_text("Thứ Năm 14/11/2019 08:0", timeout=WAIT_MS)
    assert live.call(lambda: sandbox.sending)  # the 08:00 messages are still going out
    expect(skip).to_be_enabled()
    page.wait_for_timeout(800)  # past the double-tap guard, not waiting for the bot
    skip.click()  # Friday 15/11 08:00: the departments' internal report date (see the plan's internal_lead_days)
    expect(page.locator("#clock")).to_contain_text("Thứ Sáu 15/11/2019 08:0", timeout=WAIT_MS)
    assert live.call(lambda: sandbox.sending)  # moved on while still sending
    reminder = page.locator(".msg.bot", has_text="🔔 Nhắc việc").first
    expect(reminder).to_be_visible(timeout=WAIT_MS)

    # The answer to a press comes into view, even when the chat was scrolled up to read.
    page.locator("#chat").evaluate("chat => { chat.scrollTop = 0; }")
    reminder.locator(".buttons button").first.click()
    expect(page.locator("#chat .flash").last).to_be_in_viewport(timeout=WAIT_MS)

    # An edit by the bot (a checklist's next page) replaces the bubble where it is.
    bubbles = page.locator("#chat > .msg, #chat > .alert")
    before = bubbles.count()
    message_id = int(reminder.get_attribute("data-id") or 0)
    order = page.locator("#chat > .msg").evaluate_all("nodes => nodes.map(n => n.dataset.id)")
    body = json.dumps({"chat_id": head, "message_id": message_id, "text": "Trang 2/2 — danh sách đã sửa",
                       "reply_markup": {"inline_keyboard": [[{"text": "◀ Quay lại", "callback_data": "cl:o:0"}]]}})
    request = urllib.request.Request(f"{sandbox.stack.api.base_url}{TOKEN}/editMessageText", body.encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert json.load(answer)["ok"]
    edited = page.locator(f'#chat > .msg[data-id="{message_id}"]')
    expect(edited).to_contain_text("Trang 2/2 — danh sách đã sửa", timeout=WAIT_MS)
    expect(edited.get_by_role("button", name="◀ Quay lại")).to_be_visible()
    expect(edited.locator(".meta")).to_contain_text("đã sửa")
    assert edited.count() == 1 and bubbles.count() >= before  # no new bubble for the edit
    assert page.locator("#chat > .msg").evaluate_all("nodes => nodes.map(n => n.dataset.id)")[:len(order)] == order
    edited.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "sandbox-edit.png"))
    context.close()
    assert errors == []


DOCS_IMG = ARTIFACTS / "docs-img"  # scratch: `docs/make_screenshots.py --from-tests` copies them into docs/img


def test_a_head_switched_to_zalo_reads_numbered_text_replies_by_number_and_is_told_where_documents_go(
        live: object, browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import Browser, expect

    from bot.sandbox.personas import FIRST_HEAD_ID
    from bot.sandbox.thread import SandboxThread

    assert isinstance(browser, Browser) and isinstance(live, SandboxThread)
    head = FIRST_HEAD_ID + 1  # TCCB
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="vi-VN",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live.url}/#{head}")
    expect(page.locator("#clock")).to_contain_text("13/11/2019 10:0", timeout=WAIT_MS)
    telegram, zalo = (page.locator(f'#channel button[data-channel="{c}"]') for c in ("telegram", "zalo"))
    expect(telegram).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#zalobar")).to_be_hidden()

    # Kênh: Zalo. The header turns Zalo blue, the hint bar says to reply by number, the chat is the Zalo one.
    zalo.click()
    expect(zalo).to_have_attribute("aria-pressed", "true", timeout=WAIT_MS)
    expect(page.locator("#zalobar")).to_be_visible()
    expect(page.locator("body")).to_have_class(re.compile(r"\bzalo\b"))
    expect(page.locator("#persona option:checked")).to_contain_text("· Zalo")
    expect(page.locator(".empty")).to_contain_text("Chưa có tin nhắn Zalo")

    # ⏩: the reminder comes on Zalo as text with numbered replies and no buttons, marked "Zalo".
    page.get_by_role("button", name="⏩ Lời nhắc kế tiếp").click()
    reminder = page.locator(".msg.zalo.bot", has_text="Nhắc việc").first
    expect(reminder).to_contain_text("Trả lời 1:", timeout=WAIT_MS)
    expect(reminder.locator(".badge")).to_have_text("Zalo")
    assert reminder.locator(".buttons button").count() == 0
    number = re.search(r"Trả lời (\d+): [^\n]*Danh sách việc", reminder.inner_text())
    assert number, reminder.inner_text()
    page.fill("#text", number[1])
    page.press("#text", "Enter")
    expect(page.locator(".msg.zalo.user", has_text=number[1]).last).to_be_visible(timeout=WAIT_MS)
    expect(page.locator(".msg.zalo.bot")).to_have_count(2, timeout=WAIT_MS)  # the reminder, then the checklist
    checklist = page.locator(".msg.zalo.bot").last
    expect(checklist).to_contain_text("📋", timeout=WAIT_MS)
    expect(checklist).to_contain_text("Trả lời 1–7 để mở việc có số đó ở trên")

    # A document cannot go by Zalo: the chat says where to send it.
    evidence = tmp_path / "Báo cáo CCHC 2019.pdf"
    evidence.write_bytes(b"%PDF-1.4 bao cao ket qua CCHC nam 2019")
    page.set_input_files("#file", str(evidence))
    expect(page.locator(".alert.zalo", has_text="trang cá nhân")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#toast")).to_be_hidden(timeout=WAIT_MS)
    page.locator("#chat").evaluate("chat => { chat.scrollTop = chat.scrollHeight; }")  # the replies and the note
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / "13-zalo.png"))

    # Back to Telegram: the Telegram chat (empty: the reminder went to Zalo) with its buttons and colours.
    telegram.click()
    expect(telegram).to_have_attribute("aria-pressed", "true", timeout=WAIT_MS)
    expect(page.locator("#zalobar")).to_be_hidden()
    expect(page.locator(".msg.zalo")).to_have_count(0)
    context.close()
    assert errors == []


def test_the_personal_page_from_zalo_takes_a_pdf_with_its_document_details_in_chromium(
        live: object, browser: object, tmp_path: Path) -> None:
    """What a Zalo user does for a document: /trang, open the link, fill the details, send the PDF."""
    from playwright.sync_api import Browser, expect

    from bot.sandbox.personas import FIRST_HEAD_ID
    from bot.sandbox.thread import SandboxThread

    assert isinstance(browser, Browser) and isinstance(live, SandboxThread)
    head = FIRST_HEAD_ID + 1  # TCCB
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="vi-VN",
                                  is_mobile=True, has_touch=True)
    chat = context.new_page()
    chat.goto(f"{live.url}/#{head}")
    expect(chat.locator("#clock")).to_contain_text("13/11/2019", timeout=WAIT_MS)
    chat.locator('#channel button[data-channel="zalo"]').click()
    expect(chat.locator("#zalobar")).to_be_visible(timeout=WAIT_MS)
    chat.fill("#text", "/trang")
    chat.press("#text", "Enter")
    answer = chat.locator(".msg.zalo.bot", has_text="Trang cá nhân").last
    expect(answer).to_be_visible(timeout=WAIT_MS)
    link = re.search(r"http://127\.0\.0\.1:\d+/p/\S+", answer.inner_text())
    assert link, answer.inner_text()

    page = context.new_page()  # the link opened on the phone: a real browser's Origin and Referer
    page.goto(link.group(0))
    expect(page.locator("h1")).to_contain_text("Việc của", timeout=WAIT_MS)
    page.locator(".list a").first.click()  # the short list opens one task's page, with its form
    form = page.locator("form", has=page.locator("input[name=doc_number]")).first
    pdf = tmp_path / "Kế hoạch CCHC 2019.pdf"
    pdf.write_bytes(b"%PDF-1.4 ke hoach cai cach hanh chinh nam 2019")
    form.locator("input[type=file]").set_input_files(str(pdf))
    form.locator("input[name=doc_number]").fill("123/KH-SGDĐT")
    form.locator("input[name=doc_date]").fill("05/03/2019")
    form.locator("[name=doc_summary]").fill("Kế hoạch cải cách hành chính năm 2019")
    form.locator("[name=doc_issuer]").fill("Sở Giáo dục và Đào tạo")
    page.screenshot(path=str(DOCS_IMG / "14-trang-ca-nhan.png"))
    form.locator("button[type=submit], input[type=submit]").first.click()
    expect(page.locator("body")).to_contain_text("Đã nhận tài liệu kiểm chứng", timeout=WAIT_MS)
    page.screenshot(path=str(DOCS_IMG / "15-trang-ca-nhan-da-nhan.png"))
