"""Evidence files on disk: `evidence_dir/<occurrence>/<sha256[:12]>_<name>`, names that cannot escape.

The one place that turns a name a person sent (Telegram, the web page) into a safe file name; every
channel archives through `archive`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.i18n import gettext_in

MAX_NAME_BYTES = 200  # file systems allow 255 bytes (ext4/NTFS/APFS); the digest prefix and folder take the rest


def clean_name(name: str | None, fallback: str) -> str:
    """A file name that cannot escape its folder: no separators, dot-dot or control characters (any length)."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").split("/")[-1])
    base = "".join(c for c in base if c.isprintable() and unicodedata.category(c) != "Cf")
    return re.sub(r"[<>:\"|?*\x00]", "_", base).strip(" .") or fallback


def _fit(name: str, limit: int) -> str:
    """`name` cut to `limit` bytes of UTF-8, keeping its extension and whole characters."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext.encode()) > 16:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    cut = stem.encode("utf-8")[:limit - len(suffix.encode())].decode("utf-8", "ignore").rstrip(" .") or "tep"
    return cut + suffix


def safe_file_name(name: str | None, fallback: str) -> str:
    """`clean_name` that also fits the file system (at most MAX_NAME_BYTES of UTF-8, extension kept)."""
    return _fit(clean_name(name, fallback), MAX_NAME_BYTES)


def photo_name(occurrence_key: str, moment: datetime) -> str:
    """A photo has no name of its own (Telegram, Zalo): the word "Photo" in the office's language, the task, the
    unit and the local time it came (`<Photo> 1.2 TCCB 14-11-2019 08.05.12.jpg`), readable in the review and the
    ZIP (TRIAL-NOTES #23)."""
    parts = occurrence_key.split("/")  # task/deadline/unit/period
    task, unit = (parts[0], parts[2]) if len(parts) >= 3 else (occurrence_key, "")
    words = (gettext_in("vi", "Photo"), task, unit, f"{moment:%d-%m-%Y %H.%M.%S}")
    return clean_name(" ".join(p for p in words if p) + ".jpg", "anh.jpg")


def stored_name(digest: str, name: str) -> str:
    """`<sha256[:12]>_<name>` within MAX_NAME_BYTES; the evidence row keeps the full name for display."""
    prefix = f"{digest[:12]}_"
    return prefix + _fit(name, MAX_NAME_BYTES - len(prefix.encode()))


@dataclass(frozen=True)
class Archived:
    path: Path
    sha256: str
    size: int


def archive(evidence_dir: Path, occurrence_key: str, data: bytes, name: str) -> Archived:
    """Keep the bytes under the occurrence's folder; the same content is stored once."""
    digest = hashlib.sha256(data).hexdigest()
    folder = evidence_dir / clean_name(occurrence_key.replace("/", "_"), "task")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / stored_name(digest, clean_name(name, "tep"))
    if not path.exists():
        path.write_bytes(data)
    return Archived(path, digest, len(data))
