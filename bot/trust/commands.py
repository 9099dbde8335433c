"""This package's chat commands in the help and the command menu: (command, description, roles)."""

from __future__ import annotations

from bot.i18n import N_

TRUST_COMMANDS: list[tuple[str, str, frozenset[str]]] = [
    ("xacnhan", N_("Assumed deadlines awaiting confirmation; confirm them: /xacnhan <task> [deadline] [unit] "
                   "[date]"), frozenset({"admin"})),
    ("giahan", N_("Ask the office for more time: /giahan <task> <new date> <reason>"), frozenset({"head", "staff"})),
    ("giao", N_("Hand an item to a staff member of your unit: /giao <task> #<member>"), frozenset({"head"})),
    ("chuyenvien", N_("Invite a staff member (specialist, deputy) of your unit"), frozenset({"head"})),
    ("quyen", N_("Someone stands in for you: /quyen #<member> <from> <to>"), frozenset({"head"})),
]
