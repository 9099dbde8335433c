"""Notices rendered from facts when sent, in the reader's language (a notice's `facts` column).

A notice queued with facts `{"notice": kind, ...}` is written by the renderer of its kind here; the
pre-rendered `body` is only the fallback for kinds without one (older rows, or callers that still pass
text). Add a kind by adding a function to NOTICES.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.i18n import _


def _unreachable(facts: dict[str, Any]) -> str:
    who, reason = facts.get("who", ""), facts.get("reason", "")
    if facts.get("fallback"):
        return _("📣 Could not send messages to {who}: {reason}. Their messages now go by e-mail to {address}, "
                 "until this person opens the bot again (press Start).").format(who=who, reason=reason,
                                                                               address=facts["fallback"])
    if facts.get("email"):
        return _("📣 Could not send messages to {who}: {reason}. There is no e-mail address to send them to "
                 "instead: this person needs to open the bot again (press Start), or the office adds an address "
                 "(/kenh) or invites someone else from the unit.").format(who=who, reason=reason)
    return _("📣 Could not send messages to {who}: {reason}. This person needs to open the bot again (press "
             "Start), or the office invites someone else from the unit.").format(who=facts.get("who", ""),
                                                                                 reason=facts.get("reason", ""))


def _email_refused(facts: dict[str, Any]) -> str:
    return _("📣 The mail server refuses the address {address}: {reason}. The department office please "
             "check the address in the plan or the configuration.").format(address=facts.get("address", ""),
                                                                           reason=facts.get("reason", ""))


def _removed(facts: dict[str, Any]) -> str:
    from bot.services.invites import role_text

    member = "{name} ({role})".format(name=facts.get("name", ""),
                                      role=role_text(str(facts.get("role", "")), facts.get("unit") or None))
    return _("The department office removed you from the CCHC reminder bot ({member}). "
             "Ask the office for a new invite link if this is a mistake.").format(member=member)


NOTICES: dict[str, Callable[[dict[str, Any]], str]] = {
    "removed": _removed,
    "unreachable": _unreachable,
    "email_refused": _email_refused,
}


def notice_text(facts: dict[str, Any] | None, fallback: str = "") -> str:
    """The notice's words in the current language (the fallback when its kind has no renderer)."""
    render = NOTICES.get(str((facts or {}).get("notice", "")))
    return render(facts or {}) if render is not None else fallback
