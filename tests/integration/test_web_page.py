"""The personal web page: signed, expiring, revocable links; uploads checked; forms not forgeable."""

from __future__ import annotations

import hashlib
import io
import re
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.members import ensure_member
from bot.db.models import AuditRow, EvidenceRow, MemberRow, OccurrenceRow
from bot.domain.clock import FixedClock
from bot.domain.workdays import WorkCalendar
from bot.engine.sync import sync_plan
from bot.plans.loader import parse_plan
from bot.services.archive import safe_file_name
from bot.services.channels import revoke_links
from bot.web.app import PersonalPage, WebServices
from bot.web.links import LinkError, form_token, read_link, sign_link
from tests.conftest import MINI_PLAN
from tests.ports import held_port

T0 = datetime(2019, 11, 12, 2, 0, tzinfo=UTC)
SECRET = b"test-secret-0123456789"
HEAD, OTHER = 20, 30


@pytest.fixture
async def site(db: Engine, tmp_path: Path) -> AsyncIterator[tuple[str, WebServices, dict[str, int]]]:
    sync_plan(db, parse_plan(MINI_PLAN.read_text(encoding="utf-8"), "mini.yaml"), WorkCalendar(), T0)
    ensure_member(db, T0, chat_id=HEAD, user_id=HEAD, role="head", unit="TCCB", name="Trần Thị Bình")
    ensure_member(db, T0, chat_id=OTHER, user_id=OTHER, role="head", unit="KHTC", name="Lê Văn C")
    sock = socket.socket()  # bound here and handed to the server: no other process can take the port meanwhile
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    services = WebServices(db, FixedClock(T0), ZoneInfo("Asia/Ho_Chi_Minh"), tmp_path / "ev", SECRET, base)
    runner = web.AppRunner(PersonalPage(services).app())
    await runner.setup()
    await web.SockSite(runner, sock).start()
    with Session(db) as s:
        members = {m.unit or "": m.id for m in s.scalars(select(MemberRow))}
        members["occ_TCCB"] = s.scalars(select(OccurrenceRow.id).where(OccurrenceRow.unit == "TCCB",
                                                                        OccurrenceRow.status == "open")
                                        .order_by(OccurrenceRow.due.desc())).first() or 0
        members["occ_KHTC"] = s.scalars(select(OccurrenceRow.id).where(OccurrenceRow.unit == "KHTC")).first() or 0
    try:
        yield base, services, members
    finally:
        await runner.cleanup()


class socket_port:
    """A port for a server in ANOTHER process (which binds it itself, with SO_REUSEADDR): held (tests/ports.py)
    until the block ends, so nothing else takes it meanwhile. In-process servers take the bound socket instead
    (web.SockSite above)."""

    def __enter__(self) -> int:
        self._held = held_port()
        return self._held.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._held.__exit__(None, None, None)


def _link(services: WebServices, db: Engine, member_id: int) -> str:
    with Session(db) as s:
        member = s.get(MemberRow, member_id)
        assert member is not None
        return services.link_for(member)


def _token(link: str) -> str:
    return link.rsplit("/", 1)[1]


async def _upload(session: aiohttp.ClientSession, base: str, link: str, occ: int, name: str, data: bytes,
                  form: str | None = None, origin: str | None = None,
                  details: dict[str, str] | None = None) -> tuple[int, str]:
    body = aiohttp.FormData()
    body.add_field("form", form if form is not None else form_token(SECRET, _token(link)))
    body.add_field("file", data, filename=name, content_type="application/pdf")
    for field, value in (details or {}).items():
        body.add_field(field, value)
    headers = {"Origin": origin or base}
    async with session.post(f"{link}/evidence/{occ}", data=body, headers=headers) as response:
        return response.status, await response.text()


def test_a_link_is_bound_to_its_member_and_expires() -> None:
    token = sign_link(SECRET, 7, 0, T0 + timedelta(days=1))
    assert read_link(SECRET, token, T0).member_id == 7
    forged = token.replace("7.", "8.", 1)
    for bad, now in ((forged, T0), (token, T0 + timedelta(days=2)), (token + "x", T0)):
        with pytest.raises(LinkError):
            read_link(SECRET, bad, now)
    with pytest.raises(LinkError):
        read_link(b"another-secret", token, T0)


