"""Words for the refusals the dossier's services raise (keys the chat's tables do not already have)."""

from __future__ import annotations

from bot.i18n import N_, _
from bot.services.access import Refused

REFUSALS = {
    "no_criteria_set": N_("No criteria set has been loaded yet (set {ref}): load the province's criteria file first."),
    "criterion_bad_points": N_("\"{value}\" is not a valid maximum: write a number from 0 to 100, at most two "
                               "decimals, e.g. 2,5."),
    "criterion_bad_code": N_("A criterion needs a code (at most 32 characters, e.g. 3.2.1) and a name."),
    "criterion_bad_level": N_("\"{level}\" is not a level: choose area, criterion or sub-criterion."),
    "criterion_code_taken": N_("The code {code} is already used in this criteria set."),
    "criterion_bad_parent": N_("{code} cannot go under {parent}: an area has no parent, a criterion goes under an "
                               "area, a sub-criterion under a criterion."),
    "reviews_of_one_unit": N_("Choose pending reviews of one unit only to decide them together."),
    "no_such_unit": N_("There is no unit with code {unit}."),
    "council_closed": N_("The council stage has not started: questions and deductions are recorded after "
                         "{day}."),
    "score_on_parent": N_("{code} has rows under it: score its sub-criteria, their sum is its score."),
    "council_bad_points": N_("\"{value}\" is not a valid deduction: write a number from 0 to {max}."),
}


def refusal_text(refused: Refused) -> str | None:
    """The reader's words for a dossier refusal; None when the key is one of the chat's own."""
    message = REFUSALS.get(refused.key)
    return _(message).format(**refused.params) if message else None
