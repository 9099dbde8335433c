"""Notices of delegation and extensions, written from their facts in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from bot.i18n import _
from bot.texts import fmt_date


def _day(value: Any) -> str:
    try:
        return fmt_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _assigned(facts: dict[str, Any]) -> str:
    return _("📌 {by} assigned you task {task}: {label}, due {due}. You will get its reminders and can send its "
             "documents (/viec).").format(by=facts.get("by", ""), task=facts.get("task", ""),
                                          label=facts.get("label", ""), due=_day(facts.get("due")))


def _extension_requested(facts: dict[str, Any]) -> str:
    return _("⏳ Request for more time #{id}: {unit}, task {task} — {label}. Due {due}, asks for "
             "{wanted}. Reason: {reason} (from {by}). ✔️ grants it (the deadline and its reminders move), ✖️ "
             "refuses it.").format(id=facts.get("extension", ""), unit=facts.get("unit", ""),
                                   task=facts.get("task", ""), label=facts.get("label", ""),
                                   due=_day(facts.get("due")), wanted=_day(facts.get("wanted")),
                                   reason=facts.get("reason", ""), by=facts.get("by", ""))


def _extension_decided(facts: dict[str, Any]) -> str:
    if facts.get("granted"):
        text = _("✅ The department office granted more time for task {task} — {label}: the deadline moves from "
                 "{old} to {due}.")
    else:
        text = _("✖️ The department office did not grant more time for task {task} — {label}: the deadline stays "
                 "{due}.")
    text = text.format(task=facts.get("task", ""), label=facts.get("label", ""), old=_day(facts.get("old_due")),
                       due=_day(facts.get("due")))
    if facts.get("answer"):
        text += "\n" + _("Office's note: {answer}").format(answer=facts["answer"])
    return text


TRUST_NOTICES: dict[str, Callable[[dict[str, Any]], str]] = {
    "assigned": _assigned,
    "extension_requested": _extension_requested,
    "extension_decided": _extension_decided,
}
