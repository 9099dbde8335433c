"""`/tonghop` (`/digest`) on the conversation core: the overview with its chart, a head's unit digest."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import MINI_PLAN
from tests.e2e.harness import ADMIN, Harness, at, start_harness, stop_harness
from tests.e2e.test_chat_commands import HEAD, join

STRANGER = 4242


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path, MINI_PLAN, at("25/10/2019"))
    yield harness
    await stop_harness(harness)


async def test_tonghop_sends_the_overview_with_its_chart_and_a_heads_unit_digest(h: Harness) -> None:
    overview, chart = await h.say(ADMIN, "/tonghop", expect=2)
    assert "Tổng hợp tuần" in str(overview.text) and "Theo đơn vị:" in str(overview.text)
    assert chart.method == "sendPhoto" and "Biểu đồ tiến độ" in str(chart.caption)
    await join(h, "TCCB", HEAD, "Nguyễn Văn An")
    (unit,) = await h.say(HEAD, "/digest")
    assert unit.method == "sendMessage" and "Phòng Tổ chức cán bộ (TCCB)" in str(unit.text)
    (refused,) = await h.say(STRANGER, "/tonghop")
    assert "chưa được đăng ký" in str(refused.text)
