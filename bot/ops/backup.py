"""`nhacviec backup` and `nhacviec restore`: one .tar.gz with the database's rows, the evidence files, the
configuration and a SHA-256 manifest.

The database is read in one consistent snapshot: SQLite through its online backup API (a running bot keeps
writing), PostgreSQL in one REPEATABLE READ, READ ONLY transaction that reads every table. Evidence files are
copied after the snapshot: a file is written before its row is committed, so every row in the snapshot finds
its file. Restore goes into an empty place only (no table in the database, an empty evidence folder): every
hash is checked before anything is written, the schema is migrated to the backup's revision, the rows are
inserted table by table in foreign-key order, and evidence paths are moved to the new folder.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import Engine, MetaData, Table, inspect, select, text, update
from sqlalchemy.engine import Connection, make_url

from bot.db.engine import MIGRATIONS, is_sqlite, make_engine
from bot.i18n import _
from bot.ops.schema import current_revision, package_version, revisions

FORMAT = "nhacviec-backup/1"
MANIFEST = "manifest.json"
SNAPSHOT = "database/nhacviec.sqlite"
BATCH = 1000


class BackupRefused(Exception):
    """A backup or restore that cannot be done as asked; the message says what to fix (exit 2)."""


@dataclass
class BackupResult:
    path: Path
    revision: str | None
    tables: dict[str, int]
    files: int
    missing: list[str] = field(default_factory=list)  # evidence rows whose file is not on disk


@dataclass
class RestoreResult:
    revision: str | None
    tables: dict[str, int]
    files: int
    config_written: Path | None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Row values as JSON: what JSON cannot hold is tagged ({"$dt": "..."}); JSON columns are wrapped ({"$json": …}).
def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, dict | list):
        return {"$json": value}
    return value


def _decode(value: Any) -> Any:
    if not isinstance(value, dict) or len(value) != 1:
        return value
    ((tag, raw),) = value.items()
    if tag == "$dt":
        return datetime.fromisoformat(raw)
    if tag == "$d":
        return date.fromisoformat(raw)
    if tag == "$b":
        return base64.b64decode(raw)
    if tag == "$dec":
        return Decimal(raw)
    if tag == "$json":
        return raw
    return value


def _tables(connection: Connection) -> list[Table]:
    """Every table but alembic_version, parents before children."""
    metadata = MetaData()
    metadata.reflect(connection)
    return [t for t in metadata.sorted_tables if t.name != "alembic_version"]


def _rows(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    order = list(table.primary_key.columns) or list(table.columns)
    for row in connection.execute(select(table).order_by(*order)).mappings():
        yield dict(row)


def read_rows(connection: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows, ordered by primary key (tests compare two databases with it)."""
    return {t.name: list(_rows(connection, t)) for t in _tables(connection)}


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database or ""
    if database in ("", ":memory:"):
        raise BackupRefused(_("database.url is an in-memory database: there is nothing to back up."))
    return Path(database).expanduser()


