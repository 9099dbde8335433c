"""Command line: the composition root. `nhacviec check|preview|sync|simulate|run`."""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy.exc import ArgumentError, OperationalError

from bot import criteria_cli
from bot.cliwords import (
    CliParser,
    Handler,
    Subparsers,
    UsageError,
    argparse_speaks,
    config_option,
    date_arg,
    int_arg,
    lang_option,
    number_arg,
)
from bot.config import Config, ConfigError, engine_config_error, load_config
from bot.console import cli as console_cli
from bot.db.lock import AlreadyRunning
from bot.domain.workdays import WorkCalendar
from bot.dossier import cli as dossier_cli
from bot.i18n import _, language
from bot.i18n.formats import fmt_number
from bot.importer import cli as importer_cli
from bot.ops import cli as ops_cli
from bot.ops.faults import DatabaseUnreachable
from bot.plans.loader import PlanError, load_plan
from bot.preview import render_json, render_table, summary, timeline
from bot.trust import cli as trust_cli

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def _command(sub: Subparsers, name: str, text: str, handler: Handler) -> CliParser:
    """A subcommand with its help, `--lang` and the function that runs it."""
    cmd: CliParser = sub.add_parser(name, help=text, description=text)  # type: ignore[attr-defined]
    lang_option(cmd)
    cmd.set_defaults(handler=handler)
    return cmd


def add_plan_commands(sub: Subparsers) -> None:
    """check, preview, simulate: read a plan file, no database."""
    plan_help, unit = _("path of the YAML plan file"), _("UNIT")
    check = _command(sub, "check", _("check a plan file and print its summary"), cmd_check)
    check.add_argument("plan", metavar=_("PLAN"), help=plan_help)
    preview = _command(sub, "preview", _("preview every deadline and reminder"), cmd_preview)
    preview.add_argument("plan", metavar=_("PLAN"), help=plan_help)
    preview.add_argument("--from", dest="start", type=date_arg, metavar=_("DATE"),
                         help=_("deadlines from this day, dd/mm/yyyy"))
    preview.add_argument("--to", dest="end", type=date_arg, metavar=_("DATE"),
                         help=_("deadlines up to this day, dd/mm/yyyy"))
    preview.add_argument("--unit", metavar=unit, help=_("only the unit with this id, e.g. TCCB"))
    preview.add_argument("--format", choices=["table", "json"], default="table", help=_("output format"))
    sim = _command(sub, "simulate", _("run the reminder engine over simulated time, without Telegram"),
                   cmd_simulate)
    sim.add_argument("plan", metavar=_("PLAN"), help=plan_help)
    sim.add_argument("--from", dest="start", type=date_arg, required=True, metavar=_("DATE"),
                     help=_("first day, dd/mm/yyyy"))
    sim.add_argument("--to", dest="end", type=date_arg, required=True, metavar=_("DATE"),
                     help=_("last day, dd/mm/yyyy"))
    sim.add_argument("--format", choices=["text", "json"], default="text", help=_("output format"))


def add_bot_commands(sub: Subparsers) -> None:
    """sync, run: the configured database and the bot."""
    config_option(_command(sub, "sync", _("sync the plan into the database"), cmd_sync))
    run = _command(sub, "run", _("run the bot"), cmd_run)
    config_option(run)
    run.add_argument("--rehearsal", metavar=_("START"), help=_(
        "a rehearsal clock starting at this moment, e.g. 2019-11-14T07:58:00+07:00 or \"14/11/2019 07:58\" "
        "(replaces clock.start)"))
    run.add_argument("--speed", type=number_arg, metavar="N",
                     help=_("the rehearsal clock runs N times faster (replaces clock.speed)"))
    run.add_argument("--port", type=int_arg, metavar=_("PORT"),
                     help=_("port of the sandbox page when there is no token (default 8080)"))


