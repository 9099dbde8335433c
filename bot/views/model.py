"""A view is one message as data: text blocks and rows of actions, already in the reader's language.

Services return facts; `bot/views/*` builds views from facts; each channel draws a view: Telegram as text
with an inline keyboard (`telegram_parts`), a channel without buttons as text with numbered replies
(`plain_text`). Action data is what a press sends back (Telegram callback data: at most 64 bytes).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.i18n import _
from bot.views.actions import WAY_OUT

TELEGRAM_TEXT_LIMIT = 4096  # in UTF-16 code units, as Telegram counts (an emoji outside the BMP counts 2)
TELEGRAM_MAX_BUTTONS = 12  # CONVERSATION.md: more than a dozen buttons is a wall on a phone
PLAIN_TEXT_LIMIT = 2000  # Zalo Bot API's sendMessage


@dataclass(frozen=True)
class Action:
    label: str
    data: str

    def __post_init__(self) -> None:
        if not 1 <= len(self.data.encode()) <= 64:
            raise ValueError(f"action data must be 1-64 bytes: {self.data!r}")


@dataclass(frozen=True)
class View:
    blocks: tuple[str, ...]
    actions: tuple[tuple[Action, ...], ...] = field(default=())

    @property
    def text(self) -> str:
        return "\n\n".join(b for b in self.blocks if b)

    def flat_actions(self) -> list[Action]:
        return [a for row in self.actions for a in row]


def utf16_len(text: str) -> int:
    """The length Telegram measures: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def cut_utf16(text: str, limit: int) -> str:
    """The longest prefix of `text` at most `limit` UTF-16 code units long (never half a surrogate pair)."""
    if utf16_len(text) <= limit:
        return text
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return text[:i]
    return text


def fit(blocks: list[str], limit: int, more: str = "…", measure: Callable[[str], int] = len) -> tuple[str, ...]:
    """Keep whole blocks while they fit in `limit` (as `measure` counts, joined by blank lines); mark the cut."""
    kept: list[str] = []
    used = 0
    for block in blocks:
        cost = measure(block) + (2 if kept else 0)
        if used + cost > limit - measure(more) - 2:
            if not kept:
                kept.append(cut_utf16(block, limit - measure(more) - 1) + more)
            else:
                kept.append(more)
            return tuple(kept)
        kept.append(block)
        used += cost
    return tuple(kept)


def telegram_parts(view: View) -> tuple[str, tuple[tuple[Action, ...], ...]]:
    """The text (≤ 4,096 characters) and keyboard rows (≤ 12 buttons) of a view on Telegram."""
    count = len(view.flat_actions())
    if count > TELEGRAM_MAX_BUTTONS:
        raise ValueError(f"a view has {count} actions, more than {TELEGRAM_MAX_BUTTONS}")
    return "\n\n".join(fit(list(view.blocks), TELEGRAM_TEXT_LIMIT, measure=utf16_len)), view.actions


LIST_NUMBER = re.compile(r"^\d{1,3}\.\s+")  # "3. 1.1 Ban hành…": a button's own list number


def spoken(label: str) -> str:
    """A button label as a numbered reply reads it: no second list number, words for a bare arrow."""
    arrows = {"◀": _("◀ previous page"), "▶": _("next page ▶")}
    numbered = LIST_NUMBER.match(label)
    if numbered:
        return _("open {item}").format(item=label[numbered.end():])
    return arrows.get(label.strip(), label)


def plain_text(view: View, limit: int = PLAIN_TEXT_LIMIT) -> tuple[str, dict[str, str]]:
    """The view for a channel without buttons: every action becomes a numbered reply ("Reply N to …").

    Returns the text (at most `limit` characters) and the map from the reply ("1", "2"...) to action data.
    """
    replies: dict[str, str] = {}
    lines = []
    same: list[int] = []  # a run of list items whose own number is their reply number: one line for all

    def close_run() -> None:
        if len(same) > 1:
            lines.append(_("Reply {first}–{last} to open the task with that number above").format(
                first=same[0], last=same[-1]))
        elif same:
            lines.append(_("Reply {number} to {action}").format(number=same[0], action=spoken(labels[same[0]])))
        same.clear()

    labels: dict[int, str] = {}
    way_out = [a for a in view.flat_actions() if a.data.startswith(WAY_OUT)]
    for number, action in enumerate((a for a in view.flat_actions() if a not in way_out), start=1):
        replies[str(number)] = action.data
        labels[number] = action.label
        own = LIST_NUMBER.match(action.label)
        if own and int(own.group(0).rstrip(". \t")) == number and (not same or same[-1] == number - 1):
            same.append(number)
            continue
        close_run()
        lines.append(_("Reply {number} to {action}").format(number=number, action=spoken(action.label)))
    close_run()
    if way_out:  # the prompt owns the next text, numbers included: the way out is a word
        lines.append(_("Type “{word}” to cancel").format(word=_("Cancel")))
    menu = "\n".join(lines)
    room = limit - (len(menu) + 2 if menu else 0)
    body = "\n\n".join(fit(list(view.blocks), room))
    return (body + "\n\n" + menu if menu else body), replies
