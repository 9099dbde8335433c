"""Long listings cut into messages: blocks under a header, each message within Telegram's text limit.

Measured as Telegram measures (UTF-16 code units); a channel with a larger limit receives the same cuts.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.i18n import _
from bot.views.model import TELEGRAM_TEXT_LIMIT, cut_utf16, utf16_len

SECTION_LIMIT = 3000  # a section longer than this continues in a second block (chunk_blocks would cut it)


def chunk_blocks(header: str, blocks: Iterable[str], limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Join blocks under a header, splitting into messages that fit Telegram's limit (chat listings)."""
    chunks: list[str] = []
    current = header
    more = header + " " + _("(continued)")
    for block in blocks:  # measured as Telegram measures: UTF-16 code units
        block = cut_utf16(block, limit - utf16_len(more) - 4)
        if utf16_len(current) + 2 + utf16_len(block) > limit:
            chunks.append(current)
            current = more
        current += "\n\n" + block
    chunks.append(current)
    return chunks


def sections(title: str, lines: list[str], limit: int = SECTION_LIMIT) -> list[str]:
    """`title` then its lines, as blocks short enough for one message each."""
    blocks, current = [], title
    for line in lines:
        if len(current) + 1 + len(line) > limit and current != title:
            blocks.append(current)
            current = _("{title} (continued):").format(title=title.rstrip(":"))
        current += "\n" + line
    blocks.append(current)
    return blocks
