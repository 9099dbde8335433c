"""Metric check-ins over HTTP: /sochieu, the 📈 button, a refused answer asked again, /tiendo, reminders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import MINI_PLAN
from tests.e2e.harness import ADMIN, Harness, at, start_harness, stop_harness

HEAD = 2002
METRIC = """    metrics:
      - {id: dung-han, name: Tỷ lệ hồ sơ đúng hạn, kind: percent, target: 100, comparison: ">="}
"""


def metric_plan(tmp_path: Path, metric: str = METRIC) -> Path:
    """The mini plan with a metric on task 1.1."""
    text = MINI_PLAN.read_text(encoding="utf-8")
    anchor = "    title: Ban hành kế hoạch CCHC\n"
    plan = tmp_path / "mini-metric.yaml"
    plan.write_text(text.replace(anchor, anchor + metric), encoding="utf-8")
    return plan


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await start_harness(tmp_path, metric_plan(tmp_path), at("25/10/2019"))
    (link,) = await harness.say(ADMIN, "/moi TCCB")
    code = link.text.split("?start=")[1].split()[0]
    await harness.say(HEAD, f"/start {code}", name="Nguyễn Văn An")
    await harness.sweep_at(at("25/10/2019", 9))  # the office hears who joined
    yield harness
    await stop_harness(harness)


def _datas(message) -> list[str]:  # type: ignore[no-untyped-def]
    return [b["callback_data"] for row in (message.reply_markup or {}).get("inline_keyboard", []) for b in row]


async def test_sochieu_button_bad_value_asked_again_good_value_saved_and_shown(h: Harness) -> None:
    (listing,) = await h.say(HEAD, "/sochieu")
    assert "Tỷ lệ hồ sơ đúng hạn — đơn vị TCCB" in listing.text and "Chỉ tiêu ≥ 100%" in listing.text
    assert "chưa báo" in listing.text
    (data,) = _datas(listing)
    assert data.startswith("mt:")
    (button,) = [b for row in listing.reply_markup["inline_keyboard"] for b in row]
    assert button["text"].startswith("📈 Báo số liệu")

    (prompt,) = await h.press(HEAD, listing, data)
    assert "Nhập giá trị hiện tại của Tỷ lệ hồ sơ đúng hạn" in prompt.text and "đơn vị TCCB" in prompt.text
    (refused,) = await h.say(HEAD, "chín mươi lăm")
    assert "không hợp lệ" in refused.text and "từ 0 đến 100" in refused.text
    assert "Nhập lại giá trị hiện tại của Tỷ lệ hồ sơ đúng hạn" in refused.text
    (refused,) = await h.say(HEAD, "120%")
    assert "không hợp lệ" in refused.text
    (saved,) = await h.say(HEAD, "95,5%")
    assert saved.text == "✅ Đã ghi Tỷ lệ hồ sơ đúng hạn của đơn vị TCCB: 95,5% — chưa đạt (chỉ tiêu ≥ 100%)."
    (after,) = await h.say(HEAD, "95")
    assert "chưa hiểu" in after.text  # the question was answered: a number now is just a message

    (progress,) = await h.say(ADMIN, "/tiendo")
    assert "📈 Chỉ tiêu: 0 đạt · 1 chưa đạt · 2 chưa báo" in progress.text
    assert ("• [1.1] Tỷ lệ hồ sơ đúng hạn ≥ 100%: P. Tổ chức cán bộ 95,5% (chưa đạt); "
            "chưa báo: P. Kế hoạch - Tài chính, Văn phòng") in progress.text
    (mine,) = await h.say(HEAD, "/tiendo TCCB")
    assert "P. Tổ chức cán bộ 95,5% (chưa đạt)" in mine.text and "KHTC" not in mine.text
    (listing,) = await h.say(HEAD, "/metric")
    assert "Hiện tại: 95,5% (chưa đạt), báo lúc" in listing.text


async def test_reminder_of_a_task_with_a_metric_carries_the_report_button(h: Harness) -> None:
    reminders = await h.sweep_at(at("30/10/2019"))
    (reminder,) = [m for m in reminders if m.chat_id == HEAD]
    datas = _datas(reminder)
    occ = datas[0].split(":")[1]
    assert datas[:4] == [f"done:{occ}", f"ev:{occ}", f"snz:{occ}", f"blk:{occ}"]
    (metric,) = [d for d in datas if d.startswith("mt:")]
    assert all(len(d.encode()) <= 64 for d in datas)
    texts = [b["text"] for row in reminder.reply_markup["inline_keyboard"] for b in row]
    assert "📈 Báo số liệu" in texts
    (prompt,) = await h.press(HEAD, reminder, metric)
    assert "Nhập giá trị hiện tại của Tỷ lệ hồ sơ đúng hạn" in prompt.text
    (saved,) = await h.say(HEAD, "100")
    assert "100% — đạt" in saved.text


async def test_a_unit_without_the_task_cannot_report_its_metric(h: Harness) -> None:
    (listing,) = await h.say(HEAD, "/sochieu")
    (data,) = _datas(listing)
    await h.press(ADMIN, listing, data, expect=0, forged=True)  # the office heads no unit
    assert "không thuộc đơn vị" in h.api.answered_callbacks[-1]["text"]
