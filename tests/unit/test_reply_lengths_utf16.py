"""Lengths as Telegram counts them (UTF-16 code units: an emoji outside the BMP counts 2), at 500 units."""

from __future__ import annotations

from datetime import date

from bot.i18n import language
from bot.services.status import Counts, Progress
from bot.views.chunks import chunk_blocks
from bot.views.model import View, cut_utf16, telegram_parts, utf16_len
from bot.views.status import UNITS_PER_PAGE, progress_text, unit_pages

TODAY = date(2019, 11, 14)


def _progress(units: int) -> Progress:
    p = Progress(2019, None)
    for i in range(units):
        c = Counts(done=i % 7, open=i % 5 + 100, overdue=i % 11 + 1000, awaiting_review=i % 3, closed=i % 2)
        p.units[f"THPT{i:03d}-NGUYEN-VAN-TROI"] = c
        for name in ("done", "open", "overdue", "awaiting_review", "closed"):
            p.total.add(name, getattr(c, name))
    for a in range(1, 9):
        p.areas[str(a)] = Counts(done=a, open=a, overdue=a)
        p.area_names[str(a)] = f"Lĩnh vực cải cách thứ {a} 🏛️"
    return p


def test_tiendo_at_500_units_is_one_message_per_page_within_telegrams_limit() -> None:
    p = _progress(500)
    assert unit_pages(p) == 20
    with language("vi"):
        for page in (0, 7, 19):
            texts = progress_text(p, TODAY, unit_page=page)
            assert len(texts) == 1 and utf16_len(texts[0]) <= 4096
            assert f"(trang {page + 1}/20)" in texts[0]
            assert sum(1 for line in texts[0].splitlines() if line.startswith("THPT")) == UNITS_PER_PAGE
        # the whole list at once (no page) still splits into parts Telegram accepts
        parts = progress_text(p, TODAY)
        assert len(parts) > 1 and all(utf16_len(t) <= 4096 for t in parts)


def test_chunks_and_views_are_measured_in_utf16_units() -> None:
    block = "🔴" * 1500  # 1,500 characters, 3,000 UTF-16 units
    parts = chunk_blocks("header", [block, block, block])
    assert len(parts) == 3 and all(utf16_len(t) <= 4096 for t in parts)
    text, _ = telegram_parts(View(("🔴" * 3000,)))  # 6,000 units in one block: cut to fit
    assert utf16_len(text) <= 4096 and text.endswith("…")
    assert cut_utf16("a🔴b", 2) == "a"  # never half a surrogate pair
