"""`/bangdieukhien` in the sandbox: the office asks the bot (through the real chat stack) for a sign-in link,
opens it on the sandbox's page address, and lands in the console; a head's link shows only their unit."""

from __future__ import annotations

import re

import aiohttp

from bot.sandbox.personas import ADMIN_ID
from tests.e2e.test_sandbox_api import TCCB, Page, page  # noqa: F401 (the fixture)


async def sign_in(page: Page, persona: int) -> tuple[aiohttp.ClientSession, str]:
    reply = await page.say(persona, "/bangdieukhien")
    found = re.search(r"(http://127\.0\.0\.1:\d+)(/console/login/[A-Za-z0-9_-]+)", reply["text"])
    assert found, reply["text"]
    base, path = found[1], found[2]
    browser = aiohttp.ClientSession(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with browser.post(path, headers={"Origin": base}) as response:
        assert response.status == 200 and response.url.path == "/console/"
        return browser, await response.text()


async def test_the_office_signs_in_to_the_console_from_the_chat(page: Page) -> None:
    browser, html = await sign_in(page, ADMIN_ID)
    assert "Tổng quan" in html and "Tiếp nhận kết quả" in html
    async with browser.get("/console/review") as response:
        assert response.status == 200
    await browser.close()


async def test_a_heads_link_opens_only_their_units_page(page: Page) -> None:
    browser, html = await sign_in(page, TCCB)
    assert "Nhiệm vụ của đơn vị" in html and "Tiếp nhận kết quả" not in html
    async with browser.get("/console/review") as response:
        assert response.status == 403
    await browser.close()
