"""`nhacviec import INPUT --out DRAFT.yaml` and `nhacviec plan roll PLAN --to-year YYYY --out NEW.yaml`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from bot.i18n import N_, _
from bot.importer.draft import Draft, build_draft
from bot.importer.reading import ReadError, read_document
from bot.importer.roll import roll_plan
from bot.importer.structure import read_structure
from bot.importer.units import Registry

EXIT_OK, EXIT_USAGE = 0, 2


def add_subcommands(sub: Any) -> None:
    """Register `import` and `plan roll` on the main parser's subparsers."""
    imp = sub.add_parser("import", help=_("read a plan document (.docx, .txt, .xlsx) into a draft plan file"))
    imp.add_argument("input", help=_("the plan document"))
    imp.add_argument("--out", required=True, help=_("the draft plan file to write (YAML)"))
    imp.add_argument("--units", default=None, help=_("a YAML file of units (id, name, aliases) and groups"))
    imp.add_argument("--year", type=year_given, default=None, help=_("the plan year, when the title names none"))
    plan = sub.add_parser("plan", help=_("work on plan files"))
    plan_sub = plan.add_subparsers(dest="plan_command", metavar="ACTION", parser_class=type(plan))
    roll = plan_sub.add_parser("roll", help=_("copy a plan to a new year"))
    roll.add_argument("plan", help=_("the plan file to copy"))
    roll.add_argument("--to-year", dest="to_year", type=year_given, required=True,
                      help=_("the first year of the new plan"))
    roll.add_argument("--out", required=True, help=_("the new plan file to write"))


def cmd_plan(args: argparse.Namespace) -> int:
    """`plan roll`; `plan` alone says what to add."""
    if getattr(args, "plan_command", None) != "roll":
        print(_("Give an action: nhacviec plan roll PLAN --to-year YYYY --out NEW.yaml"), file=sys.stderr)
        return EXIT_USAGE
    return cmd_roll(args)


def run_import(source: Path, units: Path | None, year: int | None) -> Draft:
    """Read a document and build its draft (ReadError when it cannot be used)."""
    blocks = read_document(source)
    if not blocks:
        raise ReadError(N_("{file} holds no text"), file=str(source))
    plan = read_structure(blocks)
    years = [year] if year else plan.years
    if not years:
        raise ReadError(N_("No plan year found in the title of {file}: give it with --year YYYY"), file=str(source))
    if not plan.tasks:
        raise ReadError(N_("No task found in {file}: neither numbered items with bullets nor a table with a "
                        "column of tasks"), file=str(source))
    return build_draft(plan, Registry.start(units), years, source.name, year_given=year is not None)


def _fail(exc: ReadError) -> int:
    print(_("Cannot import: {reason}").format(reason=_(exc.message).format(**exc.params)), file=sys.stderr)
    return EXIT_USAGE


def cmd_import(args: argparse.Namespace) -> int:
    """Write the draft of a plan document and say what it holds."""
    started = time.perf_counter()
    try:
        draft = run_import(Path(args.input), Path(args.units) if args.units else None, args.year)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(draft.text + "\n", encoding="utf-8")
    except ReadError as exc:
        return _fail(exc)
    except OSError as exc:
        return _fail(ReadError(N_("Cannot write {file}: {reason}"), file=str(args.out), reason=exc.strerror or ""))
    seconds = time.perf_counter() - started
    print(_("Wrote {file}: {areas} areas, {tasks} tasks, {units} units ({new} new), {deadlines} deadlines "
            "({assumed} assumed) in {seconds} s.").format(
        file=args.out, areas=draft.areas, tasks=draft.tasks, units=len(draft.units), new=len(draft.new_units),
        deadlines=draft.deadlines, assumed=draft.assumed, seconds=f"{seconds:.2f}"))
    warn(draft.stale)
    print(_("Check the list at the top of the file, then run: nhacviec check {file}").format(file=args.out))
    return EXIT_OK


def warn(stale: list[str]) -> None:
    """Each term that no longer exists, on the error stream (the file's header lists them too)."""
    for line in stale:
        print(_("Warning: {what}").format(what=line), file=sys.stderr)


def year_given(value: str) -> int:
    """An argparse type: a year of four digits (1990-2100), else a Vietnamese message and exit 2."""
    try:
        year = int(value)
    except ValueError:
        year = 0
    if not 1990 <= year <= 2100:
        raise argparse.ArgumentTypeError(_("{value} is not a year: write it with four digits, such as 2026").format(
            value=value))
    return year


def cmd_roll(args: argparse.Namespace) -> int:
    """Copy a plan to a new year."""
    try:
        text, moved, stale = roll_plan(Path(args.plan), args.to_year)
        Path(args.out).write_text(text, encoding="utf-8")
    except ReadError as exc:
        return _fail(exc)
    except OSError as exc:
        return _fail(ReadError(N_("Cannot write {file}: {reason}"), file=str(args.out), reason=exc.strerror or ""))
    print(_("Wrote {file}: plan moved to {year}; {count} deadlines to confirm (each has a note).").format(
        file=args.out, year=args.to_year, count=moved))
    warn(stale)
    return EXIT_OK


COMMANDS = {"import": cmd_import, "plan": cmd_plan}