async def test_the_page_lists_the_members_own_open_tasks_in_vietnamese(db: Engine, site: tuple) -> None:
    _base, services, ids = site
    link = _link(services, db, ids["TCCB"])
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{link}?tab=all") as response:
            html = await response.text()
        assert response.status == 200
        async with session.get(f"{link}/task/{ids['occ_TCCB']}") as response:
            task = await response.text()
    assert "Việc của Trần Thị Bình" in html and "1.1 Ban hành kế hoạch CCHC" in html and "hạn" in html
    assert "Gửi tài liệu" not in html and f'href="/p/{_token(link)}/task/{ids["occ_TCCB"]}' in html  # a list
    assert "1.1 Ban hành kế hoạch CCHC" in task and "Gửi tài liệu" in task and "✅ Hoàn thành" in task


async def test_a_pdf_sent_through_the_page_is_archived_with_its_sha256_and_audited(db: Engine, site: tuple) -> None:
    base, services, ids = site
    pdf = b"%PDF-1.4 quyet dinh " * 100
    name = "Quyết định số 123-QĐ-SGDĐT " + "rất dài " * 30 + ".pdf"
    link = _link(services, db, ids["TCCB"])
    async with aiohttp.ClientSession() as session:
        status, html = await _upload(session, base, link, ids["occ_TCCB"], name, pdf)
    assert status == 200, html
    assert "Đã nhận tài liệu kiểm chứng" in html
    with Session(db) as s:
        (row,) = s.scalars(select(EvidenceRow)).all()
        assert row.sha256 == hashlib.sha256(pdf).hexdigest()
        assert Path(row.stored_path or "").read_bytes() == pdf
        assert len(Path(row.stored_path or "").name.encode()) <= 255
        assert s.scalars(select(AuditRow.action).where(AuditRow.action == "evidence_added")).all()


async def test_another_units_task_a_forged_form_and_a_foreign_origin_are_refused(db: Engine, site: tuple) -> None:
    base, services, ids = site
    link = _link(services, db, ids["TCCB"])
    async with aiohttp.ClientSession() as session:
        other = await _upload(session, base, link, ids["occ_KHTC"], "a.pdf", b"%PDF")
        forged = await _upload(session, base, link, ids["occ_TCCB"], "a.pdf", b"%PDF", form="guess")
        foreign = await _upload(session, base, link, ids["occ_TCCB"], "a.pdf", b"%PDF", origin="https://evil.example")
    assert other[0] == 403 and "KHTC" in other[1]
    assert forged[0] == 403 and foreign[0] == 403
    with Session(db) as s:
        assert s.scalars(select(EvidenceRow)).all() == []


async def test_uploads_are_size_type_and_emptiness_checked(db: Engine, site: tuple) -> None:
    base, services, ids = site
    services.max_bytes = 1000
    link = _link(services, db, ids["TCCB"])
    async with aiohttp.ClientSession() as session:
        big = await _upload(session, base, link, ids["occ_TCCB"], "a.pdf", b"x" * 5000)
        exe = await _upload(session, base, link, ids["occ_TCCB"], "virus.exe", b"MZ")
        empty = await _upload(session, base, link, ids["occ_TCCB"], "a.pdf", b"")
    assert [big[0], exe[0], empty[0]] == [413, 415, 400]
    assert "0 byte" in empty[1]


async def test_a_revoked_or_expired_link_or_another_host_does_not_open(db: Engine, site: tuple) -> None:
    _base, services, ids = site
    link = _link(services, db, ids["TCCB"])
    async with aiohttp.ClientSession() as session:
        async with session.get(link.replace("127.0.0.1", "localhost")) as response:
            assert response.status == 404  # only over the configured base URL
        services.clock = FixedClock(T0 + timedelta(days=31))
        async with session.get(link) as response:
            assert response.status == 410 and "hết hạn" in await response.text()
        services.clock = FixedClock(T0)
        with Session(db) as s, s.begin():
            member = s.get(MemberRow, ids["TCCB"])
            assert member is not None
            revoke_links(s, member)
        async with session.get(link) as response:
            assert response.status == 410 and "thu hồi" in await response.text()