class _Writer:
    """A tar.gz being written, with the SHA-256 and size of every member."""

    def __init__(self, tar: tarfile.TarFile, mtime: float) -> None:
        self.tar, self.mtime = tar, mtime
        self.files: dict[str, dict[str, Any]] = {}

    def add_bytes(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = len(data), int(self.mtime), 0o600
        self.tar.addfile(info, io.BytesIO(data))
        if name != MANIFEST:
            self.files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    def add_file(self, name: str, path: Path) -> None:
        digest = sha256_file(path)
        info = self.tar.gettarinfo(str(path), arcname=name)
        info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
        with path.open("rb") as handle:
            self.tar.addfile(info, handle)
        self.files[name] = {"sha256": digest, "size": info.size}


def take_backup(url: str, evidence_dir: Path, config_file: Path | None, out: Path, now: datetime) -> BackupResult:
    """Write the backup to `out` (refused if it exists); returns what it holds."""
    if out.exists():
        raise BackupRefused(_("{path} already exists: choose a new file name (a backup never overwrites a file).")
                            .format(path=out))
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    engine = make_engine(url)
    try:
        with tempfile.TemporaryDirectory(prefix="nhacviec-backup-") as scratch:
            with tarfile.open(partial, "w:gz") as tar:
                writer = _Writer(tar, now.timestamp())
                revision, tables, stored = _write_database(engine, url, Path(scratch), writer)
                files = _write_evidence(evidence_dir, writer)
                if config_file is not None and config_file.is_file():
                    writer.add_file("config/" + config_file.name, config_file)
                manifest = {"format": FORMAT, "created_at": now.isoformat(), "version": package_version(),
                            "revision": revision, "database": "sqlite" if is_sqlite(url) else "postgresql",
                            "evidence_dir": str(evidence_dir), "evidence_dir_resolved": str(evidence_dir.resolve()),
                            "tables": tables, "files": writer.files}
                writer.add_bytes(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        os.chmod(partial, 0o600)  # it holds the configuration (and maybe a token)
        partial.replace(out)
    finally:
        engine.dispose()
        partial.unlink(missing_ok=True)
    bases = [str(evidence_dir), str(evidence_dir.resolve())]
    missing = [p for p in stored if not _locate(p, bases, set(files))]
    return BackupResult(out, revision, tables, len(files), missing)


def _write_database(engine: Engine, url: str, scratch: Path, writer: _Writer
                    ) -> tuple[str | None, dict[str, int], list[str]]:
    if is_sqlite(url):
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupRefused(_("The database file {path} does not exist: check database.url.").format(path=source))
        copy = scratch / "nhacviec.sqlite"
        with sqlite3.connect(str(source)) as src, sqlite3.connect(str(copy)) as dst:
            src.backup(dst)  # SQLite's online backup: one consistent snapshot while the bot writes
        src.close()
        dst.close()
        snapshot = make_engine(f"sqlite:///{copy}")
        try:
            with snapshot.connect() as connection:
                revision = current_revision(connection)
                tables = {t.name: len(list(_rows(connection, t))) for t in _tables(connection)}
                stored = _stored_paths(connection)
        finally:
            snapshot.dispose()
        writer.add_file(SNAPSHOT, copy)
        return revision, tables, stored
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        revision = current_revision(connection)
        tables = {}
        for table in _tables(connection):
            lines = [json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False)
                     for row in _rows(connection, table)]
            writer.add_bytes(f"database/{table.name}.jsonl", ("\n".join(lines) + "\n" if lines else "").encode())
            tables[table.name] = len(lines)
        stored = _stored_paths(connection)
        connection.rollback()
    return revision, tables, stored


def _stored_paths(connection: Connection) -> list[str]:
    if not inspect(connection).has_table("evidence"):
        return []
    return [p for (p,) in connection.execute(text("SELECT stored_path FROM evidence WHERE stored_path IS NOT NULL"))]


def _write_evidence(evidence_dir: Path, writer: _Writer) -> list[str]:
    names: list[str] = []
    if not evidence_dir.is_dir():
        return names
    for path in sorted(p for p in evidence_dir.rglob("*") if p.is_file() and not p.is_symlink()):
        name = "evidence/" + path.relative_to(evidence_dir).as_posix()
        writer.add_file(name, path)
        names.append(name)
    return names


def _locate(stored: str, bases: list[str], files: set[str]) -> str | None:
    """The archive name (evidence/…) of an evidence row's stored_path, or None when it is not in the backup."""
    for base in bases:
        try:
            rel = PurePosixPath(Path(stored).relative_to(base).as_posix())
        except ValueError:
            continue
        name = f"evidence/{rel}"
        if name in files:
            return name
    return None


# ---------------------------------------------------------------- restore


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
        handle = tar.extractfile(member)
        assert handle is not None
        manifest: dict[str, Any] = json.loads(handle.read())
    except (KeyError, ValueError, AssertionError):
        raise BackupRefused(_("This file is not a nhacviec backup (no valid manifest.json).")) from None
    if manifest.get("format") != FORMAT:
        raise BackupRefused(_("Unknown backup format {format}: restore it with the nhacviec version that made it.")
                            .format(format=manifest.get("format")))
    return manifest


def _unpack(archive: Path, into: Path) -> dict[str, Any]:
    """Extract every member into `into`, checking each against the manifest (a wrong hash: refused)."""
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupRefused(_("Cannot read the backup {path}: {detail}").format(path=archive, detail=exc)) from None
    with tar:
        manifest = read_manifest(tar)
        expected: dict[str, dict[str, Any]] = manifest.get("files", {})
        seen: set[str] = set()
        for member in tar.getmembers():
            name = member.name
            if name == MANIFEST:
                continue
            parts = PurePosixPath(name).parts
            if not member.isfile() or name.startswith("/") or ".." in parts or name not in expected:
                raise BackupRefused(_("The backup holds {name}, which its manifest does not list: refused.")
                                    .format(name=name))
            target = into.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            handle = tar.extractfile(member)
            assert handle is not None
            digest = hashlib.sha256()
            with target.open("wb") as out:
                while block := handle.read(1 << 20):
                    digest.update(block)
                    out.write(block)
            if digest.hexdigest() != expected[name]["sha256"]:
                raise BackupRefused(_("{name}: its SHA-256 does not match the manifest; the backup is damaged. "
                                      "Nothing was restored.").format(name=name))
            seen.add(name)
        lost = sorted(set(expected) - seen)
        if lost:
            raise BackupRefused(_("The backup lacks {count} file(s) its manifest lists, e.g. {name}. Nothing was "
                                  "restored.").format(count=len(lost), name=lost[0]))
    return manifest


def _check_empty(url: str, evidence_dir: Path) -> None:
    if evidence_dir.exists() and any(evidence_dir.iterdir()):
        raise BackupRefused(_("The evidence folder {path} is not empty: restore only into an empty folder "
                              "(storage.evidence_dir).").format(path=evidence_dir))
    if is_sqlite(url):
        path = _sqlite_path(url)
        if path.exists() and path.stat().st_size > 0:
            raise BackupRefused(_("The database file {path} already exists: restore only into a new database "
                                  "(database.url).").format(path=path))
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            names = inspect(connection).get_table_names()
    finally:
        engine.dispose()
    if names:
        raise BackupRefused(_("The database in database.url already has {count} table(s): restore only into an "
                              "empty database.").format(count=len(names)))


def _source_rows(manifest: dict[str, Any], unpacked: Path) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    if manifest["database"] == "sqlite":
        engine = make_engine(f"sqlite:///{unpacked / SNAPSHOT}")
        try:
            with engine.connect() as connection:
                for table in _tables(connection):
                    yield table.name, list(_rows(connection, table))
        finally:
            engine.dispose()
        return
    for name in manifest["tables"]:
        path = unpacked / "database" / f"{name}.jsonl"
        lines = path.read_text(encoding="utf-8").splitlines()
        yield name, [{k: _decode(v) for k, v in json.loads(line).items()} for line in lines if line]


def restore_backup(archive: Path, url: str, evidence_dir: Path) -> RestoreResult:
    """Restore `archive` into the empty database `url` and the empty folder `evidence_dir`."""
    _check_empty(url, evidence_dir)
    with tempfile.TemporaryDirectory(prefix="nhacviec-restore-") as scratch:
        unpacked = Path(scratch)
        manifest = _unpack(archive, unpacked)
        revision = manifest.get("revision")
        if revision is not None and revision not in revisions():
            raise BackupRefused(_("The backup was made by a newer nhacviec (database revision {revision}); "
                                  "install that version or newer to restore it.").format(revision=revision))
        engine = make_engine(url)
        try:
            tables = _load_database(engine, manifest, unpacked)
            files = _place_evidence(engine, manifest, unpacked, evidence_dir)
        finally:
            engine.dispose()
        config_written = None
        configs = [n for n in manifest["files"] if n.startswith("config/")]
        if configs:
            config_written = evidence_dir.resolve().parent / "config-from-backup.yaml"
            if not config_written.exists():
                shutil.copyfile(unpacked / configs[0], config_written)
                os.chmod(config_written, 0o600)
            else:
                config_written = None
    return RestoreResult(revision, tables, files, config_written)


def _load_database(engine: Engine, manifest: dict[str, Any], unpacked: Path) -> dict[str, int]:
    from alembic import command
    from alembic.config import Config

    counts: dict[str, int] = {}
    with engine.begin() as connection:
        revision = manifest.get("revision")
        if revision is not None:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        metadata = MetaData()
        metadata.reflect(connection)
        for name, rows in _source_rows(manifest, unpacked):
            table = metadata.tables.get(name)
            if table is None:
                raise BackupRefused(_("The backup has a table {name} that its database revision does not: "
                                      "the backup is not consistent.").format(name=name))
            for start in range(0, len(rows), BATCH):
                connection.execute(table.insert(), rows[start:start + BATCH])
            counts[name] = len(rows)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection, metadata)
    return counts


