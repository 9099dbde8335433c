"""`nhacviec confirm [TASK] [DEADLINE] [UNIT] [dd/mm/yyyy] [--evidence TASK...]`: the office confirms assumptions."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from bot.i18n import _


def add_subcommands(sub: Any, config_option: Callable[[Any], None], lang_option: Callable[[Any], None]) -> None:
    """Register `confirm` on the main parser's subparsers."""
    text = _("list the assumed deadlines awaiting confirmation, or confirm some (the office's decision)")
    cmd = sub.add_parser("confirm", help=text, description=text)
    lang_option(cmd)
    config_option(cmd)
    cmd.add_argument("words", nargs="*", metavar=_("WHAT"),
                     help=_("a task id, a deadline id, a unit id and/or the date the office sets (dd/mm/yyyy)"))
    cmd.add_argument("--evidence", action="store_true",
                     help=_("make the evidence lists of the tasks named required instead"))


def run(args: argparse.Namespace, config: Callable[[argparse.Namespace], Any]) -> int:
    """List drafts (no words), confirm the ones named, or make evidence lists required (`--evidence`)."""
    from sqlalchemy.orm import Session

    from bot.cliwords import UsageError
    from bot.db.engine import make_engine, migrate
    from bot.domain.workdays import WorkCalendar
    from bot.services.access import Refused
    from bot.services.assumptions import confirm_evidence, confirm_matching, drafts
    from bot.services.closing import cli_actor
    from bot.services.tasks import Event
    from bot.trust.selection import read_selection
    from bot.trust.words import (
        confirmation_text,
        drafts_text,
        evidence_confirmed_text,
        nothing_selected_text,
        unknown_words_text,
    )

    settings = config(args)
    engine, now = make_engine(settings.database.url), settings.make_clock().now()
    migrate(engine)
    try:
        with Session(engine) as session, session.begin():
            if args.evidence:
                print(evidence_confirmed_text(confirm_evidence(session, cli_actor(), args.words, Event(now))))
                return 0
            if not args.words:
                print(drafts_text(drafts(session)))
                return 0
            chosen = read_selection(session, args.words)
            if chosen.unknown:
                raise UsageError(unknown_words_text(chosen.unknown))
            result = confirm_matching(session, cli_actor(), Event(now), WorkCalendar(), task=chosen.task,
                                      deadline=chosen.deadline, unit=chosen.unit, due=chosen.due)
            print(confirmation_text(result))
    except Refused as exc:
        from bot.trust.refusals import TRUST_REFUSALS

        words = _(TRUST_REFUSALS[exc.key]).format(**exc.params) if exc.key in TRUST_REFUSALS else exc.key
        raise UsageError(nothing_selected_text() if exc.key == "no_such_task" else words) from None
    finally:
        engine.dispose()
    return 0
