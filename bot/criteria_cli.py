"""`nhacviec criteria load FILE`: load the province's PAR criteria into the configured database.

Kept out of bot/cli.py (two hook lines there): the subcommand's parser and its body live here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.i18n import _


def add_parser(sub: Any) -> None:
    """Register `criteria load FILE [--config]` on the CLI's subparsers."""
    cmd = sub.add_parser("criteria", help=_("load the province's PAR criteria (codes, maximum points, tasks)"))
    actions = cmd.add_subparsers(dest="criteria_action", metavar="ACTION", parser_class=type(cmd))
    load = actions.add_parser("load", help=_("load a criteria file, e.g. schedules/criteria-2019.example.yaml"))
    load.add_argument("file", help=_("criteria file (YAML, format 2 or the old list)"))
    load.add_argument("--year", type=int, default=None,
                      help=_("assessment year of an old list file (default: the current set's)"))
    load.add_argument("--config", default=None, help=_("config file (default: config.yaml if present)"))


def run(args: argparse.Namespace, config_of: Callable[[argparse.Namespace], Any]) -> int:
    """Load the file; every problem of the file is printed, nothing is stored then."""
    from sqlalchemy.orm import Session

    from bot.db.engine import make_engine, migrate
    from bot.dossier.criteria_file import CriteriaFileError, parse_criteria_file
    from bot.dossier.tree import load_file

    if getattr(args, "criteria_action", None) != "load":
        print(_("Use: nhacviec criteria load <file>"), file=sys.stderr)
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(_("No such file: {path}").format(path=path), file=sys.stderr)
        return 2
    config = config_of(args)
    engine, now = make_engine(config.database.url), config.make_clock().now()
    migrate(engine)
    try:
        with Session(engine) as session, session.begin():
            parsed = parse_criteria_file(path.read_text(encoding="utf-8"), str(path))
            result = load_file(session, parsed, now, source=str(path), year=getattr(args, "year", None))
    except CriteriaFileError as exc:
        print(_("The criteria file {path} has {count} problem(s):").format(path=exc.path, count=len(exc.problems)),
              file=sys.stderr)
        for problem in exc.problems:
            print(f"- {problem}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(_("Loaded {count} criteria from {path} into the set of {year} ({retired} no longer in the file "
            "retired).").format(count=result.loaded, path=path, retired=result.retired, year=result.year))
    for warning in result.warnings:
        print(_("Warning: {warning}").format(warning=warning), file=sys.stderr)
    if result.unknown_units:
        print(_("Warning: these units are not in the plan: {units}").format(units=", ".join(result.unknown_units)),
              file=sys.stderr)
    if result.unknown_tasks:
        print(_("Warning: these tasks are not in the plan: {tasks}").format(tasks=", ".join(result.unknown_tasks)),
              file=sys.stderr)
    return 0
