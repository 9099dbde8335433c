"""The office console: sign-in from a one-time link, sessions, anti-forgery, roles and units on every route,
and review at a desk (files shown inline, accept several of one unit, return with a reason)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from yarl import URL

from bot.console.app import COOKIE, Console
from bot.console.sessions import LINK_TTL, SESSION_TTL
from bot.db.models import AuditRow, ConsoleSessionRow, EvidenceRow, OccurrenceRow, ReviewRow
from bot.services.access import Refused
from tests.integration.console_world import World, build, load_criteria, sign_in_link


@pytest.fixture
async def site(db: Engine, tmp_path: Path, free_port: Callable[[], int]) -> AsyncIterator[tuple[World, TestServer]]:
    port = free_port()
    world = build(db, tmp_path / "evidence", port)
    app = web.Application()
    app.add_subapp("/console/", Console(world.services).app())
    server = TestServer(app, host="127.0.0.1", port=port)
    await server.start_server()
    try:
        yield world, server
    finally:
        await server.close()


def browser(world: World) -> aiohttp.ClientSession:
    """A client that keeps cookies for 127.0.0.1 (a browser does)."""
    return aiohttp.ClientSession(base_url=world.base, cookie_jar=aiohttp.CookieJar(unsafe=True))


async def signed_in(world: World, server: TestServer, who: str) -> aiohttp.ClientSession:
    client = browser(world)
    link = sign_in_link(world, who)
    path = link.removeprefix(world.base)
    async with client.get(path) as shown:
        assert shown.status == 200 and "Đăng nhập" in await shown.text()
    async with client.post(path, headers={"Origin": world.base}, allow_redirects=False) as response:
        assert response.status == 303, await response.text()
        cookie = response.cookies[COOKIE]
        assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/console/"
    return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found[1]


async def page(client: aiohttp.ClientSession, path: str) -> tuple[int, str]:
    async with client.get(path) as response:
        return response.status, (await response.read()).decode("utf-8", errors="replace")


async def post(client: aiohttp.ClientSession, world: World, path: str, data: dict[str, object] | list[tuple[str, str]],
               origin: str | None = None) -> tuple[int, str]:
    async with client.post(path, data=data, headers={"Origin": origin or world.base}) as response:
        return response.status, await response.text()


async def test_a_sign_in_link_opens_a_session_once_and_the_overview_speaks_vietnamese(site: tuple) -> None:
    world, server = site
    client = await signed_in(world, server, "admin")
    status, html = await page(client, "/console/")
    assert status == 200 and "Tổng quan" in html and "Nguyễn Văn An" in html
    assert 'id="pending">4<' in html  # four completions await the office
    link = sign_in_link(world, "admin").removeprefix(world.base)
    async with client.post(link, headers={"Origin": world.base}, allow_redirects=False) as first:
        assert first.status == 303
    async with client.post(link, headers={"Origin": world.base}) as again:
        assert again.status == 410 and "đã được dùng" in await again.text()
    await client.close()


async def test_an_expired_link_and_an_unknown_link_open_nothing(site: tuple) -> None:
    world, server = site
    link = sign_in_link(world, "TCCB").removeprefix(world.base)
    world.clock.current += LINK_TTL + timedelta(seconds=1)
    async with browser(world) as client:
        async with client.post(link, headers={"Origin": world.base}) as expired:
            assert expired.status == 410 and "hết hạn" in await expired.text()
        async with client.post("/console/login/abcdefghijklmnop", headers={"Origin": world.base}) as bad:
            assert bad.status == 403
        status, html = await page(client, "/console/")
        assert status == 401 and "/bangdieukhien" in html


async def test_a_session_expires_and_signing_out_ends_it_on_the_server(site: tuple, db: Engine) -> None:
    world, server = site
    client = await signed_in(world, server, "leader")
    cookie = client.cookie_jar.filter_cookies(URL(world.base + "/console/"))[COOKIE].value
    status, html = await page(client, "/console/")
    assert status == 200
    assert (await post(client, world, "/console/logout", {"csrf": csrf_of(html)}))[0] == 200
    assert (await page(client, "/console/"))[0] == 401
    client.cookie_jar.update_cookies({COOKIE: cookie}, URL(world.base + "/console/"))  # a stolen copy
    assert (await page(client, "/console/"))[0] == 401
    await client.close()
    later = await signed_in(world, server, "leader")
    world.clock.current += SESSION_TTL
    assert (await page(later, "/console/"))[0] == 401
    await later.close()
    with Session(db) as s:
        actions = set(s.scalars(select(AuditRow.action).where(AuditRow.action.like("console_%"))))
    assert {"console_link_made", "console_signed_in", "console_signed_out"} <= actions


async def test_the_office_ends_another_persons_session(site: tuple, db: Engine) -> None:
    world, server = site
    head = await signed_in(world, server, "TCCB")
    office = await signed_in(world, server, "admin")
    status, html = await page(office, "/console/sessions")
    assert status == 200 and "Trần Thị Bình" in html
    with Session(db) as s:
        session_id = s.scalars(select(ConsoleSessionRow.id).where(
            ConsoleSessionRow.member_id == world.members["TCCB"])).one()
    assert (await post(office, world, f"/console/sessions/{session_id}/end", {"csrf": csrf_of(html)}))[0] == 200
    assert (await page(head, "/console/"))[0] == 401
    await head.close()
    await office.close()


async def test_a_forged_form_is_refused_without_the_token_or_from_another_origin(site: tuple, db: Engine) -> None:
    world, server = site
    client = await signed_in(world, server, "admin")
    _status, html = await page(client, "/console/review")
    review_id = world.reviews["TCCB"][0]
    for data, origin in (({"review": str(review_id)}, None), ({"review": str(review_id), "csrf": "forged"}, None),
                         ({"review": str(review_id), "csrf": csrf_of(html)}, "https://evil.example")):
        status, text = await post(client, world, "/console/review/accept", data, origin)
        assert status == 403 and "không được gửi từ bảng điều khiển" in text
    with Session(db) as s:
        assert s.get(ReviewRow, review_id).decision is None  # type: ignore[union-attr]
    await client.close()


async def test_leadership_reads_the_overview_but_cannot_review_or_manage(site: tuple, db: Engine) -> None:
    world, server = site
    client = await signed_in(world, server, "leader")
    status, html = await page(client, "/console/")
    assert status == 200 and "Theo lĩnh vực" in html
    token = csrf_of(html)
    for path in ("/console/review", f"/console/review/{world.reviews['TCCB'][0]}", "/console/sessions"):
        assert (await page(client, path))[0] == 403
    status, _text = await post(client, world, "/console/review/accept",
                               {"review": str(world.reviews["TCCB"][0]), "csrf": token})
    assert status == 403
    with Session(db) as s:
        assert s.get(ReviewRow, world.reviews["TCCB"][0]).decision is None  # type: ignore[union-attr]
    await client.close()


async def test_a_head_sees_only_their_own_units_tasks_and_files(site: tuple, db: Engine) -> None:
    world, server = site
    client = await signed_in(world, server, "TCCB")
    status, html = await page(client, "/console/")
    assert status == 200 and "Phòng Tổ chức cán bộ" in html and "Phòng Kế hoạch - Tài chính" not in html
    with Session(db) as s:
        own, other = (s.scalars(select(EvidenceRow.id).join(OccurrenceRow, OccurrenceRow.id ==
                                                             EvidenceRow.occurrence_id)
                                .where(OccurrenceRow.unit == unit)).first() for unit in ("TCCB", "KHTC"))
    assert (await page(client, f"/console/file/{own}"))[0] == 200
    assert (await page(client, f"/console/file/{other}"))[0] == 403
    assert (await page(client, "/console/review"))[0] == 403
    await client.close()


async def test_the_review_shows_the_pdf_inline_with_its_document_details(site: tuple) -> None:
    world, server = site
    client = await signed_in(world, server, "admin")
    status, html = await page(client, f"/console/review/{world.reviews['TCCB'][0]}")
    assert status == 200
    assert "45/KH-TCCB" in html and "12/03/2019" in html and "Sở Giáo dục và Đào tạo" in html
    src = re.search(r'<iframe class="viewer" src="([^"]+)"', html)
    assert src
    async with client.get(src[1]) as response:
        assert response.status == 200 and response.content_type == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("inline;")
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert (await response.read()).startswith(b"%PDF")
    status, html = await page(client, f"/console/review/{world.reviews['TCCB'][1]}")
    assert re.search(r'<img class="viewer" src="/console/file/\d+"', html)
    await client.close()


async def test_a_file_outside_the_evidence_folder_is_never_served(site: tuple, db: Engine, tmp_path: Path) -> None:
    world, server = site
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF secret")
    with Session(db) as s, s.begin():
        row = s.scalars(select(EvidenceRow)).first()
        assert row is not None
        row.stored_path, evidence_id = str(world.services.evidence_dir / ".." / "secret.pdf"), row.id
    client = await signed_in(world, server, "admin")
    status, text = await page(client, f"/console/file/{evidence_id}")
    assert status == 404 and "secret" not in text.replace("secret.pdf", "")
    await client.close()


async def test_accepting_several_of_one_unit_at_once_and_refusing_a_mix_of_units(site: tuple, db: Engine) -> None:
    world, server = site
    client = await signed_in(world, server, "admin")
    _status, html = await page(client, "/console/review")
    token = csrf_of(html)
    mixed = [("csrf", token), ("review", str(world.reviews["TCCB"][0])), ("review", str(world.reviews["KHTC"][0]))]
    status, text = await post(client, world, "/console/review/accept", mixed)
    assert status == 400 and "từng đơn vị" in text
    both = [("csrf", token)] + [("review", str(r)) for r in world.reviews["TCCB"]]
    status, text = await post(client, world, "/console/review/accept", both)
    assert status == 200 and "Đã tiếp nhận 2 kết quả của TCCB" in text
    with Session(db) as s:
        decisions = {r.id: r.decision for r in s.scalars(select(ReviewRow))}
        audited = s.scalars(select(AuditRow.actor).where(AuditRow.action == "review_accepted")).all()
    assert [decisions[r] for r in world.reviews["TCCB"]] == ["accepted", "accepted"]
    assert [decisions[r] for r in world.reviews["KHTC"]] == [None, None]
    assert audited == [f"member:{world.members['admin']}"] * 2
    await client.close()


async def test_returning_needs_a_reason_and_reopens_the_task(site: tuple, db: Engine) -> None:
    world, server = site
    client = await signed_in(world, server, "admin")
    review_id = world.reviews["KHTC"][0]
    _status, html = await page(client, f"/console/review/{review_id}")
    token = csrf_of(html)
    status, _text = await post(client, world, f"/console/review/{review_id}/return", {"csrf": token, "reason": " "})
    assert status == 400
    status, text = await post(client, world, f"/console/review/{review_id}/return",
                              {"csrf": token, "reason": "Thiếu số/ký hiệu <b>văn bản</b>"})
    assert status == 200 and "KHTC" in text
    with Session(db) as s:
        review = s.get(ReviewRow, review_id)
        assert review is not None and review.decision == "returned"
        assert s.get(OccurrenceRow, review.occurrence_id).status == "returned"  # type: ignore[union-attr]
    status, html = await page(client, f"/console/review/{review_id}")
    assert "&lt;b&gt;văn bản&lt;/b&gt;" in html and "<b>văn bản</b>" not in html
    await client.close()


async def test_another_host_name_gets_nothing(site: tuple) -> None:
    world, server = site
    client = await signed_in(world, server, "admin")
    async with client.get("/console/", headers={"Host": "evil.example"}) as response:
        assert response.status == 404
    await client.close()


def test_console_link_prints_a_working_link_for_the_first_admin(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main
    from bot.console.sessions import redeem
    from bot.db.engine import make_engine
    from tests.integration.test_close_cli import _config

    config = _config(tmp_path)
    assert main(["console-link", "quantri", "--config", str(config)]) == 2  # the console is off
    assert "web.base_url" in capsys.readouterr().err
    config.write_text(config.read_text(encoding="utf-8") + "web:\n  base_url: https://nv.example.vn\n  secret: k\n",
                      encoding="utf-8")
    assert main(["console-link", "quantri", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    found = re.search(r"https://nv\.example\.vn/console/login/(\S+)", out)
    assert found and "dùng một lần" in out
    assert main(["console-link", "lanhdao", "--config", str(config)]) == 2  # no leader yet
    assert "lanhdao" in capsys.readouterr().err
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    with Session(engine) as s, s.begin():
        _cookie, row = redeem(s, found[1], datetime(2019, 10, 25, 1, 5, tzinfo=UTC))
        assert row.member_id > 0
    engine.dispose()


def test_the_chat_command_gives_a_link_to_a_known_member_only(db: Engine, tmp_path: Path,
                                                             free_port: Callable[[], int]) -> None:
    from bot.console.chatwords import sign_in_message
    from bot.services.access import load_actor
    from bot.services.tasks import Event

    world = build(db, tmp_path / "evidence", free_port(), reviews_per_unit=0)
    with Session(db) as s, s.begin():
        head = load_actor(s, 20, 20)
        text = sign_in_message(s, head, world.base, Event(world.clock.now()))
        assert f"{world.base}/console/login/" in text and "30 phút" in text
        assert "chưa được bật" in sign_in_message(s, head, None, Event(world.clock.now()))
        with pytest.raises(Refused):
            sign_in_message(s, load_actor(s, 999, 999), world.base, Event(world.clock.now()))


async def test_bulk_invites_from_a_csv_make_one_code_per_good_row_and_name_the_bad_ones(site: tuple,
                                                                                       db: Engine) -> None:
    world, server = site
    client = await signed_in(world, server, "admin")
    _status, html = await page(client, "/console/people")
    assert "Trần Thị Bình" in html and "Telegram" in html
    roster = ("Họ tên;Đơn vị;Chức vụ;Điện thoại\nHoàng Văn Em;TCCB;Phó trưởng phòng;0912345678\n"
              "Đỗ Thị Gấm;Phòng Kế hoạch - Tài chính;Chuyên viên;gam@example.vn\nAi Đó;XYZ;;\n").encode()
    form = aiohttp.FormData()
    form.add_field("csrf", csrf_of(html))
    form.add_field("file", roster, filename="danh-sach.csv", content_type="text/csv")
    status, html = await post(client, world, "/console/people/bulk", form)  # type: ignore[arg-type]
    assert status == 200 and "Đã tạo 2 lời mời; 1 dòng cần sửa" in html
    codes = re.findall(r"<code>([A-Za-z0-9_-]{20,})</code>", html)
    assert len(codes) == 2 and 'đơn vị &#34;XYZ&#34; không có trong kế hoạch' in html
    with Session(db) as s:
        from bot.db.models import InviteRow
        made = s.scalars(select(InviteRow).where(InviteRow.code.in_(codes))).all()
        assert sorted(i.unit for i in made) == ["KHTC", "TCCB"]  # type: ignore[type-var]
        first = made[0].id
    status, html = await post(client, world, f"/console/invites/{first}/revoke", {"csrf": csrf_of(html)})
    assert status == 200 and "Đã hủy lời mời" in html
    with Session(db) as s:
        assert s.scalar(select(AuditRow.actor).where(AuditRow.action == "invite_revoked")) == \
            f"member:{world.members['admin']}"
    await client.close()


async def test_removing_a_member_asks_first_and_signs_them_out(site: tuple, db: Engine) -> None:
    world, server = site
    head = await signed_in(world, server, "KHTC")
    office = await signed_in(world, server, "admin")
    status, html = await page(office, f"/console/people/{world.members['KHTC']}/remove")
    assert status == 200 and "Xóa Lê Văn Cường?" in html and "Đồng ý xóa" in html
    assert (await page(head, "/console/"))[0] == 200  # asking changed nothing
    status, html = await post(office, world, f"/console/people/{world.members['KHTC']}/remove",
                              {"csrf": csrf_of(html)})
    assert status == 200 and "Đã xóa Lê Văn Cường" in html
    assert (await page(head, "/console/"))[0] == 401
    assert (await page(head, "/console/people"))[0] == 401
    await head.close()
    await office.close()


async def test_closing_before_a_date_shows_the_count_first_then_closes(site: tuple, db: Engine) -> None:
    world, server = site
    client = await signed_in(world, server, "admin")
    _status, html = await page(client, "/console/plan")
    data = {"csrf": csrf_of(html), "before": "01/11/2019", "reason": "Trước khi triển khai"}
    with Session(db) as s:
        before = s.scalar(select(func.count()).select_from(OccurrenceRow).where(OccurrenceRow.status == "closed"))
    status, html = await post(client, world, "/console/plan/close", data)
    assert status == 200 and "Bấm nút một lần nữa để xác nhận" in html
    count = int(re.search(r"Sẽ đóng (\d+) nội dung", html)[1])  # type: ignore[index]
    assert count > 0
    with Session(db) as s:
        assert s.scalar(select(func.count()).select_from(OccurrenceRow).where(
            OccurrenceRow.status == "closed")) == before
    status, html = await post(client, world, "/console/plan/close", {**data, "confirm": "1"})
    assert status == 200 and f"Đã đóng {count} nội dung" in html
    status, html = await post(client, world, "/console/plan/close", {**data, "before": "31/02/2019"})
    assert status == 400 and "31/02/2019" in html
    await client.close()


async def test_a_plan_text_becomes_a_draft_with_its_checklist(site: tuple) -> None:
    from tests.conftest import ROOT

    world, server = site
    client = await signed_in(world, server, "admin")
    _status, html = await page(client, "/console/plan")
    source = ROOT / "tests" / "data" / "import" / "ke-hoach-2026-trong-tam.txt"
    form = aiohttp.FormData()
    form.add_field("csrf", csrf_of(html))
    form.add_field("file", source.read_bytes(), filename=source.name, content_type="text/plain")
    status, html = await post(client, world, "/console/plan/import", form)  # type: ignore[arg-type]
    assert status == 200 and "Bản dự thảo đọc từ ke-hoach-2026-trong-tam.txt" in html
    assert re.search(r"\d+ lĩnh vực, \d+ nhiệm vụ", html)
    form = aiohttp.FormData()
    form.add_field("csrf", csrf_of(html))
    form.add_field("file", b"MZ\x90", filename="virus.exe", content_type="application/octet-stream")
    status, html = await post(client, world, "/console/plan/import", form)  # type: ignore[arg-type]
    assert status == 400 and ".docx, .xlsx, .txt" in html
    await client.close()


async def test_the_office_links_a_task_scores_and_the_overview_total_changes(site: tuple, db: Engine) -> None:
    world, server = site
    ids = load_criteria(db)
    client = await signed_in(world, server, "admin")
    status, html = await page(client, "/console/dossier")
    assert status == 200 and "0 / 12" in html and "70,69" in html and "xếp thứ 15/21" in html
    status, html = await page(client, "/console/criteria")
    assert status == 200 and "1.1.1" in html and "Ban hành kế hoạch CCHC năm" in html
    status, html = await page(client, f"/console/criteria/{ids['2.1']}")
    assert "Chưa liên kết nhiệm vụ nào." in html
    token = csrf_of(html)
    status, html = await post(client, world, f"/console/criteria/{ids['2.1']}/link",
                              {"csrf": token, "kind": "task", "value": "1.1"})
    assert status == 200 and "Đã liên kết" in html and "1.1 Ban hành kế hoạch CCHC" in html
    status, html = await post(client, world, f"/console/criteria/{ids['2.1']}/score",
                              {"csrf": token, "score": "6,5", "explanation": ""})
    assert status == 400 and "phải có giải trình" in html
    status, html = await post(client, world, f"/console/criteria/{ids['2.1']}/score",
                              {"csrf": token, "score": "6,5", "explanation": "Còn 2 thủ tục chưa công khai."})
    assert status == 200 and 'id="score">6,5<' in html
    status, html = await page(client, "/console/dossier")
    assert "6,5 / 12" in html
    status, html = await page(client, f"/console/criteria/{ids['1.1.1']}")
    assert "45/KH-TCCB" in html and "12/03/2019" in html and "Phòng Tổ chức cán bộ" in html
    await client.close()


async def test_leadership_reads_the_dossier_but_cannot_score_and_a_head_cannot_read_it(site: tuple,
                                                                                      db: Engine) -> None:
    world, server = site
    ids = load_criteria(db)
    leader = await signed_in(world, server, "leader")
    status, html = await page(leader, f"/console/criteria/{ids['1.1.1']}")
    assert status == 200 and "Ghi điểm tự chấm" not in html
    status, _text = await post(leader, world, f"/console/criteria/{ids['1.1.1']}/score",
                               {"csrf": csrf_of(html), "score": "2", "explanation": ""})
    assert status == 403
    head = await signed_in(world, server, "TCCB")
    for path in ("/console/dossier", "/console/criteria", f"/console/criteria/{ids['1.1.1']}"):
        assert (await page(head, path))[0] == 403
    with Session(db) as s:
        from bot.db.models import SelfScoreRow
        assert s.scalars(select(SelfScoreRow)).all() == []
    await leader.close()
    await head.close()


async def test_the_review_warns_of_a_date_outside_the_period_and_a_number_received_twice(site: tuple,
                                                                                        db: Engine) -> None:
    from datetime import date

    world, server = site
    load_criteria(db)
    with Session(db) as s, s.begin():
        review = s.get(ReviewRow, world.reviews["KHTC"][0])
        assert review is not None
        doc = s.scalars(select(EvidenceRow).where(EvidenceRow.occurrence_id == review.occurrence_id)).one()
        doc.doc_number, doc.doc_date = "45/KH-TCCB", date(2018, 12, 1)
    client = await signed_in(world, server, "admin")
    status, html = await page(client, f"/console/review/{world.reviews['KHTC'][0]}")
    assert status == 200 and 'id="warnings"' in html
    assert "ngoài thời gian đánh giá 01/01/2019–31/12/2019" in html
    assert "số/ký hiệu 45/KH-TCCB đã nhận từ TCCB" in html
    status, html = await page(client, f"/console/review/{world.reviews['TCCB'][0]}")
    assert 'id="warnings"' not in html
    await client.close()


async def test_the_dossier_exports_carry_the_documents_details_under_their_criterion(site: tuple,
                                                                                    db: Engine) -> None:
    import io
    import zipfile

    from openpyxl import load_workbook

    world, server = site
    load_criteria(db)
    client = await signed_in(world, server, "leader")
    async with client.get("/console/dossier/export/xlsx") as response:
        assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(await response.read())).worksheets[0]
    rows = [[str(c) if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    at = next(i for i, row in enumerate(rows) if "1.1.1" in row)
    below = " ".join(" ".join(r) for r in rows[at:at + 4])
    assert "45/KH-TCCB" in below and "Kế hoạch cải cách hành chính năm 2019" in below
    async with client.get("/console/dossier/export/zip") as response:
        assert response.status == 200
        names = zipfile.ZipFile(io.BytesIO(await response.read())).namelist()
    assert any(n.startswith("1.1.1 ") and n.endswith(".pdf") for n in names), names
    async with client.get("/console/dossier/export/docx") as response:
        assert response.status == 200 and (await response.read()).startswith(b"PK")
    head = await signed_in(world, server, "TCCB")
    assert (await page(head, "/console/dossier/export/xlsx"))[0] == 403
    with Session(db) as s:
        assert len(s.scalars(select(AuditRow).where(AuditRow.action == "dossier_exported")).all()) == 3
    await client.close()
    await head.close()


async def test_leadership_gives_a_direction_on_a_difficulty_and_only_the_office_forwards(site: tuple,
                                                                                        db: Engine) -> None:
    from bot.db.models import BlockerReplyRow, BlockerRow
    from bot.services import tasks
    from bot.services.access import load_actor

    world, server = site
    with Session(db) as s, s.begin():
        head = load_actor(s, 20, 20)
        occ = s.scalars(select(OccurrenceRow.id).where(OccurrenceRow.unit == "TCCB",
                                                       OccurrenceRow.status == "open")).first()
        blocker_id = tasks.report_blocker(s, head, occ, "Chưa có hướng dẫn của tỉnh về mẫu báo cáo.",  # type: ignore[arg-type]
                                          tasks.Event(world.clock.now())).id
    office = await signed_in(world, server, "admin")
    leader = await signed_in(world, server, "leader")
    unit = await signed_in(world, server, "TCCB")
    assert (await page(unit, "/console/difficulties"))[0] == 403
    status, html = await page(leader, "/console/difficulties")
    assert status == 200 and "Chưa có hướng dẫn của tỉnh" in html and "Cho ý kiến chỉ đạo" in html
    assert "Chuyển Lãnh đạo Sở" not in html
    token = csrf_of(html)
    assert (await post(leader, world, f"/console/difficulties/{blocker_id}/forward", {"csrf": token}))[0] == 403
    status, html = await post(leader, world, f"/console/difficulties/{blocker_id}/reply",
                              {"csrf": token, "text": "Văn phòng Sở liên hệ Sở Nội vụ, báo lại trước 20/11."})
    assert status == 200 and "Đã gửi tới Phòng Tổ chức cán bộ" in html
    status, html = await page(office, "/console/difficulties")
    assert "Văn phòng Sở liên hệ Sở Nội vụ" in html and "Trả lời / hướng dẫn" in html
    status, html = await post(office, world, f"/console/difficulties/{blocker_id}/forward", {"csrf": csrf_of(html)})
    assert status == 200 and "đã chuyển Lãnh đạo Sở" in html
    with Session(db) as s:
        assert s.scalars(select(BlockerReplyRow.member_id)).all() == [world.members["leader"]]
        assert s.get(BlockerRow, blocker_id).forwarded_by == world.members["admin"]  # type: ignore[union-attr]
    for client in (office, leader, unit):
        await client.close()


async def test_the_office_attaches_its_own_document_with_section_and_page(site: tuple, db: Engine) -> None:
    from tests.integration.console_world import PDF

    world, server = site
    ids = load_criteria(db)
    client = await signed_in(world, server, "admin")
    _status, html = await page(client, f"/console/criteria/{ids['2.1']}")

    def form(name: str, data: bytes, date: str = "15/01/2019") -> aiohttp.FormData:
        body = aiohttp.FormData()
        for key, value in (("csrf", csrf_of(html)), ("doc_number", "12/QĐ-SGDĐT"), ("doc_date", date),
                           ("doc_summary", "Quyết định công bố thủ tục hành chính"), ("doc_issuer", "Sở GDĐT"),
                           ("section", "Điều 1, trang 2")):
            body.add_field(key, value)
        body.add_field("file", data, filename=name, content_type="application/octet-stream")
        return body

    status, text = await post(client, world, f"/console/criteria/{ids['2.1']}/document",
                              form("x.exe", b"MZ"))  # type: ignore[arg-type]
    assert status == 400 and ".pdf" in text
    status, text = await post(client, world, f"/console/criteria/{ids['2.1']}/document",
                              form("qd.pdf", PDF, "31/02/2019"))  # type: ignore[arg-type]
    assert status == 400 and "31/02/2019" in text
    status, html = await post(client, world, f"/console/criteria/{ids['2.1']}/document",
                              form("Quyết định 12.pdf", PDF))  # type: ignore[arg-type]
    assert status == 200 and "Đã gắn văn bản" in html and "12/QĐ-SGDĐT" in html and "Điều 1, trang 2" in html
    link = re.search(r'href="(/console/office-file/\d+)"', html)
    assert link
    async with client.get(link[1]) as response:
        assert response.status == 200 and (await response.read()).startswith(b"%PDF")
    head = await signed_in(world, server, "TCCB")
    assert (await page(head, link[1]))[0] == 403
    await client.close()
    await head.close()


async def test_an_unexpected_error_is_a_sentence_not_a_traceback(site: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.services import status as status_service

    world, server = site
    client = await signed_in(world, server, "admin")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail /etc/passwd")

    monkeypatch.setattr(status_service, "compute_progress", broken)
    status, html = await page(client, "/console/")
    assert status == 500 and "Máy chủ gặp lỗi" in html
    assert "Traceback" not in html and "secret detail" not in html
    await client.close()


async def test_the_office_loads_a_criteria_file_and_edits_a_row(site: tuple, db: Engine) -> None:
    from tests.integration.console_world import CRITERIA

    world, server = site
    client = await signed_in(world, server, "admin")
    status, html = await page(client, "/console/criteria")
    assert status == 200 and "Nạp tiêu chí" in html

    def upload(text: str, name: str = "tieu-chi-2019.yaml") -> aiohttp.FormData:
        body = aiohttp.FormData()
        body.add_field("csrf", csrf_of(html))
        body.add_field("file", text.encode(), filename=name, content_type="application/x-yaml")
        return body

    bad = CRITERIA.replace('parent: "1.1"\n    name: "Ban hành', 'parent: "9.9"\n    name: "Ban hành')
    status, text = await post(client, world, "/console/criteria/load", upload(bad))  # type: ignore[arg-type]
    assert status == 400 and "Chưa nạp tệp tiêu chí" in text and "9.9" in text
    status, html = await post(client, world, "/console/criteria/load", upload(CRITERIA))  # type: ignore[arg-type]
    assert status == 200 and "Đã nạp 6 dòng vào bộ tiêu chí năm 2019" in html
    criterion = re.search(r'href="/console/criteria/(\d+)">2\.1<', html)
    assert criterion
    status, html = await post(client, world, f"/console/criteria/{criterion[1]}/edit",
                              {"csrf": csrf_of(html), "name": "Công khai, minh bạch thủ tục hành chính",
                               "max_points": "7,5", "method": "Đủ 100%: 7,5 điểm", "evidence": "", "survey": ""})
    assert status == 200 and "Đã lưu tiêu chí" in html and "Công khai, minh bạch thủ tục hành chính" in html
    status, html = await page(client, "/console/criteria")
    assert re.search(r">2\.1</a></td>\s*<td>Công khai, minh bạch thủ tục hành chính</td>\s*<td class=\"num\">7,5<",
                     html)
    with Session(db) as s:
        audited = s.scalars(select(AuditRow.actor).where(AuditRow.action == "criterion_details_set")).all()
    assert audited == [f"member:{world.members['admin']}"]
    await client.close()