def _reset_sequences(connection: Connection, metadata: MetaData) -> None:
    """Rows came with their ids: move each serial/identity sequence past the largest one."""
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            sequence = connection.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                          {"t": table.name, "c": column.name}).scalar()
            if sequence:
                connection.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") FROM '
                                        f'"{table.name}"), 0) + 1, false)'), {"s": sequence})


def _place_evidence(engine: Engine, manifest: dict[str, Any], unpacked: Path, evidence_dir: Path) -> int:
    names = [n for n in manifest["files"] if n.startswith("evidence/")]
    for name in names:
        target = evidence_dir.joinpath(*PurePosixPath(name).parts[1:])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(unpacked / name, target)
    bases = [manifest["evidence_dir"], manifest.get("evidence_dir_resolved") or manifest["evidence_dir"]]
    files = set(names)
    with engine.begin() as connection:
        if not inspect(connection).has_table("evidence"):
            return len(names)
        evidence = Table("evidence", MetaData(), autoload_with=connection)
        rows = connection.execute(select(evidence.c.id, evidence.c.stored_path)
                                  .where(evidence.c.stored_path.is_not(None))).all()
        for row_id, stored in rows:
            name = _locate(stored, bases, files)
            if name is not None:
                moved = str(evidence_dir.joinpath(*PurePosixPath(name).parts[1:]))
                connection.execute(update(evidence).where(evidence.c.id == row_id).values(stored_path=moved))
    return len(names)