def add_export_commands(sub: Subparsers) -> None:
    """export, ics: files from the configured database."""
    export = _command(sub, "export", _("export the summary workbook (.xlsx) and the evidence package (.zip) "
                                       "for the administrative reform assessment"), cmd_export)
    export.add_argument("--out", required=True, metavar=_("FOLDER"), help=_("folder to write the results to"))
    export.add_argument("--plan", metavar=_("PLAN"), help=_("only this plan's id (several plans in one database)"))
    dossier_cli.add_arguments(export)
    config_option(export)
    ics = _command(sub, "ics", _("export one unit's deadline calendar (.ics)"), cmd_ics)
    ics.add_argument("--unit", required=True, metavar=_("UNIT"), help=_("unit id, e.g. TCCB"))
    ics.add_argument("--out", default=None, metavar=_("FILE"),
                     help=_("the .ics file (default: <unit id>.ics in the current folder)"))
    config_option(ics)


def add_closing_commands(sub: Subparsers) -> None:
    """close: the office closes, in bulk, what was due before the deployment."""
    close = _command(sub, "close", _("close every open deadline due before a date (with a reason)"), cmd_close)
    close.add_argument("--before", type=date_arg, required=True, metavar=_("DATE"),
                       help=_("date dd/mm/yyyy: deadlines due before it"))
    close.add_argument("--reason", required=True, help=_("why they are closed (kept in the audit log)"))
    config_option(close)


def add_invite_commands(sub: Subparsers) -> None:
    """invite: a code made on the server (the first admin of an office on Zalo alone)."""
    invite = _command(sub, "invite", _("make an invite code on the server: quantri (admin), lanhdao, or a unit"),
                      cmd_invite)
    invite.add_argument("target", metavar=_("WHO"), help=_("quantri, lanhdao, or a unit id such as TCCB"))
    config_option(invite)


def cmd_invite(args: argparse.Namespace) -> int:
    """Print a single-use invite code for Telegram (/start CODE) or Zalo (the code alone)."""
    from sqlalchemy.orm import Session

    from bot.db.engine import make_engine
    from bot.i18n.refusals import t
    from bot.runner import sync_only
    from bot.services.access import Refused
    from bot.services.bootstrap import cli_invite
    from bot.services.tasks import Event
    from bot.texts import fmt_local

    config = _config(args)
    sync_only(config)  # migrated, and the plan's units known
    engine, now = make_engine(config.database.url), config.make_clock().now()
    try:
        with Session(engine) as session, session.begin():
            invite = cli_invite(session, args.target, Event(now))
            code, expires = invite.code, invite.expires_at
    except Refused as exc:
        raise UsageError(t(exc.key, **exc.params)) from None
    finally:
        engine.dispose()
    print(_("Invite code (single use, expires {expires}): {code}").format(code=code, expires=fmt_local(expires)))
    print(_("On Zalo: send the nhacviec bot this code. On Telegram: send the bot /start {code}.").format(code=code))
    return EXIT_OK


# One function per group of subcommands; a new group is one more entry here.
SUBCOMMANDS: list[Callable[[Subparsers], None]] = [
    add_plan_commands, add_bot_commands, add_export_commands, add_closing_commands, add_invite_commands,
    importer_cli.add_subcommands, criteria_cli.add_parser,
    lambda sub: console_cli.add_parser(sub, _config, _sync_only),
    lambda sub: ops_cli.add_subcommands(sub, _command, config_option, _config),
    lambda sub: trust_cli.add_subcommands(sub, config_option, lang_option),
]


def build_parser() -> CliParser:
    """All subcommands and options, worded in the current language."""
    parser = CliParser(prog="nhacviec", description=_("Reminder bot for the administrative reform plan."))
    lang_option(parser, top=True)
    ops_cli.add_version(parser)
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"), parser_class=CliParser)
    for register in SUBCOMMANDS:
        register(sub)  # type: ignore[arg-type]
    return parser


def cmd_check(args: argparse.Namespace) -> int:
    """Validate a plan and print its summary."""
    plan = load_plan(args.plan)
    print(summary(plan, WorkCalendar()))
    return EXIT_OK


def cmd_preview(args: argparse.Namespace) -> int:
    """Print the timeline of deadlines and reminders."""
    plan = load_plan(args.plan)
    if args.unit and args.unit not in {u.id for u in plan.units}:
        known = ", ".join(u.id for u in plan.units)
        raise UsageError(_("no unit {unit!r} in the plan; valid ids: {known}").format(unit=args.unit, known=known))
    items = timeline(plan, WorkCalendar(), args.start, args.end, args.unit)
    print(render_json(items) if args.format == "json" else render_table(items))
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    """Run the engine over simulated time and print every message."""
    import asyncio
    import json

    from bot.engine.simulate import as_json, as_text, simulate

    if args.end < args.start:
        raise UsageError(_("--to must not be before --from"))
    plan = load_plan(args.plan)
    messages = asyncio.run(simulate(plan, WorkCalendar(), args.start, args.end))
    print(json.dumps(as_json(messages), ensure_ascii=False, indent=2) if args.format == "json" else as_text(messages))
    return EXIT_OK