def test_long_vietnamese_file_names_fit_the_file_system_and_keep_their_extension() -> None:
    name = safe_file_name("Báo cáo " * 40 + ".docx", "x")
    assert name.endswith(".docx") and len(name.encode()) <= 200
    assert safe_file_name("../../etc/passwd", "x") == "passwd"


DETAILS = {"doc_number": "123/KH-SGDĐT", "doc_date": "05/03/2019", "doc_summary": "Kế hoạch CCHC năm 2019",
           "doc_issuer": "Sở Giáo dục và Đào tạo"}


def _stored(db: Engine, evidence_dir: Path) -> tuple[list[EvidenceRow], list[Path]]:
    with Session(db) as s:
        rows = list(s.scalars(select(EvidenceRow)))
    return rows, [p for p in evidence_dir.rglob("*") if p.is_file()] if evidence_dir.exists() else []


async def test_the_upload_form_asks_for_the_four_document_details_in_vietnamese(db: Engine, site: tuple) -> None:
    _base, services, ids = site
    async with aiohttp.ClientSession() as session, session.get(
            f"{_link(services, db, ids['TCCB'])}/task/{ids['occ_TCCB']}") as response:
        html = await response.text()
    for label in ("Số/ký hiệu, ví dụ 123/KH-SGDĐT", "Ngày ban hành (dd/mm/yyyy)", "Trích yếu", "Cơ quan ban hành",
                  "(không bắt buộc)"):
        assert label in html
    for name in ("doc_number", "doc_date", "doc_summary", "doc_issuer"):
        assert f'name="{name}"' in html
    assert 'name="doc_number" maxlength="64" value="" required' not in html  # optional unless the task says so


async def test_document_details_sent_with_the_file_are_stored_audited_and_exported(db: Engine, site: tuple) -> None:
    from openpyxl import load_workbook

    from bot.exports.records import load_snapshot
    from bot.exports.workbook import build_workbook

    base, services, ids = site
    link = _link(services, db, ids["TCCB"])
    async with aiohttp.ClientSession() as session:
        status, html = await _upload(session, base, link, ids["occ_TCCB"], "kh.pdf", b"%PDF-1.4", details=DETAILS)
        plain = await _upload(session, base, link, ids["occ_TCCB"], "anh.pdf", b"%PDF-1.4 b")
    assert status == 200, html
    assert "Đã ghi thông tin văn bản: 123/KH-SGDĐT · 05/03/2019 · Kế hoạch CCHC năm 2019" in html
    assert plain[0] == 200 and "Đã ghi thông tin" not in plain[1]
    with Session(db) as s:
        described, bare = s.scalars(select(EvidenceRow).order_by(EvidenceRow.id)).all()
        assert (described.doc_number, described.doc_date, described.doc_summary, described.doc_issuer) == (
            "123/KH-SGDĐT", datetime(2019, 3, 5).date(), "Kế hoạch CCHC năm 2019", "Sở Giáo dục và Đào tạo")
        assert bare.doc_number is None and bare.doc_date is None
        (audited,) = s.scalars(select(AuditRow).where(AuditRow.action == "evidence_described")).all()
        assert audited.actor == f"member:{ids['TCCB']}" and audited.details["number"] == "123/KH-SGDĐT"
        today = T0.date()
        record = next(e for e in load_snapshot(s, today).evidence if e.id == described.id)
        assert record.doc_number == "123/KH-SGDĐT" and record.doc_issuer == "Sở Giáo dục và Đào tạo"
        workbook = load_workbook(io.BytesIO(build_workbook(s, today)))
    cells = {str(c.value) for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value}
    assert "123/KH-SGDĐT" in cells and "Kế hoạch CCHC năm 2019" in cells


