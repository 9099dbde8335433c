"""One conversation, every channel: the same scenarios driven on Telegram, on Zalo and on the personal page (issue 18).

A head of unit works on the adapter under test; the office works on Telegram. Each adapter is driven as its
users drive it: Telegram by pressing buttons (fake Bot API), Zalo by typing the numbers its text offers (fake
Zalo Bot API), the personal page over HTTP like a browser (links followed, forms posted with what they carry).
A scenario names what it chooses by the label the reader sees, so a channel cannot drift. What a channel does
not have is a capability of its Head (`joins`, `prompts`, `asks_on_stale_choice`), and the scenario then asserts
what that channel does instead.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar, Protocol

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import BlockerRow, EvidenceRow, OccurrenceRow
from bot.sandbox.fake_zalo import ZaloUser
from tests.conftest import MINI_PLAN
from tests.e2e.harness import ADMIN, at
from tests.e2e.test_zalo_and_telegram import Both, running_both

HEAD = 2002


def more_tasks(numbers: tuple[int, ...]) -> str:
    return "".join(f'  - id: "1.{n}"\n    area: "1"\n    title: Nhiệm vụ thử số {n}\n' for n in numbers)


MORE_TASKS = more_tasks((2, 3))
REPLY = re.compile(r"^Trả lời (\d+): (.+)$", re.MULTILINE)
RANGE = re.compile(r"^Trả lời (\d+)–(\d+) để mở việc", re.MULTILINE)
PHOTO_NAME = "Ảnh biên bản.jpg"  # the page takes a file with its name
ITEM = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


@dataclass
class Screen:
    """One message as its reader sees it: the text and the choices it offers (label → what choosing sends)."""

    text: str
    choices: dict[str, str] = field(default_factory=dict)
    raw: Any = None

    def find(self, label: str) -> str:
        found = [c for c in self.choices if label in c]
        assert found, f"no choice {label!r} in:\n{self.text}\n{list(self.choices)}"
        return found[0]


class Head(Protocol):
    channel: str
    limit: int
    joins: bool  # the head is invited and joins on this channel (the page has no invite: its head joins on Telegram)
    prompts: bool  # a choice that needs words or a file asks for them (cancellable, ended by a choice); on the page
    #               a form carries them, and leaving it unsent is the way out
    asks_on_stale_choice: bool  # a choice from an older message is confirmed first (a text channel's numbers)

    async def join(self, both: Both) -> None: ...
    async def card(self) -> Screen: ...
    async def refused(self, screen: Screen, label: str, then: bytes) -> str: ...
    def says(self, words: str) -> str: ...
    async def close(self) -> None: ...
    async def say(self, text: str) -> Screen: ...
    async def choose(self, screen: Screen, label: str) -> Screen: ...
    async def photo(self, content: bytes) -> Screen: ...
    def last(self) -> Screen: ...
    def received(self) -> list[str]: ...


@dataclass
class TelegramHead:
    both: Both
    channel: str = "telegram"
    limit: int = 4096
    joins: bool = True
    prompts: bool = True
    asks_on_stale_choice: bool = False

    def says(self, words: str) -> str:
        return words

    async def card(self) -> Screen:
        return self.last()

    async def refused(self, screen: Screen, label: str, then: bytes) -> str:
        """A button the bot refuses: its alert."""
        api = self.both.tg.api
        await self.both.tg.press(HEAD, screen.raw, screen.choices[screen.find(label)], expect=0)
        return str(api.answered_callbacks[-1].get("text") or "")

    async def close(self) -> None:
        pass

    def _screen(self, message: Any) -> Screen:
        rows = (message.reply_markup or {}).get("inline_keyboard", [])
        return Screen(message.text or message.caption or "",
                      {b["text"]: b["callback_data"] for row in rows for b in row}, message)

    async def join(self, both: Both) -> None:
        (invite,) = await both.tg.say(ADMIN, "/moi TCCB")
        code = invite.text.split("?start=")[1].split()[0]
        await both.tg.say(HEAD, f"/start {code}", name="Trưởng phòng Telegram")

    async def say(self, text: str) -> Screen:
        sent = await self.both.tg.say(HEAD, text)
        return self._screen(sent[-1])

    async def choose(self, screen: Screen, label: str) -> Screen:
        sent = await self.both.tg.press(HEAD, screen.raw, screen.choices[screen.find(label)])
        return self._screen([m for m in sent if m.chat_id == HEAD][-1])

    async def photo(self, content: bytes) -> Screen:
        api = self.both.tg.api
        before = len(api.sent)
        api.user_sends_photo(HEAD, content)
        await api.wait_for_sent(before + 1)
        return self._screen(api.sent[-1])

    def last(self) -> Screen:
        return self._screen(self.both.tg.api.messages_to(HEAD)[-1])

    def received(self) -> list[str]:
        return [m.text or "" for m in self.both.tg.api.messages_to(HEAD)]


@dataclass
class ZaloHead:
    both: Both
    channel: str = "zalo"
    limit: int = 2000
    joins: bool = True
    prompts: bool = True
    asks_on_stale_choice: bool = True
    user: ZaloUser | None = None

    def says(self, words: str) -> str:
        return words

    async def card(self) -> Screen:
        return self.last()

    async def refused(self, screen: Screen, label: str, then: bytes) -> str:
        """A number from an older message is confirmed first; refused at the choice, or at the photo that follows."""
        answer = await self.choose(screen, label)
        if "Menu này đã cũ" in answer.text:  # its number belongs to an older menu: open the task from the current one
            card = await self.choose(answer, "Thẻ việc")
            assert not any(label in choice for choice in card.choices), card.text  # nothing to misfire
            return card.text
        if any("Xác nhận" in choice for choice in answer.choices):
            answer = await self.choose(answer, "Xác nhận")
        return (await self.photo(then)).text if "Gửi tài liệu kiểm chứng cho" in answer.text else answer.text

    async def close(self) -> None:
        pass

    def _screen(self, message: dict[str, Any]) -> Screen:
        text = message["text"]
        choices = {label: number for number, label in REPLY.findall(text)}
        for first, last in RANGE.findall(text):
            items = dict(ITEM.findall(text))
            choices.update({items[str(n)]: str(n) for n in range(int(first), int(last) + 1) if str(n) in items})
        if "Gõ “Hủy”" in text:
            choices["✖️ Hủy"] = "Hủy"  # the way out is a word on a text channel
        return Screen(text, choices, message)

    async def join(self, both: Both) -> None:
        (invite,) = await both.tg.say(ADMIN, "/moi TCCB")
        code = re.search(r"mã này: (\S+)", invite.text)
        assert code, invite.text
        self.user = both.zalo.add_user("Trưởng phòng Zalo")
        await both.says(self.user, code.group(1))

    async def say(self, text: str) -> Screen:
        assert self.user is not None
        return self._screen((await self.both.says(self.user, text))[-1])

    async def choose(self, screen: Screen, label: str) -> Screen:
        return await self.say(screen.choices[screen.find(label)])

    async def photo(self, content: bytes) -> Screen:
        assert self.user is not None
        return self._screen((await self.both.photo(self.user, content))[-1])

    def last(self) -> Screen:
        assert self.user is not None
        return self._screen(self.both.zalo.messages_to(self.user)[-1])

    def received(self) -> list[str]:
        assert self.user is not None
        return [m["text"] for m in self.both.zalo.messages_to(self.user)]


class _Html(HTMLParser):
    """What a person sees on a page: its text (block by block), its links and its forms (the values a browser
    posts: the hidden ones, a file field, a text area; the button's label, and a <details> summary's)."""

    BLOCKS = {"p", "div", "li", "h1", "h2", "br", "nav", "section", "label", "legend", "summary", "button", "span"}

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = [""]
        self.links: list[tuple[str, str]] = []  # (label, href)
        self.forms: list[PageForm] = []
        self._skip = 0
        self._href: str | None = None
        self._label = ""
        self._summary: str | None = None
        self._in_summary = False
        self._form: PageForm | None = None
        self._in_button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("style", "title"):
            self._skip += 1
        if tag in self.BLOCKS:
            self.lines.append("")
        if tag == "a":
            self._href, self._label = a.get("href", ""), ""
        elif tag == "summary":
            self._in_summary, self._summary = True, ""
        elif tag == "form":
            self._form = PageForm(a.get("action", ""), a.get("enctype", ""), labels=[self._summary or ""]
                                  if self._summary else [])
            self._summary = None
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None:
            if a.get("type") == "hidden":
                self._form.hidden[a["name"]] = a.get("value", "")
            elif a.get("type") == "file":
                self._form.file = a["name"]
            elif a.get("type") == "text":
                self._form.hidden[a["name"]] = a.get("value", "")  # a browser posts what the field holds
        elif tag == "textarea" and self._form is not None:
            self._form.words = a["name"]
        elif tag == "button":
            self._in_button, self._label = True, ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title"):
            self._skip -= 1
        if tag == "a" and self._href is not None:
            self.links.append((self._label.strip(), self._href))
            self._href = None
        elif tag == "summary":
            self._in_summary = False
        elif tag == "button" and self._form is not None:
            self._form.labels.append(self._label.strip())
            self._in_button = False
        elif tag == "form":
            self._form = None
        if tag in self.BLOCKS:
            self.lines.append("")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.lines[-1] += data
        if self._href is not None or self._in_button:
            self._label += data
        if self._in_summary and self._summary is not None:
            self._summary += data

    def text(self) -> str:
        return "\n".join(line.strip() for line in self.lines if line.strip())


@dataclass
class PageForm:
    action: str
    enctype: str
    labels: list[str] = field(default_factory=list)
    hidden: dict[str, str] = field(default_factory=dict)
    file: str = ""  # the name of its file field, if it takes a file
    words: str = ""  # the name of its text area, if it takes words


@dataclass
class PageView:
    url: str
    status: int
    links: dict[str, str]
    forms: list[PageForm]


@dataclass
class PageHead:
    """A head on their personal page, over HTTP like a browser: opens links, posts forms with the values the form
    carries (the anti-forgery value among them) from the page's own origin. They joined on Telegram (the page has no
    invite) and still read the bot's notices there: the page does not push."""

    both: Both
    channel: str = "page"
    limit: int = 20_000  # a page scrolls: no message limit
    joins: bool = False
    prompts: bool = False
    asks_on_stale_choice: bool = False
    link: str = ""
    pending: PageForm | None = None  # a form whose file or words the head is about to give
    chat: TelegramHead | None = None
    http: aiohttp.ClientSession | None = None
    seen: Screen | None = None

    # what the page shows for the outcome a chat names in these words
    WORDS: ClassVar[dict[str, str]] = {
        "Phòng Tổ chức cán bộ": "Việc của Trưởng phòng Telegram",  # the list is headed by the head, not the unit
        "Gửi tài liệu kiểm chứng cho 1.1": "Tài liệu kiểm chứng (PDF, Word, Excel hoặc ảnh)",
        "Đã lưu tài liệu kiểm chứng (1)": "Tài liệu kiểm chứng đã gửi (1)",
    }

    def says(self, words: str) -> str:
        return self.WORDS.get(words, words)

    async def refused(self, screen: Screen, label: str, then: bytes) -> str:
        """A page's form is judged when sent: the file goes, the answer is the refusal on the task's page."""
        answer = await self.choose(screen, label)
        return (await self.photo(then)).text if self.pending is not None else answer.text

    async def join(self, both: Both) -> None:
        self.chat = TelegramHead(both)
        await self.chat.join(both)
        given = await self.chat.say("/trang")  # the link as a head asks for it in their chat
        found = re.search(r"Có hiệu lực 30 ngày:\n(\S+)", given.text)
        assert found, given.text
        self.link = found.group(1)
        self.http = aiohttp.ClientSession()

    async def close(self) -> None:
        if self.http is not None:
            await self.http.close()

    def _screen(self, url: str, status: int, html: str) -> Screen:
        parsed = _Html()
        parsed.feed(html)
        base = self.both.page.base_url
        choices: dict[str, str] = {}
        links: dict[str, str] = {}
        for label, href in parsed.links:
            choices[label] = f"a{len(links)}"
            links[f"a{len(links)}"] = href if href.startswith("http") else base + href
        for n, form in enumerate(parsed.forms):
            for label in form.labels:
                choices[label] = f"f{n}"
        self.seen = Screen(parsed.text(), choices, PageView(url, status, links, parsed.forms))
        return self.seen

    async def _get(self, url: str) -> Screen:
        assert self.http is not None
        async with self.http.get(url) as r:
            return self._screen(url, r.status, await r.text())

    async def _post(self, view: PageView, form: PageForm, data: aiohttp.MultipartWriter | dict[str, str]) -> Screen:
        assert self.http is not None
        base = self.both.page.base_url
        url = form.action if form.action.startswith("http") else base + form.action
        async with self.http.post(url, data=data, headers={"Origin": base, "Referer": view.url}) as r:
            return self._screen(url, r.status, await r.text())

    async def card(self) -> Screen:
        """The reminder reached the head's chat; they open their page at the task and deadline it names."""
        assert self.chat is not None
        reminder = self.chat.last().text
        task = re.search(r"\b(\d+\.\d+)\b", reminder)
        due = re.search(r"\d\d/\d\d/\d{4}", reminder)
        assert task and due, reminder
        listing = await self._get(self.link + "?tab=all")
        rows = [label for label in listing.choices if f" {task.group(1)} " in label and due.group(0) in label]
        assert rows, listing.text
        return await self.choose(listing, rows[0])

    async def say(self, text: str) -> Screen:
        if self.pending is not None and self.pending.words:
            form, self.pending = self.pending, None
            assert self.seen is not None
            return await self._post(self.seen.raw, form, {**form.hidden, form.words: text})
        if text == "/viec":  # the page is the list of the head's tasks
            return await self._get(self.link)
        assert self.chat is not None  # anything else the head types goes to their chat
        return await self.chat.say(text)

    async def choose(self, screen: Screen, label: str) -> Screen:
        key = screen.choices[screen.find(label)]
        view: PageView = screen.raw
        if key in view.links:
            self.pending = None
            return await self._get(view.links[key])
        form = view.forms[int(key[1:])]
        if form.file or form.words:  # the head is about to choose the file or type the words
            self.pending = form
            self.seen = screen
            return screen
        self.pending = None
        return await self._post(view, form, dict(form.hidden))

    async def photo(self, content: bytes) -> Screen:
        """The chosen file form sent as a browser sends it: the form's values, and the file under its own name (a
        browser writes the name in UTF-8, unescaped)."""
        form = self.pending
        assert form is not None and form.file and self.seen is not None, "no file form chosen"
        with aiohttp.MultipartWriter("form-data") as body:
            for name, value in form.hidden.items():
                body.append(value).set_content_disposition("form-data", name=name)
            part = body.append(content, {"Content-Type": "image/jpeg"})
            part.headers["Content-Disposition"] = f'form-data; name="{form.file}"; filename="{PHOTO_NAME}"'
        return await self._post(self.seen.raw, form, body)

    def last(self) -> Screen:
        assert self.seen is not None
        return self.seen

    def received(self) -> list[str]:
        assert self.chat is not None
        return self.chat.received()


