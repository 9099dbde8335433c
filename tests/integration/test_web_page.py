"""The personal web page: signed, expiring, revocable links; uploads checked; forms not forgeable."""

from __future__ import annotations

import hashlib
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
from bot.web.app import PersonalPage, WebServices, revoke_links
from bot.web.links import LinkError, form_token, read_link, sign_link
from tests.conftest import MINI_PLAN

T0 = datetime(2019, 11, 12, 2, 0, tzinfo=UTC)
SECRET = b"test-secret-0123456789"
HEAD, OTHER = 20, 30


@pytest.fixture
async def site(db: Engine, tmp_path: Path) -> AsyncIterator[tuple[str, WebServices, dict[str, int]]]:
    sync_plan(db, parse_plan(MINI_PLAN.read_text(encoding="utf-8"), "mini.yaml"), WorkCalendar(), T0)
    ensure_member(db, T0, chat_id=HEAD, user_id=HEAD, role="head", unit="TCCB", name="Trần Thị Bình")
    ensure_member(db, T0, chat_id=OTHER, user_id=OTHER, role="head", unit="KHTC", name="Lê Văn C")
    with socket_port() as port:
        base = f"http://127.0.0.1:{port}"
    services = WebServices(db, FixedClock(T0), ZoneInfo("Asia/Ho_Chi_Minh"), tmp_path / "ev", SECRET, base)
    runner = web.AppRunner(PersonalPage(services).app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
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
    def __enter__(self) -> int:
        import socket
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        port = int(self.sock.getsockname()[1])
        self.sock.close()
        return port

    def __exit__(self, *exc: object) -> None:
        pass


def _link(services: WebServices, db: Engine, member_id: int) -> str:
    with Session(db) as s:
        member = s.get(MemberRow, member_id)
        assert member is not None
        return services.link_for(member)


def _token(link: str) -> str:
    return link.rsplit("/", 1)[1]


async def _upload(session: aiohttp.ClientSession, base: str, link: str, occ: int, name: str, data: bytes,
                  form: str | None = None, origin: str | None = None) -> tuple[int, str]:
    body = aiohttp.FormData()
    body.add_field("form", form if form is not None else form_token(SECRET, _token(link)))
    body.add_field("file", data, filename=name, content_type="application/pdf")
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
    async with aiohttp.ClientSession() as session, session.get(_link(services, db, ids["TCCB"])) as response:
        html = await response.text()
    assert response.status == 200
    assert "Việc của Trần Thị Bình" in html and "1.1 Ban hành kế hoạch CCHC" in html
    assert "hạn" in html and "Gửi tài liệu" in html


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
