"""`nhacviec export --dossier [--criteria-set ID] --out DIR`: the dossier workbook, the ZIP of evidence by
criterion and the draft annual report. Kept out of bot/cli.py (two hook lines there)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import _
from bot.i18n.formats import fmt_number


def add_arguments(export: Any) -> None:
    """`--dossier` and `--criteria-set` on the export command."""
    export.add_argument("--dossier", action="store_true",
                        help=_("export the self-assessment dossier (criteria, self-scores, documents), the "
                               "evidence by criterion (.zip) and a draft annual report (.docx)"))
    export.add_argument("--criteria-set", type=int, default=None, metavar="ID",
                        help=_("the criteria set (default: the latest year's)"))


def run_export(args: argparse.Namespace, config_of: Callable[[argparse.Namespace], Any]) -> int:
    """Write the three files; a missing set or file is reported in words, never a traceback."""
    from sqlalchemy.orm import Session

    from bot.db.audit import audit
    from bot.db.engine import make_engine, migrate
    from bot.dossier.files import write_all
    from bot.dossier.outline import collect
    from bot.dossier.refusals import refusal_text
    from bot.services.access import Refused

    config = config_of(args)
    engine, now = make_engine(config.database.url), config.make_clock().now()
    today = now.astimezone(ZoneInfo(config.timezone)).date()
    migrate(engine)
    try:
        with Session(engine) as session:
            outline = collect(session, getattr(args, "criteria_set", None))
        written = write_all(outline, Path(args.out), today)
        with Session(engine) as session, session.begin():
            audit(session, now, "cli", "dossier_exported", str(Path(args.out)),
                  {"set_id": outline.set.id, "criteria": len(outline.rows), "files": written.bundle.files,
                   "missing": len(written.bundle.missing)})
    except Refused as exc:
        print(refusal_text(exc) or exc.key, file=sys.stderr)
        return 2
    except OSError as exc:
        print(_("Cannot write the dossier into {path}: {error}").format(path=args.out, error=exc.strerror or exc),
              file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    documents = sum(len(r.documents) for r in outline.rows)
    print(_("Wrote {path}: {criteria} criteria of {year}, {documents} documents.").format(
        path=written.workbook, criteria=fmt_number(len(outline.rows)), year=outline.set.year,
        documents=fmt_number(documents)))
    print(_("Wrote {path}: {files} files in one folder per criterion.").format(
        path=written.bundle.path, files=fmt_number(written.bundle.files)))
    for item in written.bundle.missing:
        print(_("Warning: no file on disk for {item}").format(item=item), file=sys.stderr)
    print(_("Wrote {path}: a draft of the annual report to finish in Word.").format(path=written.report))
    return 0
