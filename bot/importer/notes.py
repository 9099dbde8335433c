"""The note written on each deadline of a draft: what was read and what was assumed."""

from __future__ import annotations

from bot.i18n import N_, _
from bot.importer.dates import DeadlineRead

NOTES = {
    "before_yearly": N_("Read in the document: \"{phrase}\". Due before {day} each year of the plan "
                        "(the last day allowed is the day before)."),
    "before_date": N_("Read in the document: \"{phrase}\". Due before {day} (the last day allowed is the day "
                      "before)."),
    "on_yearly": N_("Read in the document: \"{phrase}\". Due on {day} each year of the plan."),
    "on_date": N_("Read in the document: \"{phrase}\". Due on {day}."),
    "quarter": N_("Read in the document: \"{phrase}\". Due by the last day of quarter {quarter}."),
    "quarter_year_before": N_("Read in the document: \"{phrase}\". Due by the last day of quarter {quarter} "
                              "of the year before the plan year it prepares; every such day inside the plan's "
                              "period: {days}."),
    "quarter_end_day": N_("Read in the document: \"{phrase}\". Due on day {day} of the last month of each quarter "
                          "(before that day when the document says before)."),
    "monthly_day": N_("Read in the document: \"{phrase}\". Due on day {day} of each month (before that day when "
                      "the document says before)."),
    "month": N_("Read in the document: \"{phrase}\". Due by the last day of month {month}."),
    "in_year": N_("Read in the document: \"{phrase}\". Due by 31/12 of {year}."),
    "quarterly": N_("Assumed: the document says \"{phrase}\" without a day; due on the 20th of months {months} "
                    "(the usual day for CCHC reports). The office must confirm."),
    "half_year": N_("Assumed: the document says \"{phrase}\" without a day; the six-month report is due on "
                    "{day}. The office must confirm."),
    "annual": N_("Assumed: the document says \"{phrase}\" without a day; the annual report is due on {day}. "
                 "The office must confirm."),
}


def deadline_note(read: DeadlineRead) -> str:
    """The note for one deadline read, in the current language."""
    return _(NOTES[read.rule]).format(phrase=read.phrase, **read.params)