def _sync_only(config: Config) -> Any:
    from bot.runner import sync_only

    return sync_only(config)


def _config(args: argparse.Namespace) -> Config:
    path = args.config
    if path is None and Path("config.yaml").exists():
        path = "config.yaml"
    return load_config(path)


def cmd_sync(args: argparse.Namespace) -> int:
    """Sync the configured plan into the configured database."""
    from bot.runner import sync_only

    report = sync_only(_config(args))
    n = fmt_number
    print(_("Plan synced: deadline occurrences {added} added, {updated} updated, {retired} retired.").format(
        added=n(report.occurrences_added), updated=n(report.occurrences_updated),
        retired=n(report.occurrences_retired)))
    print(_("Reminders: {added} added, {moved} moved, {cancelled} cancelled, {skipped} skipped (their time "
            "has passed).").format(added=n(report.reminders_added), moved=n(report.reminders_moved),
                                  cancelled=n(report.reminders_cancelled), skipped=n(report.reminders_skipped_past)))
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Start the bot."""
    from bot.runner import BotStopped, MissingToken, run_bot
    from bot.sandbox.options import with_run_options

    try:
        config = with_run_options(_config(args), args.rehearsal, args.speed, args.port)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if config.token() is None and config.zalo_token() is None and config.sandbox.enabled:  # no token: a sandbox
        from bot.sandbox.run import run_sandbox

        return run_sandbox(config)
    try:
        run_bot(config)
    except MissingToken as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except BotStopped as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code  # 2: the database file vanished (bot.runner.DatabaseGone)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Write the summary workbook and the evidence package from the configured database."""
    if getattr(args, "dossier", False):
        return dossier_cli.run_export(args, _config)
    from zoneinfo import ZoneInfo

    from sqlalchemy.orm import Session

    from bot.db.audit import audit
    from bot.db.engine import make_engine, migrate
    from bot.exports.package import fmt_size, write_export
    from bot.exports.records import load_snapshot

    config = _config(args)
    engine, now, zone = make_engine(config.database.url), config.make_clock().now(), ZoneInfo(config.timezone)
    migrate(engine)
    try:
        with Session(engine) as session, session.begin():
            snap = load_snapshot(session, now.astimezone(zone).date(), getattr(args, "plan", None))
        done = write_export(snap, Path(args.out), zone=zone)
        pkg = done.package
        with Session(engine) as session, session.begin():
            audit(session, now, "cli", "export_created", str(Path(args.out)),
                  {"files": pkg.file_count, "parts": [p.name for p in pkg.paths], "missing": len(pkg.missing)})
    finally:
        engine.dispose()
    if not snap.occurrences:
        print(_("Warning: the database has no task occurrences yet (run `nhacviec sync` first)."), file=sys.stderr)
    print(_("Wrote {path} ({size}): {occurrences} task occurrences, {evidence} evidence documents.").format(
        path=done.workbook, size=fmt_size(done.workbook_size), occurrences=fmt_number(len(snap.occurrences)),
        evidence=fmt_number(len(snap.evidence))))
    for path, size in zip(pkg.paths, pkg.sizes, strict=True):
        too_big = _(" — over the size limit of one part, cannot be sent through Telegram") \
            if path in pkg.oversized else ""
        print(_("Wrote {path} ({size}){too_big}").format(path=path, size=fmt_size(size), too_big=too_big))
    print(_("In all {files} evidence files in {parts} package(s).").format(files=fmt_number(pkg.file_count),
                                                                          parts=fmt_number(len(pkg.paths))))
    for item in pkg.missing:
        print(_("Missing file: {item}").format(item=item), file=sys.stderr)
    for item in pkg.mismatched:
        print(_("File differs from the one received (SHA-256): {item}").format(item=item), file=sys.stderr)
    return EXIT_OK