@pytest.mark.parametrize(("field", "value", "says"), [
    ("doc_date", "31/02/2019", "Ngày ban hành: \"31/02/2019\" không phải là một ngày"),
    ("doc_date", "01/01/2020", "Ngày ban hành: 01/01/2020 là ngày sau hôm nay"),
    ("doc_number", "1" * 65, "Số/ký hiệu: dài quá 64 ký tự"),
])
async def test_a_bad_detail_stores_nothing_names_the_field_and_keeps_what_was_typed(
        db: Engine, site: tuple, tmp_path: Path, field: str, value: str, says: str) -> None:
    base, services, ids = site
    link = _link(services, db, ids["TCCB"])
    async with aiohttp.ClientSession() as session:
        status, html = await _upload(session, base, link, ids["occ_TCCB"], "kh.pdf", b"%PDF-1.4",
                                     details={**DETAILS, field: value})
    assert status == 400
    assert says in html.replace("&quot;", '"') and "Tệp chưa được lưu" in html
    assert f'value="{value}"' in html and 'value="Kế hoạch CCHC năm 2019"' in html  # the form again, filled
    assert f'action="/p/{_token(link)}/evidence/{ids["occ_TCCB"]}"' in html
    assert _stored(db, tmp_path / "ev") == ([], [])


async def test_an_odd_number_is_stored_with_a_warning_as_in_the_chat(db: Engine, site: tuple) -> None:
    base, services, ids = site
    async with aiohttp.ClientSession() as session:
        status, html = await _upload(session, base, _link(services, db, ids["TCCB"]), ids["occ_TCCB"], "kh.pdf",
                                     b"%PDF", details={"doc_number": "Kế hoạch số 5"})
    assert status == 200 and "không giống dạng số/ký hiệu văn bản" in html
    with Session(db) as s:
        assert s.scalars(select(EvidenceRow.doc_number)).one() == "Kế hoạch số 5"


async def test_a_task_requiring_details_refuses_a_file_without_its_number_and_date(
        db: Engine, site: tuple, tmp_path: Path) -> None:
    from bot.db.models import TaskRow

    base, services, ids = site
    with Session(db) as s, s.begin():
        occ = s.get(OccurrenceRow, ids["occ_TCCB"])
        assert occ is not None
        task = s.get(TaskRow, occ.task_id)
        assert task is not None
        task.doc_meta_required = True
    link = _link(services, db, ids["TCCB"])
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{link}/task/{ids['occ_TCCB']}") as response:
            page_html = await response.text()
        none = await _upload(session, base, link, ids["occ_TCCB"], "kh.pdf", b"%PDF")
        number_only = await _upload(session, base, link, ids["occ_TCCB"], "kh.pdf", b"%PDF",
                                    details={"doc_number": "123/KH-SGDĐT"})
        assert _stored(db, tmp_path / "ev") == ([], [])
        both = await _upload(session, base, link, ids["occ_TCCB"], "kh.pdf", b"%PDF",
                             details={"doc_number": "123/KH-SGDĐT", "doc_date": "5/3/2019"})
    assert "nhiệm vụ này bắt buộc có số/ký hiệu và ngày ban hành" in page_html
    assert 'name="doc_date" maxlength="20" value="" inputmode="numeric" placeholder="05/03/2019" required' in page_html
    assert none[0] == 400 and "Còn thiếu: số/ký hiệu, ngày ban hành" in none[1]
    assert number_only[0] == 400 and "Còn thiếu: ngày ban hành" in number_only[1]
    assert 'value="123/KH-SGDĐT"' in number_only[1]
    assert both[0] == 200, both[1]
    with Session(db) as s:
        row = s.scalars(select(EvidenceRow)).one()
        assert row.doc_date == datetime(2019, 3, 5).date()


async def _act(session: aiohttp.ClientSession, base: str, link: str, what: str, occ: int,
               form: str | None = None, **fields: str) -> tuple[int, str]:
    data = {"form": form if form is not None else form_token(SECRET, _token(link)), **fields}
    async with session.post(f"{link}/{what}/{occ}", data=data, headers={"Origin": base}) as response:
        return response.status, await response.text()


