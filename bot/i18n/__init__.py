"""Every sentence a user reads: gettext catalogs handled with Babel.

Message ids are English source text; `bot/locale/<lang>/LC_MESSAGES/<domain>.po` holds the translations,
one domain per top-level package of `bot/` (so that parallel work on two packages never edits one file).
All domains of a language are merged into one catalog at first use. The current language is a context
variable: a handler or the dispatcher sets it for the person it answers (`with language(member.lang):`).
"""

from __future__ import annotations

import contextvars
import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGS = ("vi", "en")
DEFAULT_LANG = "vi"
_current: contextvars.ContextVar[str] = contextvars.ContextVar("nhacviec_lang", default=DEFAULT_LANG)


@cache
def translations(lang: str) -> NullTranslations:
    """Every domain's catalog of `lang`, compiled in memory and merged (unknown language: Vietnamese)."""
    lang = lang if lang in LANGS else DEFAULT_LANG
    merged: NullTranslations | None = None
    for po_path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=lang, domain=po_path.stem)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        part = Translations(buffer, domain="messages")
        if merged is None:
            merged = part
        else:
            assert isinstance(merged, Translations)
            merged.merge(part)
    return merged if merged is not None else NullTranslations()


def current_lang() -> str:
    """The language of the person being answered."""
    return _current.get()


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Speak `lang` inside the block (None or unknown: Vietnamese)."""
    chosen = lang if lang in LANGS else DEFAULT_LANG
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """The current language's text of an English message id."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The plural form for `n` (Vietnamese has one form, English two)."""
    return translations(_current.get()).ngettext(singular, plural, n)


def gettext_in(lang: str, message: str) -> str:
    """The text of `message` in `lang`, whatever the current language."""
    return translations(lang).gettext(message)


def N_(message: str) -> str:
    """Marks a message id for extraction where it is translated later (tables of labels)."""
    return message
