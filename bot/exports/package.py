"""The evidence package: ZIP part(s) of every archived evidence file, with the workbook as index.

Files are streamed from disk in 1 MiB chunks and hashed on the way, so a package of gigabytes
needs little memory and a file changed on disk since it was received is reported. A part is
kept under `max_part_bytes` (Telegram bots may upload 50 MB) by planning with an upper bound of
each entry's size before writing; a file that cannot fit goes alone into its own part.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.exports.records import EvidenceRecord, Snapshot, load_snapshot
from bot.exports.workbook import KIND_LABELS, label, render_workbook
from bot.i18n import _
from bot.i18n.formats import fmt_number
from bot.texts import VN_ZONE, fmt_date, fmt_local

MAX_PART = 45 * 1024 * 1024
PACKAGE, WORKBOOK, INDEX, MISSING_LIST = "goi-minh-chung", "tong-hop-cchc.xlsx", "chi-muc.xlsx", "thieu-tep.txt"
_CHUNK = 1024 * 1024
_END_RECORDS = 22 + 56 + 20 + 64  # end of central directory, its ZIP64 twins, slack
# Already compressed: deflating them costs time and gains nothing.
_STORED = {"jpg", "jpeg", "png", "gif", "webp", "heic", "pdf", "zip", "rar", "7z", "gz", "docx", "xlsx", "pptx",
           "odt", "ods", "odp", "mp4", "mov", "mp3", "m4a"}


@dataclass(frozen=True)
class Entry:
    """One member of a part: a file on disk or a small text made here."""

    name: str
    size: int
    when: datetime
    source: Path | None = None
    data: bytes | None = None
    sha256: str | None = None

    @property
    def compress(self) -> int:
        ext = self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""
        return zipfile.ZIP_STORED if ext in _STORED else zipfile.ZIP_DEFLATED

    @property
    def bound(self) -> int:
        """Most bytes this entry can take: headers (ZIP64 extras included) + data (deflate may grow it a little)."""
        name = len(self.name.encode("utf-8"))
        data = self.size if self.compress == zipfile.ZIP_STORED else self.size + self.size // 1000 + 64
        return 30 + 46 + 2 * name + 2 * 32 + 16 + data


@dataclass
class PackageResult:
    paths: list[Path] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    file_count: int = 0  # evidence files written (index and text files not counted)
    missing: list[str] = field(default_factory=list)  # evidence files not found on disk
    oversized: list[Path] = field(default_factory=list)  # parts over max_part_bytes (one file too big alone)
    mismatched: list[str] = field(default_factory=list)  # files whose SHA-256 differs from the one received


@dataclass(frozen=True)
class Export:
    workbook: Path
    workbook_size: int
    package: PackageResult


def fmt_size(size: int) -> str:
    """`1,5 MB` (the reader's decimal separator)."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{fmt_number(round(size / scale, 1), 1)} {unit}"
    return _("{size} bytes").format(size=fmt_number(size, 0))


def _text_file(items: list[EvidenceRecord], zone: ZoneInfo) -> bytes:
    occ = items[0].occurrence
    lines = [_("Evidence sent as text and links"), _("Task {task}: {title}").format(task=occ.task_id, title=occ.title),
             _("Unit: {unit} — {name}").format(unit=occ.unit, name=occ.unit_name), ""]
    for n, item in enumerate(items, start=1):
        lines += [_("[{n}] Due {due} — {deadline}").format(n=n, due=fmt_date(item.occurrence.due),
                                                          deadline=item.occurrence.label),
                  _("{kind}, sent by {sender} at {time}").format(
                      kind=label(KIND_LABELS, item.kind), sender=item.sender or "?",
                      time=fmt_local(item.created_at, zone)), (item.text or "").strip(), ""]
    return ("\ufeff" + "\r\n".join(lines)).encode("utf-8")  # BOM + CRLF: Notepad on the office's PCs


def _unit(code: str, name: str) -> str:
    """`CODE (name)`: the code the folders use, and the name the office reads (WORDING M5)."""
    return f"{code} ({name})" if name and name != code else code


def _missing_file(missing: list[EvidenceRecord], zone: ZoneInfo) -> bytes:
    lines = [_("Evidence files not found on the server ({count} files).").format(count=len(missing)),
             _("Ask the units to send them again through the bot (📎 Send evidence), then export again."), ""]
    for e in missing:
        o = e.occurrence
        lines.append(_("- {path} — task {task}, unit {unit}, due {due}; sent by {sender} at {time}; "
                       "stored at: {stored}").format(
            path=e.archive_path, task=o.task_id, unit=_unit(o.unit, o.unit_name), due=fmt_date(o.due),
            sender=e.sender or "?", time=fmt_local(e.created_at, zone), stored=e.stored_path or _("(none)")))
    return ("\ufeff" + "\r\n".join(lines)).encode("utf-8")


def package_entries(snap: Snapshot, zone: ZoneInfo = VN_ZONE) -> list[Entry]:
    """Evidence files in layout order; each folder's text items as its `minh-chung.txt` after its files."""
    entries: list[Entry] = []
    texts: list[EvidenceRecord] = []

    def flush() -> None:
        if texts:
            data = _text_file(texts, zone)
            entries.append(Entry(texts[0].archive_path, len(data), texts[-1].created_at, data=data))
            texts.clear()

    folder = None
    for e in snap.evidence:  # sorted by folder, so each folder's items are together
        here = e.archive_path.rsplit("/", 1)[0]
        if here != folder:
            flush()
            folder = here
        if not e.is_file:
            texts.append(e)
        elif e.disk_size is not None and e.stored_path:
            entries.append(Entry(e.archive_path, e.disk_size, e.created_at, Path(e.stored_path), sha256=e.sha256))
    flush()
    return entries


def plan_parts(entries: list[Entry], index_bound: int, max_bytes: int) -> list[tuple[list[Entry], bool]]:
    """Group entries into parts (entries, with the index?), first fit in order; big files alone at the end."""
    budget = max_bytes - _END_RECORDS - index_bound
    parts: list[tuple[list[Entry], bool]] = []
    alone: list[tuple[list[Entry], bool]] = []
    current: list[Entry] = []
    used = 0
    for entry in entries:
        if entry.bound > budget:
            alone.append(([entry], False))
            continue
        if used + entry.bound > budget and current:
            parts.append((current, True))
            current, used = [], 0
        current.append(entry)
        used += entry.bound
    if current or not parts:
        parts.append((current, True))
    return parts + alone


def _info(name: str, when: datetime, compress: int, size: int, zone: ZoneInfo) -> zipfile.ZipInfo:
    """Entry header; zipfile stores a non-ASCII name as UTF-8 with flag bit 11 (Explorer, 7-Zip read it so)."""
    local = when.astimezone(zone)
    info = zipfile.ZipInfo(name, date_time=(max(local.year, 1980), local.month, local.day, local.hour,
                                            local.minute, local.second))
    info.compress_type, info.file_size, info.external_attr = compress, size, 0o644 << 16
    return info


def _copy(zf: zipfile.ZipFile, entry: Entry, zone: ZoneInfo) -> str:
    """Stream one file into the archive (at most the size planned for it); returns its SHA-256."""
    assert entry.source is not None
    digest = hashlib.sha256()
    with entry.source.open("rb") as src:
        info = _info(entry.name, entry.when, entry.compress, entry.size, zone)
        with zf.open(info, "w", force_zip64=entry.size > 2**31) as dst:
            left = entry.size
            while left > 0 and (chunk := src.read(min(_CHUNK, left))):
                digest.update(chunk)
                dst.write(chunk)
                left -= len(chunk)
        if src.read(1):  # the file grew since it was measured
            digest.update(b"<grown>")
    return digest.hexdigest()


def _part_names(count: int) -> list[str]:
    return [f"{PACKAGE}.zip"] if count == 1 else [f"{PACKAGE}-phan-{i}.zip" for i in range(1, count + 1)]


def _clear_old_parts(out_dir: Path) -> None:
    """Parts of an earlier export to the same folder would mix with these ones."""
    for old in out_dir.glob(f"{PACKAGE}*.zip"):
        if re.fullmatch(rf"{PACKAGE}(-phan-\d+)?\.zip", old.name):
            old.unlink()


def write_package(snap: Snapshot, index: bytes, out_dir: Path, max_part_bytes: int = MAX_PART,
                  zone: ZoneInfo = VN_ZONE) -> PackageResult:
    """Write the part(s) into `out_dir`; missing files are listed (result and thieu-tep.txt), never fatal."""
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear_old_parts(out_dir)
    no_path = _("no stored path")
    result = PackageResult(missing=[f"{e.archive_path} ({e.stored_path or no_path})" for e in snap.missing])
    made = datetime.combine(snap.today, time(), tzinfo=zone)
    extras = [Entry(INDEX, len(index), made, data=index)]
    if snap.missing:
        data = _missing_file(snap.missing, zone)
        extras.append(Entry(MISSING_LIST, len(data), made, data=data))
    parts = plan_parts(package_entries(snap, zone), sum(e.bound for e in extras), max_part_bytes)
    for name, (entries, with_index) in zip(_part_names(len(parts)), parts, strict=True):
        path = out_dir / name
        with zipfile.ZipFile(path, "w", allowZip64=True) as zf:
            for entry in (extras if with_index else []) + entries:
                if entry.data is not None:
                    zf.writestr(_info(entry.name, entry.when, entry.compress, entry.size, zone), entry.data)
                    continue
                try:
                    digest = _copy(zf, entry, zone)
                except OSError as exc:
                    result.missing.append(f"{entry.name} ({entry.source}: {exc.strerror or exc})")
                    continue
                result.file_count += 1
                if entry.sha256 and digest != entry.sha256:
                    result.mismatched.append(f"{entry.name} ({entry.source})")
        size = path.stat().st_size
        result.paths.append(path)
        result.sizes.append(size)
        if size > max_part_bytes:
            result.oversized.append(path)
    return result


def build_package(session: Session, today: date, out_dir: Path, max_part_bytes: int = MAX_PART) -> PackageResult:
    """The evidence package of the whole plan as of `today`, written into `out_dir`."""
    snap = load_snapshot(session, today)
    return write_package(snap, render_workbook(snap), out_dir, max_part_bytes)


def write_export(snap: Snapshot, out_dir: Path, max_part_bytes: int = MAX_PART, zone: ZoneInfo = VN_ZONE) -> Export:
    """`tong-hop-cchc.xlsx` and the package part(s) in `out_dir` (the CLI and /xuat)."""
    index = render_workbook(snap, zone)
    out_dir.mkdir(parents=True, exist_ok=True)
    workbook = out_dir / WORKBOOK
    workbook.write_bytes(index)
    return Export(workbook, len(index), write_package(snap, index, out_dir, max_part_bytes, zone))