async def test_done_and_a_difficulty_from_the_page_go_through_the_chats_services(db: Engine, site: tuple) -> None:
    from bot.db.models import BlockerRow

    base, services, ids = site
    link = _link(services, db, ids["TCCB"])
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{link}/task/{ids['occ_TCCB']}") as response:
            html = await response.text()
        assert "✅ Hoàn thành: gửi Văn phòng Sở xác nhận" in html and "⚠️ Báo vướng mắc" in html
        status, _html = await _act(session, base, link, "done", ids["occ_TCCB"], form="forged")
        assert status == 403
        status, text = await _act(session, base, link, "blocker", ids["occ_TCCB"], text="   ")
        assert status == 400 and "trống" in text.lower(), re.findall(r"<p[^>]*>(.*?)</p>", text)
        status, text = await _act(session, base, link, "blocker", ids["occ_TCCB"], text="Chưa có chữ ký Giám đốc")
        assert status == 200 and "Đã gửi vướng mắc tới Văn phòng Sở: 1.1" in text
        status, text = await _act(session, base, link, "done", ids["occ_KHTC"])
        assert status == 400 and "KHTC" in text  # another unit's task: refused
        status, text = await _act(session, base, link, "done", ids["occ_TCCB"])
        assert status == 200 and "Đã gửi Văn phòng Sở xác nhận: 1.1" in text
    with Session(db) as s:
        occ = s.get(OccurrenceRow, ids["occ_TCCB"])
        assert occ is not None and occ.status == "awaiting_review"
        (blocker,) = s.scalars(select(BlockerRow)).all()
        assert blocker.text == "Chưa có chữ ký Giám đốc"
        actions = set(s.scalars(select(AuditRow.action)))
    assert {"completion_submitted", "blocker_reported"} & actions


async def test_a_removed_members_link_never_comes_back_when_someone_joins_from_the_same_chat(
        db: Engine, site: tuple) -> None:
    """Attack: the office removes a head (410); a new head joins from the same (group) chat with a fresh invite.
    The old link stays dead and the newcomer is a new member: no links, name or history of the old one."""
    from bot.services import invites
    from bot.services.access import load_actor
    from bot.services.tasks import Event

    _base, services, ids = site
    ensure_member(db, T0, chat_id=1, user_id=1, role="admin", unit="VP", name="Văn phòng")
    old_link = _link(services, db, ids["TCCB"])
    async with aiohttp.ClientSession() as session:
        async with session.get(old_link) as response:
            assert response.status == 200
        with Session(db) as s, s.begin():
            admin = load_actor(s, 1, 1)
            invites.remove_member(s, admin, ids["TCCB"], Event(T0, 1))
        async with session.get(old_link) as response:
            assert response.status == 410
        with Session(db) as s, s.begin():
            code = invites.create_invite(s, load_actor(s, 1, 1), "TCCB", Event(T0, 2)).code
            invites.accept_invite(s, code, 99, HEAD, "Người mới", Event(T0, 3))  # same chat, another person
        async with session.get(old_link) as response:
            assert response.status == 410  # dead for good
        with Session(db) as s:
            rows = s.scalars(select(MemberRow).where(MemberRow.chat_id == HEAD).order_by(MemberRow.id)).all()
        assert [(r.id == ids["TCCB"], r.active, r.name) for r in rows] == [
            (True, False, "Trần Thị Bình"), (False, True, "Người mới")]
        async with session.get(_link(services, db, rows[1].id)) as response:
            assert response.status == 200  # the newcomer's own link works
# --- the page and the chat apply one rule, from the service both call (issue 18) --------------------------

async def test_the_same_bytes_sent_twice_are_stored_once_as_in_the_chat(db: Engine, site: tuple) -> None:
    base, services, ids = site
    link = _link(services, db, ids["TCCB"])
    pdf = b"%PDF-1.4 ke hoach tuyen truyen " * 20
    async with aiohttp.ClientSession() as session:
        first = await _upload(session, base, link, ids["occ_TCCB"], "ke-hoach.pdf", pdf)
        second = await _upload(session, base, link, ids["occ_TCCB"], "ke-hoach-ban-2.pdf", pdf)
    assert first[0] == 200, first[1]
    assert second[0] != 200 and "ke-hoach-ban-2.pdf" in second[1] and "không lưu lần nữa" in second[1], second[1]
    with Session(db) as s:
        assert len(s.scalars(select(EvidenceRow)).all()) == 1


