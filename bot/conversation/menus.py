"""What a typed reply means on a channel without buttons (Zalo): the rules, kept out of any adapter.

A text channel draws a view's actions as numbered replies and remembers the last menu it drew. Then:
- a prompt waiting for text owns the next text, a bare number included (a figure of 1 is a figure);
- the way out of a prompt is a word (the catalogs' "Cancel"), and any command ends the wait;
- a number answers only the last message that offered numbers; a number that menu did not offer gets
  "this menu is out of date" and the current menu again;
- an action that cannot be undone asks to confirm when its number's menu is not the last message sent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from bot.conversation.incoming import Choice, Command, Text, parse_text
from bot.i18n import LANGS, gettext_in
from bot.views import actions

NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")
# Waits whose prompt offers only the way out: the next text is the answer. The evidence wait and the
# document-details wait offer choices (✔️ Finished, ⏭ Skip): there a number still chooses.
TEXT_WAITS = frozenset({"blocker", "return", "blocker_reply", "metric"})


def _bare(text: str) -> str:
    """Lower case without diacritics: both spellings of the Vietnamese word, and typed without accents."""
    decomposed = unicodedata.normalize("NFD", text.strip().lower().replace("\u0111", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


@cache
def cancel_words() -> frozenset[str]:
    """The way out in every language, as `_bare` writes it."""
    return frozenset(_bare(gettext_in(lang, "Cancel")) for lang in LANGS)


@dataclass(frozen=True)
class Menu:
    """The last numbered menu drawn in a chat, and whether anything was sent after it."""

    replies: dict[str, str] = field(default_factory=dict)  # "1" → action data
    labels: dict[str, str] = field(default_factory=dict)  # "1" → the label shown
    message: int = 0  # the message it came with
    last: int = 0  # the last message sent to the chat at all
    text: str = ""  # the menu message's text, to show it again

    @property
    def latest(self) -> bool:
        return self.message == self.last


@dataclass(frozen=True)
class Stale:
    """A number the current menu does not offer: say so and show the menu again."""

    number: str


@dataclass(frozen=True)
class Confirm:
    """An irreversible choice whose menu is no longer the last message: ask before acting."""

    data: str
    label: str


def read_reply(text: str, menu: Menu, waiting: str | None = None) -> Command | Choice | Text | Stale | Confirm:
    """What `text` typed in a chat with `menu` means; `waiting` is the kind of the chat's wait, if any."""
    typed = parse_text(text)
    if isinstance(typed, Command):
        return typed
    stripped = text.strip()
    if _bare(stripped) in cancel_words():
        return Choice(actions.cancel_wait())
    number = NUMBER.match(stripped)
    if number is None or waiting in TEXT_WAITS or not menu.replies:
        return Text(text)
    key = number.group(1)
    data = menu.replies.get(key)
    if data is None:
        return Stale(key)
    if not menu.latest and actions.irreversible(data):
        return Confirm(data, menu.labels.get(key, ""))
    return Choice(data)
