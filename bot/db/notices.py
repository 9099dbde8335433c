"""A notice queued in the durable outbox, as facts: its kind and parameters, worded when sent.

Below the services and the engine: a service records what happened (`facts = {"notice": kind, ...}`) and the
dispatcher words it for each reader, in that reader's language (`notice_text`, `notice_buttons` below). `body` is
only for callers that still pass finished text (old rows keep theirs and are sent as they are). Add a kind by
adding a function to NOTICES (and to BUTTONS if it has any).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import OccurrenceRow, ReminderRow, TaskRow, UnitRow
from bot.i18n import _
from bot.texts import fmt_date, fmt_local, role_text


def about(session: Session, occ: OccurrenceRow) -> dict[str, Any]:
    """What a notice says of an occurrence (task, unit name, deadline), for `notice_text` to word."""
    task = session.get(TaskRow, occ.task_id)
    unit = session.get(UnitRow, occ.unit)
    return {"occurrence": occ.id, "task": occ.task_id, "title": task.title if task else "",
            "unit": unit.name if unit else occ.unit, "label": occ.label, "due": occ.due.isoformat()}


def queue_notice(session: Session, now: datetime, key: str, target: str, body: str = "",
                 buttons: list[list[tuple[str, str]]] | None = None, facts: dict[str, Any] | None = None) -> None:
    """A one-off message through the durable outbox (same no-loss, no-duplicate rules as reminders).

    `target`: unit ids, "office" (admins), "leadership", or "chat:<id>", comma-separated. `facts`
    (`{"notice": kind, ...}`, see `NOTICES` below) are worded when sent, in each reader's
    language, buttons included; `body` and `buttons` are the finished text of a notice without facts.
    """
    session.add(ReminderRow(key=f"notice:{key}:{uuid.uuid4().hex[:16]}", occurrence_id=None, kind="notice",
                            rung=key.split(":", 1)[0][:40], target=target, due_at=now, state="pending",
                            body=body, buttons=[[list(b) for b in row] for row in buttons] if buttons else None,
                            facts=facts))


Buttons = list[list[tuple[str, str]]]


def _about(facts: dict[str, Any]) -> str:
    """`1.1 <title> — <unit name>, <deadline label> due <dd/mm/yyyy>` (see `bot.services.queue.subject_facts`)."""
    due = facts.get("due", "")
    try:
        due = fmt_date(date.fromisoformat(due))
    except (TypeError, ValueError):
        pass
    return _("{code} {title} — {unit}, {label} due {due}").format(
        code=facts.get("task", ""), title=facts.get("title", ""), unit=facts.get("unit", ""),
        label=facts.get("label", ""), due=due)


def _at(value: Any) -> str:
    try:
        return fmt_local(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _review(facts: dict[str, Any]) -> str:
    return ("📝 " + _("Request to accept a completion") + f"\n{_about(facts)}\n"
            + _("Reported done by {name} at {at}").format(name=facts.get("name", ""), at=_at(facts.get("at")))
            + "\n" + _("Supporting documents: {count} (open the review to see them)").format(
                count=facts.get("evidence", 0)))


def _accepted(facts: dict[str, Any]) -> str:
    return "✔️ " + _("The department office accepted the completion of:") + f"\n{_about(facts)}"


def _returned(facts: dict[str, Any]) -> str:
    return ("↩️ " + _("The department office returned this completion; please complete it:")
            + f"\n{_about(facts)}\n" + _("Reason: {reason}").format(reason=facts.get("reason", "")))


def _joined(facts: dict[str, Any]) -> str:
    return _("👤 {name} accepted the invite and is now {what}.").format(
        name=facts.get("name", ""), what=role_text(str(facts.get("role", "")), facts.get("unit") or None))


def _linked(facts: dict[str, Any]) -> str:
    return _("🔗 A {channel} chat was linked to you with your /lienket code: it now acts as you. If this was "
             "not you, tell the department office at once.").format(channel=facts.get("channel", ""))


def _channel(facts: dict[str, Any]) -> str:
    if facts.get("change") == "links_revoked":
        return _("🔒 The department office revoked your personal web links: the links you had no longer open.")
    if facts.get("change") == "email":
        return _("📧 The department office set your reminders to come by e-mail to {address}. Commands and "
                 "buttons here still work.").format(address=facts["address"])
    return _("📨 The department office set your reminders to come here, on {channel}.").format(
        channel=facts.get("channel", ""))


def _blocker(facts: dict[str, Any]) -> str:
    return ("⚠️ " + _("Difficulty reported") + f"\n{_about(facts)}\n"
            + _("Reported by: {name}").format(name=facts.get("name", "")) + "\n"
            + _("Difficulty: {text}").format(text=facts.get("text", "")))


def _blocker_forwarded(facts: dict[str, Any]) -> str:
    return ("⚠️ " + _("The department office forwards a difficulty and asks for your direction")
            + f"\n{_about(facts)}\n" + _("Difficulty: {text}").format(text=facts.get("text", "")))


def _blocker_reply(facts: dict[str, Any]) -> str:
    if facts.get("by") == "leader":  # only leadership directs; the office advises (tham mưu) and answers
        head = _("Direction of comrade {name}, the department's leadership, on the difficulty reported for:")
        said = _("Direction: {text}")
    else:
        head = _("Answer of the department office (answered by {name}) on the difficulty reported for:")
        said = _("Answer: {text}")
    return ("💬 " + head.format(name=facts.get("name", "")) + f"\n{_about(facts)}\n"
            + _("Difficulty: {text}").format(text=facts.get("text", "")) + "\n"
            + said.format(text=facts.get("reply", "")))


def _blocker_resolved(facts: dict[str, Any]) -> str:
    return ("✔️ " + _("Difficulty marked resolved by {name}:").format(name=facts.get("name", ""))
            + f"\n{_about(facts)}\n" + _("Difficulty: {text}").format(text=facts.get("text", "")))


def _blocker_withdrawn(facts: dict[str, Any]) -> str:
    return ("↩️ " + _("Difficulty withdrawn by {name}:").format(name=facts.get("name", ""))
            + f"\n{_about(facts)}\n" + _("Difficulty: {text}").format(text=facts.get("text", "")))


def _reachable(facts: dict[str, Any]) -> str:
    return _("📣 {who} opened the bot again: messages reach this person again.").format(who=facts.get("who", ""))


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
    member = "{name} ({role})".format(name=facts.get("name", ""),
                                      role=role_text(str(facts.get("role", "")), facts.get("unit") or None))
    return _("The department office removed you from the CCHC reminder bot ({member}). "
             "Ask the office for a new invite link if this is a mistake.").format(member=member)


# --- delegation and extensions (issue 20) ---

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


NOTICES: dict[str, Callable[[dict[str, Any]], str]] = {
    "review": _review,
    "accepted": _accepted,
    "returned": _returned,
    "joined": _joined,
    "linked": _linked,
    "channel": _channel,
    "blocker": _blocker,
    "blocker_forwarded": _blocker_forwarded,
    "blocker_reply": _blocker_reply,
    "blocker_resolved": _blocker_resolved,
    "blocker_withdrawn": _blocker_withdrawn,
    "reachable": _reachable,
    "removed": _removed,
    "unreachable": _unreachable,
    "email_refused": _email_refused,
    **TRUST_NOTICES,  # delegation and extensions
}


def notice_text(facts: dict[str, Any] | None, fallback: str = "") -> str:
    """The notice's words in the current language (the fallback when its kind has no renderer)."""
    render = NOTICES.get(str((facts or {}).get("notice", "")))
    return render(facts or {}) if render is not None else fallback