def test_the_service_refuses_a_second_copy_for_the_chat_too(db: Engine, site: tuple) -> None:
    from bot.services import tasks
    from bot.services.access import Refused, load_actor

    _base, _services, ids = site
    with Session(db) as s, s.begin():
        actor = load_actor(s, HEAD, HEAD)
        tasks.add_evidence(s, actor, ids["occ_TCCB"], tasks.Event(T0), kind="document", file_name="a.pdf",
                           sha256="ab" * 32)
        with pytest.raises(Refused) as refused:
            tasks.add_evidence(s, actor, ids["occ_TCCB"], tasks.Event(T0), kind="document", file_name="b.pdf",
                               sha256="ab" * 32)
    assert refused.value.key == "evidence_duplicate"


def _close(db: Engine, occurrence_id: int) -> None:
    """What the office's bulk close (`bot.services.closing`) writes on one occurrence."""
    with Session(db) as s, s.begin():
        occ = s.get(OccurrenceRow, occurrence_id)
        assert occ is not None
        occ.status, occ.closed_at, occ.closed_reason = "closed", T0, "Trước khi triển khai bot"


async def test_a_task_the_office_closed_takes_no_evidence_in_chat_nor_on_the_page(db: Engine, site: tuple) -> None:
    from bot.services import tasks
    from bot.services.access import Refused, load_actor

    base, services, ids = site
    _close(db, ids["occ_TCCB"])
    refusals = []
    with Session(db) as s, s.begin():  # the chat: 📎 and a file arriving on an evidence step
        actor = load_actor(s, HEAD, HEAD)
        for attempt in (lambda: tasks.start_evidence(s, actor, ids["occ_TCCB"], tasks.Event(T0)),
                        lambda: tasks.add_evidence(s, actor, ids["occ_TCCB"], tasks.Event(T0), kind="text",
                                                   text="https://example.vn/ke-hoach")):
            with pytest.raises(Refused) as refused:
                attempt()
            refusals.append(refused.value.key)
    assert refusals == ["evidence_task_closed", "evidence_task_closed"]
    link = _link(services, db, ids["TCCB"])
    async with aiohttp.ClientSession() as session:
        status, html = await _upload(session, base, link, ids["occ_TCCB"], "a.pdf", b"%PDF-1.4 x")
    assert status != 200 and "Trước khi triển khai bot" in html and "đã đóng" in html, html
    with Session(db) as s:
        assert s.scalars(select(EvidenceRow)).all() == []


# --- the page as a short list of tabs, one task's form at a time (issue 18) ------------------------------

def _rows(html: str) -> list[str]:
    return re.findall(r'<li><a href="(/p/[^"]+/task/\d+)[^"]*">', html)


async def _whole_tab(session: aiohttp.ClientSession, base: str, link: str, tab: str) -> tuple[int, list[str]]:
    """The count on the tab's label, and the rows of every page of the tab (following ▶)."""
    url, rows, count = f"{link}?tab={tab}", [], -1
    for _ in range(50):
        async with session.get(url) as response:
            html = await response.text()
        label = re.search(r'aria-current="page">[^<]*\((\d+)\)</a>', html)
        assert label is not None, html
        count = int(label[1])
        rows += _rows(html)
        following = re.search(r'<a href="([^"]+)" rel="next">', html)
        if following is None:
            return count, rows
        url = base + following[1].replace("&amp;", "&")
    raise AssertionError("too many pages")