@pytest.fixture
def tasks() -> str:
    """Which plan: "one" task (the mini plan) or "three" (lists that need a second page)."""
    return "one"


@pytest.fixture(params=["telegram", "zalo", "page"])
async def head(request: pytest.FixtureRequest, tmp_path: Path, tasks: str) -> AsyncIterator[Head]:
    plan = MINI_PLAN
    if tasks == "three":
        plan = tmp_path / "mini-more.yaml"
        more = MORE_TASKS if request.param != "page" else more_tasks((2, 3, 4))  # the page lists 10 rows a page
        plan.write_text(MINI_PLAN.read_text(encoding="utf-8") + more, encoding="utf-8")
    async with running_both(tmp_path, plan) as both:
        heads = {"telegram": TelegramHead, "zalo": ZaloHead, "page": PageHead}
        person: Head = heads[request.param](both)
        await person.join(both)
        await both.tg.sweep_at(at("25/10/2019", 9))  # the office hears who joined
        try:
            yield person
        finally:
            await person.close()


def _both(head: Head) -> Both:
    return head.both  # type: ignore[attr-defined, no-any-return]


async def _card(head: Head) -> Screen:
    await _both(head).tg.sweep_at(at("30/10/2019"))
    card = await head.card()
    assert "Phòng Tổ chức cán bộ" in card.text and "19/11/2019" in card.text, card.text
    assert len(card.text) <= head.limit and len(card.choices) <= 12
    return card


