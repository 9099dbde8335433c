"""The operator's commands: `--version`, `status`, `db check`, `backup`, `restore` (registered by bot.cli)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.i18n import _
from bot.i18n.formats import fmt_number

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
ConfigLoader = Callable[[argparse.Namespace], Any]


def version_text() -> str:
    from bot.ops.schema import head, package_version

    return _("nhacviec {version} (database schema {revision})").format(version=package_version(), revision=head())


class _Version(argparse.Action):
    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any, **_kwargs: Any) -> None:
        print(version_text())
        parser.exit(EXIT_OK)


def add_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action=_Version, help=_("print the version and exit"))


def add_subcommands(sub: Any, command: Callable[..., Any], config_option: Callable[[Any], None],
                    load: ConfigLoader) -> None:
    """status, db check, backup, restore; `command` is bot.cli's subcommand maker."""
    config_option(command(sub, "status", _("show the database, plan, members, outbox and channels"),
                          lambda a: cmd_status(a, load)))
    db = command(sub, "db", _("database tasks: `db check` lists pending migrations"), lambda a: cmd_db(a, load))
    db.add_argument("action", choices=["check"], help=_("check: compare the database's schema with this nhacviec"))
    config_option(db)
    backup = command(sub, "backup", _("back up the database, the evidence files and the configuration into one "
                                      "file with a SHA-256 manifest"), lambda a: cmd_backup(a, load))
    backup.add_argument("--out", required=True, metavar=_("FILE"), help=_("the backup file to write (.tar.gz)"))
    config_option(backup)
    restore = command(sub, "restore", _("restore a backup into an empty database and an empty evidence folder"),
                      lambda a: cmd_restore(a, load))
    restore.add_argument("file", metavar=_("FILE"), help=_("the backup file (.tar.gz)"))
    config_option(restore)


def _connect_error(exc: Exception, url: str) -> int:
    from bot.ops.faults import database_unreachable, is_unreachable

    if not is_unreachable(exc):
        raise exc
    print(database_unreachable(exc, url), file=sys.stderr)
    return EXIT_USAGE


def cmd_status(args: argparse.Namespace, load: ConfigLoader) -> int:
    from bot.db.engine import make_engine
    from bot.ops.schema import schema_state
    from bot.ops.status import render_status
    from bot.plans.loader import load_plans

    config = load(args)
    plans = load_plans(config.plan_paths())
    engine = make_engine(config.database.url)
    try:
        state = schema_state(engine)
        print(render_status(config, engine, state, plans, config.make_clock().now()))
    except Exception as exc:  # noqa: BLE001 - only an unreachable database is worded here
        return _connect_error(exc, config.database.url)
    finally:
        engine.dispose()
    return EXIT_OK


def cmd_db(args: argparse.Namespace, load: ConfigLoader) -> int:
    from bot.db.engine import make_engine
    from bot.ops.schema import schema_state

    config = load(args)
    engine = make_engine(config.database.url)
    try:
        state = schema_state(engine)
    except Exception as exc:  # noqa: BLE001
        return _connect_error(exc, config.database.url)
    finally:
        engine.dispose()
    if state.newer:
        print(_("The database is at schema revision {rev}, which this nhacviec ({head}) does not know: it was "
                "upgraded by a newer version. Do not start this version on it: install the newer nhacviec again, "
                "or restore the backup taken before the upgrade.").format(rev=state.current, head=state.head),
              file=sys.stderr)
        return EXIT_USAGE
    if state.current is None:
        print(_("The database is empty: {count} migration(s) will be applied at the first start (up to {head}).")
              .format(count=fmt_number(len(state.pending)), head=state.head))
    elif state.pending:
        print(_("The database is at revision {rev}; pending migrations (applied at the next start): {list}.")
              .format(rev=state.current, list=", ".join(state.pending)))
    else:
        print(_("The database is at revision {rev}, the newest this nhacviec knows: nothing to migrate.")
              .format(rev=state.current))
    return EXIT_OK


def cmd_backup(args: argparse.Namespace, load: ConfigLoader) -> int:
    from datetime import datetime, timezone

    from bot.ops.backup import BackupRefused, take_backup

    config = load(args)
    config_file = Path(args.config) if args.config else (Path("config.yaml") if Path("config.yaml").exists()
                                                         else None)
    try:
        done = take_backup(config.database.url, Path(config.storage.evidence_dir), config_file, Path(args.out),
                           datetime.now(timezone.utc))
    except BackupRefused as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001
        return _connect_error(exc, config.database.url)
    rows = sum(done.tables.values())
    print(_("Wrote {path}: database revision {rev}, {rows} rows in {tables} tables, {files} evidence files, "
            "with a SHA-256 manifest.").format(path=done.path, rev=done.revision or "-", rows=fmt_number(rows),
                                               tables=fmt_number(len(done.tables)),
                                               files=fmt_number(done.files)))
    if config_file is not None:
        print(_("The backup holds the configuration file {file}: keep it as safe as the configuration itself.")
              .format(file=config_file))
    for path in done.missing:
        print(_("Warning: evidence file not found on disk, not in the backup: {path}").format(path=path),
              file=sys.stderr)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, load: ConfigLoader) -> int:
    from bot.ops.backup import BackupRefused, restore_backup

    config = load(args)
    try:
        done = restore_backup(Path(args.file), config.database.url, Path(config.storage.evidence_dir))
    except BackupRefused as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001
        return _connect_error(exc, config.database.url)
    print(_("Restored {rows} rows in {tables} tables (revision {rev}) and {files} evidence files; every SHA-256 "
            "matched.").format(rows=fmt_number(sum(done.tables.values())), tables=fmt_number(len(done.tables)),
                               rev=done.revision or "-", files=fmt_number(done.files)))
    if done.config_written is not None:
        print(_("The configuration from the backup: {path} (compare it with yours).").format(path=done.config_written))
    print(_("Next: `nhacviec db check`, then start the bot."))
    return EXIT_OK
