"""Every link the sandbox shows is on its own address (one port: the chat page, /p/… and /console/…), the
deadlines due before the rehearsal's first day are closed at start as the README asks of the office before
deployment, and the page has an icon."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AuditRow, OccurrenceRow
from bot.sandbox.personas import ADMIN_ID
from tests.e2e.test_sandbox_api import START, TCCB, Page, page  # noqa: F401 (the fixture)


async def personal_link(page: Page, persona: int) -> str:
    reply = await page.say(persona, "/trang")
    found = re.search(r"http://[^\s]+/p/[A-Za-z0-9_.-]+", reply["text"])
    assert found, reply["text"]
    return found[0]


async def test_the_personal_page_and_console_links_use_the_sandboxs_own_port(page: Page) -> None:
    sandbox_port = urlsplit(page.sandbox.url).port
    link = await personal_link(page, TCCB)
    assert urlsplit(link).port == sandbox_port and link.startswith(page.sandbox.url + "/p/")
    async with page.http.get(link) as response:
        assert response.status == 200 and "hạn 15/11/2019" in await response.text()
    console = await page.say(ADMIN_ID, "/bangdieukhien")
    found = re.search(r"(http://[^\s/]+)/console/login/", console["text"])
    assert found and found[1] == page.sandbox.url, console["text"]


async def test_a_link_from_before_a_reset_no_longer_opens_and_the_new_one_does(page: Page) -> None:
    old = await personal_link(page, TCCB)
    await page.post("/api/reset")
    async with page.http.get(old) as response:
        assert response.status != 200
    new = await personal_link(page, TCCB)
    async with page.http.get(new) as response:
        assert response.status == 200


async def test_deadlines_due_before_the_first_day_are_closed_before_deployment_audited_as_the_cli(
        page: Page) -> None:
    first_day = START.date()
    with Session(page.sandbox.engine) as session:
        early = session.scalars(select(OccurrenceRow).where(OccurrenceRow.due < first_day)).all()
        assert early and {o.status for o in early} <= {"closed", "done", "submitted"}
        assert all(o.closed_reason and "13/11/2019" in o.closed_reason for o in early if o.status == "closed")
        later = session.scalars(select(OccurrenceRow).where(OccurrenceRow.due >= first_day)).all()
        assert later and all(o.status != "closed" for o in later)
        bulk = session.scalars(select(AuditRow).where(AuditRow.action == "occurrences_closed")).one()
        assert bulk.actor == "cli" and bulk.subject == f"before:{first_day.isoformat()}"
    note = (await page.get("/api/personas"))["note"]
    assert note.startswith("Trước buổi diễn tập,")
    assert "có hạn trước ngày 13/11/2019 đã được đóng (không theo dõi)" in note
    late = await page.say(TCCB, "/quahan")
    assert not re.search(r"\b\d{2}/(0[1-9]|10)/2019\b", late["text"]), late["text"]  # nothing from May–October


async def test_the_page_has_an_icon(page: Page) -> None:
    async with page.http.get(page.sandbox.url + "/favicon.ico") as response:
        assert response.status == 200 and response.content_type == "image/svg+xml"
    async with page.http.get(page.sandbox.url + "/") as response:
        assert 'rel="icon"' in await response.text()