def _statuses(head: Head) -> dict[str, str]:
    with Session(_both(head).tg.engine) as s:
        return {o.key: o.status for o in s.scalars(select(OccurrenceRow).where(OccurrenceRow.unit == "TCCB"))}


@pytest.mark.parametrize("tasks", ["three"])
async def test_invite_card_list_paging_and_task_card(head: Head) -> None:
    assert any("Trưởng phòng" in text for text in head.received())  # welcomed in the chat they joined
    if not head.joins:  # the page's head joined on Telegram, then opened the link /trang gave: it greets them
        assert "Việc của Trưởng phòng Telegram" in (await head.say("/viec")).text
    await _card(head)
    listing = await head.say("/viec")
    assert head.says("Phòng Tổ chức cán bộ") in listing.text and len(listing.text) <= head.limit
    everything = await head.choose(listing, "Tất cả")  # this year's by default; every year under "Tất cả"
    second = await head.choose(everything, "▶")
    assert second.text != listing.text and "1." in second.text
    first = await head.choose(second, "◀")
    task = await head.choose(first, "1.1 ")  # the first 1.1 (the button also names its deadline: 1.1 · dd/mm)
    assert "1.1" in task.text and "Ban hành kế hoạch CCHC" in task.text
    assert any("Hoàn thành" in label for label in task.choices), task.choices


