"""The words of confirmations, drafts and extensions (English ids; Vietnamese in trust.po)."""

from __future__ import annotations

from collections import Counter

from bot.i18n import _, ngettext
from bot.services.assumptions import Confirmation, Draft
from bot.texts import fmt_date

SHOWN = 12


def assumed_tag() -> str:
    """What every assumed item carries while the office has not confirmed it."""
    return _("(assumed, awaiting the office's confirmation)")


def drafts_text(drafts: list[Draft]) -> str:
    """The office's list of drafts, grouped by task and deadline, with how to confirm them."""
    if not drafts:
        return _("✅ No assumption is waiting for confirmation: every deadline in force comes from the plan or "
                 "was confirmed by the office.")
    groups = Counter((d.task_id, d.deadline_id) for d in drafts)
    first: dict[tuple[str, str], Draft] = {}
    for d in drafts:
        first.setdefault((d.task_id, d.deadline_id), d)
    lines = [ngettext("📝 {count} assumed deadline is a draft: no reminder, not counted as overdue, until the "
                      "office confirms it.",
                      "📝 {count} assumed deadlines are drafts: no reminder, not counted as overdue, until the "
                      "office confirms them.", len(drafts)).format(count=len(drafts))]
    for (task, deadline), count in list(groups.items())[:SHOWN]:
        d = first[(task, deadline)]
        lines.append("• " + ngettext("{task} {deadline}: {label} — first due {due} ({count} unit)",
                                     "{task} {deadline}: {label} — first due {due} ({count} units)", count)
                     .format(task=task, deadline=deadline, label=d.label, due=fmt_date(d.due), count=count))
    if len(groups) > SHOWN:
        lines.append(_("… and {count} more groups.").format(count=len(groups) - SHOWN))
    lines.append(_("To confirm: /xacnhan <task> [deadline] [unit] [dd/mm/yyyy: the date the office sets], "
                   "e.g. /xacnhan 1.1 bc-quy3. To make a task's evidence list required: /xacnhan tailieu <task>."))
    return "\n".join(lines)


def confirmation_text(result: Confirmation) -> str:
    """What a confirmation did."""
    text = ngettext("✅ Confirmed {count} deadline: reminders and overdue figures now include it.",
                    "✅ Confirmed {count} deadlines: reminders and overdue figures now include them.",
                    len(result.confirmed)).format(count=len(result.confirmed))
    if result.due is not None:
        text += "\n" + _("Date set by the office: {due} ({moved} reminders moved).").format(
            due=fmt_date(result.due), moved=result.reminders_moved)
    return text


def evidence_confirmed_text(task_ids: list[str]) -> str:
    return _("✅ The evidence list of task(s) {tasks} is now required by the office.").format(
        tasks=", ".join(task_ids))


def nothing_selected_text() -> str:
    return _("No draft matches: name a task, a deadline or a unit (type /xacnhan for the list).")


def unknown_words_text(words: tuple[str, ...]) -> str:
    return _("Not a task, deadline, unit or date dd/mm/yyyy: {words}. Type /xacnhan for the list.").format(
        words=", ".join(words))