async def test_each_tab_holds_as_many_tasks_as_its_label_says_paged(db: Engine, site: tuple) -> None:
    from bot.services import personal
    from bot.services.access import load_actor

    base, services, ids = site
    link = _link(services, db, ids["TCCB"])
    async with aiohttp.ClientSession() as session:
        found = {tab: await _whole_tab(session, base, link, tab) for tab in ("late", "next", "all")}
        async with session.get(link) as response:
            first = await response.text()
    for tab, (count, rows) in found.items():
        assert count == len(rows) == len(set(rows)), (tab, count, rows)
    assert found["late"][0] > 0 and found["next"][0] > 0 and found["all"][0] > found["late"][0]
    assert set(found["late"][1]) | set(found["next"][1]) <= set(found["all"][1])
    assert "Quá hạn (" in first and 'class="on"' in first and len(_rows(first)) <= personal.PAGE_SIZE
    with Session(db) as s:  # pages of 2: every row once, in the same order as one long page
        actor = load_actor(s, HEAD, HEAD)
        whole = personal.task_list(s, actor, T0.date(), "all", 0, size=1000)
        paged = [r for p in range(-(-whole.counts["all"] // 2))
                 for r in personal.task_list(s, actor, T0.date(), "all", p, size=2).rows]
        assert [r.item for r in paged] == [r.item for r in whole.rows]
        overdue = personal.task_list(s, actor, T0.date(), "late", 0, size=1000).rows
        assert all(r.item.subject.due < T0.date() for r in overdue)


async def test_a_returned_task_shows_why_in_the_list_and_on_its_page(db: Engine, site: tuple) -> None:
    from bot.services import review, tasks
    from bot.services.access import load_actor

    base, services, ids = site
    ensure_member(db, T0, chat_id=1, user_id=1, role="admin", unit="VP", name="Văn phòng")
    occ = ids["occ_TCCB"]
    with Session(db) as s, s.begin():
        head, office = load_actor(s, HEAD, HEAD), load_actor(s, 1, 1)
        submitted = tasks.confirm_done(s, head, occ, tasks.Event(T0))
        review.return_with_reason(s, office, submitted.id, "Thiếu quyết định ban hành kèm theo", tasks.Event(T0))
    link = _link(services, db, ids["TCCB"])
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{link}?tab=all") as response:
            listing = await response.text()
        async with session.get(link) as response:
            first = await response.text()
        async with session.get(f"{link}/task/{occ}") as response:
            task = await response.text()
    assert "Văn phòng Sở trả lại. Lý do: Thiếu quyết định ban hành kèm theo" in listing
    assert occ not in {int(r.rsplit("/", 1)[1]) for r in _rows(first)}  # due in 2020: not in the first tab,
    assert "Văn phòng Sở trả lại, cần bổ sung (1)" in first and f"/task/{occ}" in first  # yet above the tabs
    assert "Văn phòng Sở trả lại, đề nghị bổ sung:\nLý do: Thiếu quyết định ban hành kèm theo" in task
    assert "Gửi tài liệu" in task and "✅ Hoàn thành" in task


async def test_another_units_task_page_does_not_open(db: Engine, site: tuple) -> None:
    _base, services, ids = site
    async with aiohttp.ClientSession() as session, session.get(
            f"{_link(services, db, ids['TCCB'])}/task/{ids['occ_KHTC']}") as response:
        html = await response.text()
    assert response.status == 403 and "KHTC" in html and "Gửi tài liệu" not in html


async def test_a_task_the_office_closed_cannot_be_submitted_in_chat_nor_from_the_page(db: Engine, site: tuple) -> None:
    from bot.services import tasks
    from bot.services.access import Refused, load_actor

    base, services, ids = site
    _close(db, ids["occ_TCCB"])
    link = _link(services, db, ids["TCCB"])
    async with aiohttp.ClientSession() as session:
        status, html = await _act(session, base, link, "done", ids["occ_TCCB"])
        async with session.get(f"{link}/task/{ids['occ_TCCB']}") as response:
            page_html = await response.text()
    assert status == 400 and "Trước khi triển khai bot" in html and "không cần báo hoàn thành" in html, html
    assert "Văn phòng Sở đã đóng hạn này: Trước khi triển khai bot" in page_html and "Gửi tài liệu" not in page_html
    with Session(db) as s, s.begin():
        with pytest.raises(Refused) as refused:  # ✅ in the chat calls the same service
            tasks.confirm_done(s, load_actor(s, HEAD, HEAD), ids["occ_TCCB"], tasks.Event(T0))
        assert refused.value.key == "task_closed"
        assert s.get(OccurrenceRow, ids["occ_TCCB"]).status == "closed"  # type: ignore[union-attr]


async def test_figures_have_their_own_tab_and_a_saved_value_comes_back_to_it(db: Engine, site: tuple) -> None:
    from bot.db.models import MetricRow, MetricValueRow

    base, services, ids = site
    metrics = ("    metrics:\n      - {id: dung-han, name: Tỷ lệ hồ sơ đúng hạn, kind: percent, target: 100, "
               'comparison: ">="}\n')
    anchor = "    title: Ban hành kế hoạch CCHC\n"
    text = MINI_PLAN.read_text(encoding="utf-8").replace(anchor, anchor + metrics)
    sync_plan(db, parse_plan(text, "mini.yaml"), WorkCalendar(), T0)
    with Session(db) as s:
        metric = s.scalars(select(MetricRow.id)).one()
    link = _link(services, db, ids["TCCB"])
    async with aiohttp.ClientSession() as session:
        async with session.get(link) as response:
            listing = await response.text()
        async with session.get(f"{link}?tab=metrics") as response:
            figures = await response.text()
        status, saved = await _act(session, base, link, "metric", metric, value="87,5")
    assert "Số liệu (1)" in listing and "Tỷ lệ hồ sơ đúng hạn" not in listing  # a tab, not under the list
    assert "Tỷ lệ hồ sơ đúng hạn" in figures and f'action="/p/{_token(link)}/metric/{metric}"' in figures
    assert status == 200 and "Đã ghi Tỷ lệ hồ sơ đúng hạn: 87,5" in saved and 'aria-current="page">Số liệu' in saved
    with Session(db) as s:
        assert s.scalars(select(MetricValueRow.value)).one() == 87.5


async def test_an_acting_head_opens_and_sends_the_units_task_only_on_the_days_given(db: Engine, site: tuple) -> None:
    """The page loads who acts with the day: an acting head's rights apply there as in the chat."""
    from datetime import date

    from bot.services.access import load_actor
    from bot.services.delegation import cancel_acting_head, set_acting_head
    from bot.services.tasks import Event

    base, services, ids = site
    deputy = ensure_member(db, T0, chat_id=40, user_id=40, role="staff", unit="TCCB", name="Phó phòng")
    with Session(db) as s, s.begin():
        acting = set_acting_head(s, load_actor(s, HEAD, HEAD), "TCCB", deputy, date(2019, 11, 11),
                                 date(2019, 11, 15), Event(T0)).id
    link = _link(services, db, deputy)
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{link}/task/{ids['occ_TCCB']}") as response:
            assert response.status == 200, await response.text()
        status, _text = await _upload(session, base, link, ids["occ_TCCB"], "bao-cao.pdf", b"%PDF-1.4 thay mat")
        assert status == 200
        with Session(db) as s, s.begin():
            cancel_acting_head(s, load_actor(s, HEAD, HEAD), acting, Event(T0))
        async with session.get(f"{link}/task/{ids['occ_TCCB']}") as response:
            assert response.status == 403  # cancelled: the unit's task is no longer theirs
    with Session(db) as s:
        assert s.scalar(select(EvidenceRow).where(EvidenceRow.occurrence_id == ids["occ_TCCB"])) is not None


async def test_a_head_of_two_units_reads_each_rows_unit_and_a_head_of_one_does_not(db: Engine, site: tuple) -> None:
    """The list names the unit of every row only when it holds more than one unit's work (two units, or
    standing in for another head): a head of one unit reads their tasks without it."""
    _base, services, ids = site

    async def rows(member_id: int) -> list[str]:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{_link(services, db, member_id)}?tab=all") as response:
                html = await response.text()
        return re.findall(r'<span class="due[^"]*">([^<]*)</span>', html)

    single = await rows(ids["TCCB"])
    assert single and not any("Phòng" in row for row in single), single
    ensure_member(db, T0, chat_id=HEAD, user_id=HEAD, role="head", unit="KHTC", name="Trần Thị Bình")
    both = await rows(ids["TCCB"])
    assert any(row.endswith("Phòng Tổ chức cán bộ") for row in both), both
    assert any(row.endswith("Phòng Kế hoạch - Tài chính") for row in both), both
