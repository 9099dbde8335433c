"""CI guard for issue 10's limits on what the bot pushes (not timed; the figures are in bench_conversation).

`nhacviec simulate` over 14/11–29/11/2019 on the bundled plan: at most one message per recipient per
instant, every message ≤ 4,096 characters and ≤ 12 buttons, a median ≤ 1,500 characters, a window total
≤ 120,000 characters; the JSON keeps its shape.
"""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

import pytest

from bench.bench_conversation import LIMITS, measure, run_simulation, violations


@pytest.fixture(scope="module")
def messages() -> list[dict[str, Any]]:
    return run_simulation()


def test_simulate_keeps_its_json_shape(messages: list[dict[str, Any]]) -> None:
    assert messages and all(set(m) == {"at", "to", "chat_id", "text", "buttons"} for m in messages)
    assert all(isinstance(row, list) and all(isinstance(b, str) for b in row) for m in messages for row in m["buttons"])


def test_one_message_per_recipient_per_instant(messages: list[dict[str, Any]]) -> None:
    per = Counter((m["at"], m["chat_id"]) for m in messages)
    assert max(per.values()) == 1


def test_every_message_within_telegram_and_phone_limits(messages: list[dict[str, Any]]) -> None:
    assert max(len(m["text"]) for m in messages) <= 4096
    assert max(sum(len(row) for row in m["buttons"]) for m in messages) <= 12


def test_median_and_window_total(messages: list[dict[str, Any]]) -> None:
    lengths = [len(m["text"]) for m in messages]
    assert statistics.median(lengths) <= LIMITS["median_chars"]
    assert sum(lengths) <= LIMITS["total_chars"]
    assert violations(measure(messages)) == []


def test_repeats_say_what_changed_instead_of_the_whole_list(messages: list[dict[str, Any]]) -> None:
    to_tccb = [m["text"] for m in messages if m["to"] == "Trưởng phòng Tổ chức cán bộ" and m["text"].startswith("🔔")]
    # The 20/11 deadline's group in each card: the first lists the tasks, every repeat says what changed and is
    # shorter (a card can hold other deadlines' groups too, so whole cards are not compared).
    blocks = [block for text in to_tccb for block in text.split("\n\n")
              if block.startswith("📅 Hạn 19/11/2019")]
    assert len(blocks) >= 3 and "Từ lần nhắc trước" not in blocks[0]
    assert all("Từ lần nhắc trước" in b and len(b) < len(blocks[0]) for b in blocks[1:])
    # escalations to leadership go through the office (chat 1) as the seed says
    leadership = [m["text"] for m in messages if m["chat_id"] == 1 and "thông qua Văn phòng Sở" in m["text"]]
    assert leadership and all(t.count("\n• ") <= 10 for t in leadership)  # worst cases, not one row each