BUTTONS: dict[str, Callable[[dict[str, Any]], Buttons]] = {
    "review": lambda f: [[("✔️ " + _("Accept"), f"rvok:{f['review']}"), ("↩️ " + _("Return"), f"rvret:{f['review']}")],
                         [("📝 " + _("Open the review"), f"rv:{f['review']}")]],
    "accepted": lambda f: [[("📌 " + _("Task card"), f"tc:{f['occurrence']}")]],
    "returned": lambda f: [[("📎 " + _("Send documents"), f"ev:{f['occurrence']}"),
                            ("✅ " + _("Mark as done"), f"done:{f['occurrence']}")]],
    "blocker": lambda f: [[("➡️ " + _("Forward to leadership"), f"fwd:{f['blocker']}"),
                           ("💬 " + _("Answer / advise"), f"bkr:{f['blocker']}")]],  # the office advises
    "blocker_forwarded": lambda f: [[("💬 " + _("Give direction"), f"bkr:{f['blocker']}"),
                                     ("⚠️ " + _("Open the difficulty"), f"bk:{f['blocker']}")]],
    "blocker_reply": lambda f: [[("⚠️ " + _("Open the difficulty"), f"bk:{f['blocker']}")]],
}


def notice_buttons(facts: dict[str, Any] | None, stored: Buttons) -> Buttons:
    """The notice's buttons in the current language (the stored ones for a row without facts)."""
    render = BUTTONS.get(str((facts or {}).get("notice", "")))
    try:
        return render(facts or {}) if render is not None else stored
    except KeyError:  # facts without the id a button needs: the stored buttons, if any
        return stored