async def test_evidence_done_and_the_office_accepts(head: Head) -> None:
    card = await _card(head)
    prompt = await head.choose(card, "Gửi tài liệu")
    assert head.says("Gửi tài liệu kiểm chứng cho 1.1") in prompt.text and "1.1" in prompt.text, prompt.text
    photo = b"\xff\xd8\xff\xe0 bien ban " * 40
    saved = await head.photo(photo)
    assert head.says("Đã lưu tài liệu kiểm chứng (1)") in saved.text, saved.text
    again = await head.photo(photo)  # the same file twice: refused, in the same words on every channel
    assert "đã có trong tài liệu kiểm chứng của nhiệm vụ này (không lưu lần nữa)" in again.text, again.text
    # a chat's evidence prompt is a wait the head ends; the page has none: ✅ stands beside its upload form
    finished = await head.choose(saved, "Đã gửi đủ tài liệu") if head.prompts else again
    submitted = await head.choose(finished, "Hoàn thành")
    assert "Đã gửi Văn phòng Sở xác nhận: 1.1" in submitted.text, submitted.text
    assert "awaiting_review" in _statuses(head).values()
    with Session(_both(head).tg.engine) as s:
        assert s.scalars(select(EvidenceRow.kind)).all() == ["photo"]
        if head.channel == "page":
            assert s.scalars(select(EvidenceRow.file_name)).all() == [PHOTO_NAME]

    tg = _both(head).tg
    notices = [m for m in await tg.sweep_at(at("30/10/2019", 8, 5)) if m.chat_id == ADMIN]
    (ask,) = [m for m in notices if "Đề nghị xác nhận" in (m.text or "")]
    accept = next(b["callback_data"] for row in ask.reply_markup["inline_keyboard"] for b in row
                  if b["callback_data"].startswith("rvok:"))
    await tg.press(ADMIN, ask, accept)
    await tg.sweep_at(at("30/10/2019", 8, 10))
    assert "done" in _statuses(head).values()
    assert any("1.1" in text and "xác nhận" in text.lower() for text in head.received()[-2:]), head.received()[-2:]
    # the card (or the page) the head still has: evidence for the accepted task is refused in the same words
    # (a chat refuses the choice: already_done; the page's form is judged when sent: evidence_closed, same rule)
    refused = await head.refused(card, "Gửi tài liệu", then=b"\xff\xd8\xff\xe0 bien ban moi " * 40)
    # (on Zalo the old card's number is out of date after the notice: the task, opened again, is done and offers
    # no 📎 at all)
    assert "đã được xác nhận hoàn thành" in refused or "đã xác nhận hoàn thành [1.1]" in refused \
        or (head.channel == "zalo" and "Trạng thái: ✅ đã xong" in refused), refused
    with Session(_both(head).tg.engine) as s:
        assert len(s.scalars(select(EvidenceRow)).all()) == 1


