"""Refusals of this package by key (Refused.key): English ids, words in trust.po; the chat's `t` reads them."""

from __future__ import annotations

from bot.i18n import N_

TRUST_REFUSALS = {
    "nothing_to_confirm": N_("No draft matches: name a task, a deadline or a unit (type /xacnhan for the list)."),
    "too_many_at_once": N_("Too many at once (at most {limit}): name a task or a unit."),
    "not_a_unit_member": N_("That member is not an active member of {unit}: see /chuyenvien."),
    "bad_range": N_("The end date is before the start date."),
    "extension_not_later": N_("Ask for a date after the current deadline ({due})."),
    "extension_pending": N_("A request for more time on this item is already waiting for the office."),
    "extension_decided": N_("This request was already decided."),
    "heads_only": N_("This command is for the head of a unit."),
    "delegation_usage": N_("Use: /giao <task> [deadline] #<member> (#0 takes it back); /quyen #<member> "
                           "<from dd/mm/yyyy> <to dd/mm/yyyy>. /chuyenvien lists the members."),
    "extension_usage": N_("Use: /giahan <task> [deadline] <new date dd/mm/yyyy> <reason>, e.g. /giahan 1.2 "
                          "05/12/2019 waiting for the province's figures."),
}

