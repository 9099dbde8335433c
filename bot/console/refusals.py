"""The console's words for a service's refusal (Refused.key): the console's own catalog, not the chat's."""

from __future__ import annotations

from bot.i18n import N_, _
from bot.services.access import Refused

TEXTS: dict[str, str] = {
    "stranger": N_("You are not a member of nhacviec (or were removed). Ask the department office."),
    "admin_only": N_("Only the department office can do this."),
    "bad_request": N_("This item no longer exists or the address is wrong."),
    "already_reviewed": N_("This completion was already accepted or returned."),
    "empty_text": N_("Write the reason (it cannot be empty)."),
    "unknown_unit": N_("No unit \"{unit}\". Valid units: {known}."),
    "no_such_invite": N_("Invite #{invite} is no longer open (used, expired or revoked)."),
    "no_such_member": N_("This member no longer exists or was already removed."),
    "cannot_remove_self": N_("You cannot remove your own office role."),
    "not_your_unit": N_("This belongs to unit {unit}, not to yours."),
    "no_such_task": N_("This task no longer exists (the plan may have changed)."),
    "console_no_member": N_("Nobody active matches \"{target}\": give quantri, lanhdao or a member number."),
    "console_bad_target": N_("\"{target}\" is not quantri, lanhdao or a member number."),
    "console_no_role": N_("This member has no role in the console (no unit, not leadership, not the office)."),
    "console_no_session": N_("This session has already ended."),
    "reviews_of_one_unit": N_("Choose the completions of one unit at a time."),
    "console_nothing_chosen": N_("Tick at least one completion first."),
    "console_bad_date": N_("\"{value}\" is not a date: write it as dd/mm/yyyy, e.g. 20/11/2026."),
    "console_bad_file": N_("The file {name} cannot be read: {why}."),
    "console_file_type": N_("Send a file of type {types}."),
    "no_such_criterion": N_("There is no criterion with code \"{code}\" in the current criteria set."),
    "score_bad": N_("\"{value}\" is not a valid score: write a number from 0 to {max}, e.g. 2,5."),
    "score_needs_explanation": N_("A score below the maximum ({max}) of criterion {code} needs its "
                                  "explanation."),
    "no_such_task_id": N_("There is no task \"{task}\" in the plan."),
    "leaders_only": N_("Only the department's leadership and the office can answer a difficulty."),
    "blocker_resolved": N_("This difficulty is already resolved."),
    "already_forwarded": N_("This difficulty was already forwarded to leadership."),
    "not_a_head": N_("You head no unit."),
    "console_file_size": N_("The file is empty or larger than {mb} MB."),
    "doc_bad_date": N_("Date of issue: \"{value}\" is not a date. Write it as dd/mm/yyyy, e.g. 05/03/2019."),
    "doc_future_date": N_("Date of issue: {value} is after today. Please check it."),
    "doc_number_too_long": N_("Number and sign: longer than {limit} characters."),
    "no_such_acting_head": N_("This stand-in no longer exists or was already cancelled."),
    "not_a_unit_member": N_("That person is not an active member of the unit (head or staff)."),
    "bad_range": N_("The end date is before the start date."),
    "extension_decided": N_("This request was already decided."),
    "unit_bad_code": N_("\"{unit}\" is not a valid unit code: letters, digits, - or _, at most 24 characters."),
    "unit_exists": N_("There is already a unit with code {unit} (perhaps no longer in the plan): choose another code."),
    "unit_bad_name": N_("Write the unit's name (at most {limit} characters)."),
    "unit_merge_self": N_("Choose two different units."),
    "unit_in_plan": N_("The plan still names {unit}: change the plan first so that it no longer names it, then "
                       "merge its history."),
    "console_nothing_ticked": N_("Tick at least one row first."),
    "nothing_to_confirm": N_("Tick at least one row first."),
    "too_many_at_once": N_("Too many at once (at most {limit}): filter by task or unit."),
}


def refusal_text(exc: Refused) -> str:
    """The sentence for a refusal, with its parameters filled in (the dossier's own words for its keys)."""
    if exc.key not in TEXTS:
        from bot.dossier.refusals import refusal_text as dossier_words

        said = dossier_words(exc)
        if said is not None:
            return said
    template = _(TEXTS[exc.key]) if exc.key in TEXTS else _("This cannot be done now.")
    try:
        return template.format(**exc.params)
    except (KeyError, IndexError):
        return template
