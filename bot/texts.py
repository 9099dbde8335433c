"""User-facing wording shared by the CLI and the bot: dates, weekdays, ladder rungs (words from the catalogs)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.domain.workdays import WorkCalendar
from bot.i18n import N_, _, current_lang, language, ngettext

VN_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# TRANSLATORS: short weekday names, Monday first, as in "T3 19/11/2019".
_WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


@contextmanager
def _speaking(lang: str | None) -> Iterator[None]:
    """`lang` when a caller names one, else the current language."""
    with language(lang or current_lang()):
        yield


def fmt_date(day: date) -> str:
    """dd/mm/yyyy, the only date format users see."""
    return day.strftime("%d/%m/%Y")


def fmt_date_weekday(day: date, lang: str | None = None) -> str:
    """`T3 19/11/2019`."""
    with _speaking(lang):
        return f"{_(_WEEKDAYS[day.weekday()])} {fmt_date(day)}"


def fmt_local(moment: datetime, zone: ZoneInfo = VN_ZONE) -> str:
    """`08:00 19/11/2019` in the plan's time zone."""
    local = moment.astimezone(zone)
    return f"{local:%H:%M} {fmt_date(local.date())}"


def rung_label(rung: str, lang: str | None = None) -> str:
    """A ladder rung in words: `before-14` → "14 working days before"."""
    name, _sep, number = rung.rpartition("-") if rung[-1:].isdigit() else (rung, "", "")
    n = int(number) if number.isdigit() else 0
    with _speaking(lang):
        if name == "before":
            return ngettext("{n} working day before", "{n} working days before", n).format(n=n)
        if name == "overdue":
            return ngettext("{n} working day overdue", "{n} working days overdue", n).format(n=n)
        if name == "escalation-lead":
            return ngettext("escalated to the lead unit ({n} working day overdue)",
                            "escalated to the lead unit ({n} working days overdue)", n).format(n=n)
        if name == "escalation-leadership":
            return ngettext("escalated to the department's leadership ({n} working day overdue)",
                            "escalated to the department's leadership ({n} working days overdue)", n).format(n=n)
        if name == "due":
            return _("on the due date")
        return rung


@lru_cache(maxsize=1)
def _calendar() -> WorkCalendar:
    return WorkCalendar()


def days_left_text(due: date, today: date, lang: str | None = None) -> str:
    """`3 working days left`, `due today`, `2 working days overdue`: one way of counting days everywhere,
    the reminder ladder's (working days)."""
    delta = _calendar().working_days_between(today, due)
    with _speaking(lang):
        if due == today:
            return _("due today")
        if delta >= 0:
            return ngettext("{count} working day left", "{count} working days left", delta).format(count=delta)
        return ngettext("{count} working day overdue", "{count} working days overdue", -delta).format(count=-delta)


# A unit's kind from its name, accents and case aside (the plan may say so itself one day): the title of
# its head follows it (Chánh Văn phòng, Chánh Thanh tra, Trưởng phòng, Hiệu trưởng, Giám đốc trung tâm).
_KINDS = (("van phong", "office"), ("thanh tra", "inspectorate"), ("phong", "division"), ("truong", "school"),
          ("trung tam", "centre"))
_TITLES = {"office": N_("Chief of {unit}"), "inspectorate": N_("Chief of {unit}"),
           "division": N_("Head of division {unit}"), "school": N_("Principal of {unit}"),
           "centre": N_("Director of {unit}")}


def _folded(text: str) -> str:
    import unicodedata

    flat = unicodedata.normalize("NFD", text.casefold().replace("\u0111", "d"))
    return "".join(c for c in flat if unicodedata.category(c) != "Mn")


def unit_kind(name: str) -> str | None:
    """office, inspectorate, division, school, centre, or None, read from the unit's name."""
    folded = _folded(name).strip()
    return next((kind for prefix, kind in _KINDS if folded.startswith(prefix + " ")), None)


# The short form of a unit's name for leadership's lists where space is tight (WORDING M5): the kind word
# abbreviated as a Sở writes it ("P. Khảo thí…", "TT Ngoại ngữ - Tin học"), "Sở" dropped where it goes without
# saying ("Văn phòng", "Thanh tra"), cut at a word boundary.
from bot.domain.unitnames import DANGLING as _DANGLING  # noqa: E402
from bot.domain.unitnames import JOINING as _JOINING  # noqa: E402
from bot.domain.unitnames import SHORT_KINDS as _SHORT_KINDS  # noqa: E402 (the words live with the vocabulary)
from bot.domain.unitnames import SHORT_TRIMS as _SHORT_TRIMS  # noqa: E402


def unit_short(name: str, width: int = 28) -> str:
    """A division's or centre's long name with its kind word abbreviated and cut at a word boundary (examples in
    bot/domain/unitnames.py); a code-like or empty name is kept as it is."""
    text = " ".join(name.split())
    kind = unit_kind(text)
    if kind in _SHORT_KINDS:
        long_form, short_form = _SHORT_KINDS[kind]
        if text.startswith(long_form):
            text = short_form + text[len(long_form):]
    for trim in _SHORT_TRIMS:
        if kind is not None and text.endswith(trim) and len(text) > len(trim) + 4:
            text = text[: -len(trim)]
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    words = cut.rstrip(" -,").split(" ")
    while len(words) > 1 and words[-1] in _JOINING:  # never end on a joining word
        words.pop()
    return " ".join(words) + "…"


def cut_at_word(text: str, limit: int) -> str:
    """`text` (spaces collapsed) in at most `limit` characters, cut after a whole word and never ending on a joining
    word (bot.domain.unitnames.DANGLING) or punctuation; a first word longer than `limit` alone is cut where it must."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    words = text[: limit + 1].split(" ")[:-1]  # the word at the cut is dropped (kept whole if a space follows it)
    while words and (words[-1].casefold() in _DANGLING or not words[-1].strip(",;:-–—(&/")):
        words.pop()
    cut = " ".join(words).rstrip(",;:-–—(&/ ")
    return cut if len(cut) >= limit // 3 else text[:limit].rstrip()


def head_title(unit_name: str, lang: str | None = None) -> str:
    """The title of a unit's head, from its kind (head of a division, principal of a school, chief of the office)."""
    kind = unit_kind(unit_name)
    with _speaking(lang):
        if kind is None:
            return _("Head of unit {unit}").format(unit=unit_name)
        # "Phòng Tổ chức cán bộ" → "Trưởng phòng Tổ chức cán bộ": the kind word joins the title
        unit = unit_name[0].lower() + unit_name[1:] if kind == "division" else unit_name
        return _(_TITLES[kind]).format(unit=unit)


def role_text(role: str, unit: str | None) -> str:
    """`head of unit X`, `department leadership`, `admin (department office)` in the current language."""
    if role == "head":
        return head_title(unit or "")
    if role == "staff":
        return _("staff member of {unit} (the items the head assigns)").format(unit=unit)
    return _("department leadership") if role == "leader" else _("admin (department office)")