async def test_a_difficulty_with_the_offices_direction_and_a_cancelled_prompt(head: Head) -> None:
    card = await _card(head)
    prompt = await head.choose(card, "Báo vướng mắc")
    if head.prompts:
        cancelled = await head.choose(prompt, "Hủy")
        assert "Đã hủy" in cancelled.text, cancelled.text
        after = await head.say("thôi, không báo nữa")
        assert "chưa hiểu" in after.text
    else:  # the page's form is no prompt: it waits for the words, and nothing goes until the head sends it
        assert any("Gửi vướng mắc" in label for label in prompt.choices), prompt.choices
    with Session(_both(head).tg.engine) as s:
        assert s.scalars(select(BlockerRow)).all() == []

    await head.choose(card, "Báo vướng mắc")  # the card's choices still stand: the prompts offered none
    sent = await head.say("Thiếu kinh phí in tài liệu")
    assert "Đã gửi vướng mắc" in sent.text, sent.text

    tg = _both(head).tg
    (notice,) = [m for m in await tg.sweep_at(at("30/10/2019", 8, 5)) if m.chat_id == ADMIN]
    direction = next(b["callback_data"] for row in notice.reply_markup["inline_keyboard"] for b in row
                     if b["callback_data"].startswith("bkr:"))
    await tg.press(ADMIN, notice, direction)
    await tg.say(ADMIN, "Dùng kinh phí chi thường xuyên")
    await tg.sweep_at(at("30/10/2019", 8, 10))
    assert any("Dùng kinh phí chi thường xuyên" in text for text in head.received()[-2:]), head.received()[-2:]


