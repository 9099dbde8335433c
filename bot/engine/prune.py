"""Housekeeping on a schedule: forget old Telegram update ids, delete old export folders.

`processed_updates` only guards against Telegram delivering an update twice (polling confirms late,
webhooks retry for up to a day); its ids are stamped with the plan clock, so they are pruned on it. Export
folders (`<evidence_dir>/../exports/<yyyymmdd-hhmmss>-<update>`) hold files Telegram would not take (over
50 MB) and are judged by their real modification time.
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import delete
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import ProcessedUpdateRow

log = logging.getLogger(__name__)
EXPORT_FOLDER = re.compile(r"^\d{8}-\d{6}-\d+$")  # what /xuat creates; nothing else there is touched


@dataclass(frozen=True)
class Retention:
    updates: timedelta = timedelta(days=7)
    exports: timedelta = timedelta(days=30)


@dataclass(frozen=True)
class PruneReport:
    updates: int
    folders: tuple[str, ...]


def prune(engine: Engine, now: datetime, real_now: datetime, exports_dir: Path | None,
          keep: Retention = Retention()) -> PruneReport:
    """Delete update ids older than `keep.updates` (plan clock) and export folders older than `keep.exports`
    (real clock, by modification time)."""
    with Session(engine) as session, session.begin():
        result = session.execute(delete(ProcessedUpdateRow).where(ProcessedUpdateRow.at < now - keep.updates))
        updates = cast("CursorResult[Any]", result).rowcount or 0
        folders: list[str] = []
        if exports_dir is not None and exports_dir.is_dir():
            cutoff = (real_now - keep.exports).timestamp()
            for folder in sorted(exports_dir.iterdir()):
                if folder.is_dir() and not folder.is_symlink() and EXPORT_FOLDER.match(folder.name) \
                        and folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder)
                    folders.append(folder.name)
        if updates or folders:
            audit(session, now, "system", "pruned", "", {"updates": updates, "export_folders": folders})
    if updates or folders:
        log.info("pruned %s update ids and %s export folders", updates, len(folders))
    return PruneReport(updates, tuple(folders))