def cmd_ics(args: argparse.Namespace) -> int:
    """Write one unit's deadlines as an iCalendar file."""
    from sqlalchemy.orm import Session

    from bot.db.audit import audit
    from bot.db.engine import make_engine, migrate
    from bot.exports.calendar import find_unit, unit_calendar
    from bot.i18n.refusals import t
    from bot.services.access import Refused

    config = _config(args)
    engine, now = make_engine(config.database.url), config.make_clock().now()
    migrate(engine)
    try:
        with Session(engine) as session, session.begin():
            unit = find_unit(session, args.unit).id
            data = unit_calendar(session, unit, now)
            out = Path(args.out or f"{unit}.ics")
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
            audit(session, now, "cli", "calendar_sent", unit, {"path": str(out), "bytes": len(data)})
    except Refused as exc:
        raise UsageError(t(exc.key, args.lang, **exc.params)) from None
    finally:
        engine.dispose()
    print(_("Wrote {path} ({size} bytes): the deadline calendar of unit {unit}.").format(
        path=out, size=fmt_number(len(data)), unit=unit))
    return EXIT_OK


def cmd_close(args: argparse.Namespace) -> int:
    """Close, in bulk, the configured database's open deadlines due before a date (bot.services.closing)."""
    from sqlalchemy.orm import Session

    from bot.conversation.closing import closing_text
    from bot.db.engine import make_engine, migrate
    from bot.services.access import Refused
    from bot.services.closing import cli_actor, close_before
    from bot.services.tasks import Event

    config = _config(args)
    engine, now = make_engine(config.database.url), config.make_clock().now()
    migrate(engine)
    try:
        with Session(engine) as session, session.begin():
            result = close_before(session, cli_actor(), args.before, args.reason, Event(now))
    except Refused:
        raise UsageError(_("--reason must not be empty")) from None
    finally:
        engine.dispose()
    with language(getattr(args, "lang", None)):
        print(closing_text(result))
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": cmd_check, "preview": cmd_preview, "simulate": cmd_simulate, "sync": cmd_sync, "run": cmd_run,
    "export": cmd_export, "ics": cmd_ics, **importer_cli.COMMANDS,
    "criteria": lambda args: criteria_cli.run(args, _config),
    "confirm": lambda args: trust_cli.run(args, _config),
}


def _lang_of(argv: Sequence[str]) -> str:
    """The `--lang` given anywhere on the line (the help is worded before argparse reads it)."""
    chosen = [b for a, b in itertools.pairwise(argv) if a == "--lang"]
    chosen += [a[7:] for a in argv if a.startswith("--lang=")]
    return "en" if chosen and chosen[-1] == "en" else "vi"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `nhacviec` and `python -m bot`; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _lang_of(argv)
    with language(lang), argparse_speaks():
        return _main(argv, lang)


def _main(argv: list[str], lang: str) -> int:
    try:
        args = build_parser().parse_args(argv)
        if not args.command:
            build_parser().print_help()
            return EXIT_USAGE
        handler: Handler = getattr(args, "handler", None) or COMMANDS[args.command]
        return handler(args)
    except PlanError as exc:
        print(exc.render(lang), file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_USAGE
    except (ArgumentError, ZoneInfoNotFoundError) as exc:  # engine or zone of a bad database.url / timezone
        print(engine_config_error(exc).render(), file=sys.stderr)
        return EXIT_USAGE
    except AlreadyRunning as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILURE
    except OperationalError as exc:  # the database does not answer: one sentence naming database.url
        from bot.ops.faults import database_unreachable

        print(database_unreachable(exc, _config(args).database.url), file=sys.stderr)
        return EXIT_USAGE
    except DatabaseUnreachable as exc:  # or is newer than this code (bot.ops.logwords.migrate_logged)
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(_("Usage error: {message}").format(message=exc), file=sys.stderr)
        print(_("See: nhacviec --help"), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `nhacviec preview ... | head`
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:  # never a traceback for the user; NHACVIEC_DEBUG=1 shows it
        if os.environ.get("NHACVIEC_DEBUG") == "1":
            raise
        print(_("Unexpected error ({kind}): {message}").format(kind=type(exc).__name__, message=exc),
              file=sys.stderr)
        return EXIT_FAILURE