async def test_done_from_an_older_message_acts_on_that_messages_task_only(head: Head) -> None:
    card = await _card(head)
    await head.say("/tiendo")  # another message after the card, without numbers
    answer = await head.choose(card, "Hoàn thành")
    if head.asks_on_stale_choice:  # a text channel: the number is not from the last menu, so it asks first
        assert any("Xác nhận" in label for label in answer.choices) and "Hoàn thành" in answer.text, answer.text
        assert "awaiting_review" not in _statuses(head).values()
        answer = await head.choose(answer, "Xác nhận")
    assert "Đã gửi Văn phòng Sở xác nhận: 1.1" in answer.text, answer.text
    assert list(_statuses(head).values()).count("awaiting_review") == 1
    if head.channel == "page":  # the page's form acted on the task it showed, and shows it again
        assert "1.1 Ban hành kế hoạch CCHC" in answer.text and "Đã gửi Văn phòng Sở, đang chờ xác nhận" in answer.text
    if not head.asks_on_stale_choice:  # a button or a form pressed twice (a double click) sends nothing more; a
        #                                   number typed again on a text channel reads against its latest menu
        again = await head.refused(card, "Hoàn thành", then=b"")
        assert "Nhiệm vụ này đã gửi Văn phòng Sở và đang chờ xác nhận." in again, again
        assert list(_statuses(head).values()).count("awaiting_review") == 1
