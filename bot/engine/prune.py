"""Housekeeping on a schedule: forget old Telegram update ids, delete old export folders, archive old rows.

`processed_updates` only guards against Telegram delivering an update twice (polling confirms late,
webhooks retry for up to a day); its ids are stamped with the plan clock, so they are pruned on it. Export
folders (`<evidence_dir>/../exports/<yyyymmdd-hhmmss>-<update>`) hold files Telegram would not take (over
50 MB) and are judged by their real modification time.

Retention (archived, never lost): sent, failed and skipped deliveries older than `keep.deliveries`, reminders
that are no longer pending, older than `keep.reminders` and with no delivery left, and audit entries older
than `keep.audit` are written to gzip-compressed JSON-lines files (`<archive_dir>/<table>-<stamp>-<n>.jsonl.gz`,
one object per row, every column) and only then deleted, in the same transaction as the read. The audit
default is 10 years: the retention the Ministry of Home Affairs' list of record periods (Circular 10/2022/TT-BNV) gives
the CCHC reports these entries back; the archive files are never deleted by the bot, so nothing leaves the
record, it only leaves the live database.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, delete, exists, select
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import AuditRow, DeliveryRow, ProcessedUpdateRow, ReminderRow

log = logging.getLogger(__name__)
EXPORT_FOLDER = re.compile(r"^\d{8}-\d{6}-\d+$")  # what /xuat creates; nothing else there is touched


@dataclass(frozen=True)
class Retention:
    updates: timedelta = timedelta(days=7)
    exports: timedelta = timedelta(days=30)
    deliveries: timedelta = timedelta(days=400)  # a year and a reporting round
    reminders: timedelta = timedelta(days=400)
    audit: timedelta = timedelta(days=3653)  # 10 years (see the module's docstring)
    batch: int = 5000  # rows per archive file; a tick archives at most `batches` of them per table
    batches: int = 20


FINAL_DELIVERY_STATES = ("sent", "failed", "skipped")


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def archive_rows(session: Session, table: Table, where: ColumnElement[bool], archive_dir: Path, stamp: str,
                 keep: Retention) -> int:
    """Write the matching rows to compressed JSON-lines files, fsync them, then delete the rows; how many."""
    done = 0
    for n in range(keep.batches):
        rows = session.execute(select(table).where(where).order_by(table.c.id).limit(keep.batch)).mappings().all()
        if not rows:
            break
        archive_dir.mkdir(parents=True, exist_ok=True)
        path = archive_dir / f"{table.name}-{stamp}-{n}.jsonl.gz"
        with open(path, "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb") as out:
                for row in rows:
                    out.write(json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False).encode() + b"\n")
            raw.flush()
            os.fsync(raw.fileno())
        ids = [row["id"] for row in rows]
        session.execute(delete(table).where(table.c.id.in_(ids)))
        done += len(ids)
        if len(rows) < keep.batch:
            break
    return done


def archive_old(session: Session, now: datetime, archive_dir: Path, keep: Retention = Retention()) -> dict[str, int]:
    """Deliveries, then the reminders they freed, then the audit log: archived past their retention."""
    stamp = now.strftime("%Y%m%d%H%M%S")
    deliveries = DeliveryRow.__table__
    reminders = ReminderRow.__table__
    assert isinstance(deliveries, Table) and isinstance(reminders, Table) and isinstance(AuditRow.__table__, Table)
    return {
        "deliveries": archive_rows(session, deliveries, (DeliveryRow.state.in_(FINAL_DELIVERY_STATES))
                                   & (DeliveryRow.next_at < now - keep.deliveries), archive_dir, stamp, keep),
        "reminders": archive_rows(session, reminders, (ReminderRow.state != "pending")
                                  & (ReminderRow.due_at < now - keep.reminders)
                                  & ~exists().where(DeliveryRow.reminder_id == ReminderRow.id),
                                  archive_dir, stamp, keep),
        "audit_log": archive_rows(session, AuditRow.__table__, AuditRow.at < now - keep.audit, archive_dir, stamp,
                                  keep),
    }


@dataclass(frozen=True)
class PruneReport:
    updates: int
    folders: tuple[str, ...]
    archived: dict[str, int] | None = None  # table → rows archived (None: no archive folder given)


def prune(engine: Engine, now: datetime, real_now: datetime, exports_dir: Path | None,
          keep: Retention = Retention(), archive_dir: Path | None = None) -> PruneReport:
    """Delete update ids older than `keep.updates` (plan clock) and export folders older than `keep.exports`
    (real clock, by modification time); with `archive_dir`, archive old deliveries, reminders and audit entries."""
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
        archived = archive_old(session, now, archive_dir, keep) if archive_dir is not None else None
        if updates or folders or any((archived or {}).values()):
            audit(session, now, "system", "pruned", "", {"updates": updates, "export_folders": folders,
                                                         "archived": archived or {}})
    if updates or folders or any((archived or {}).values()):
        log.info("pruned %s update ids and %s export folders; archived %s", updates, len(folders), archived)
    return PruneReport(updates, tuple(folders), archived)
