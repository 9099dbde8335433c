"""Evidence files on disk: `evidence_dir/<occurrence>/<sha256[:12]>_<name>`, names that cannot escape."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

MAX_NAME_BYTES = 200  # file systems allow 255 bytes; the digest prefix and the folder take the rest


def safe_file_name(name: str | None, fallback: str) -> str:
    """A file name that cannot escape its folder (no separators, dot-dot or control characters) and that
    fits the file system in UTF-8 bytes, keeping its extension."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").split("/")[-1])
    base = "".join(c for c in base if c.isprintable() and unicodedata.category(c) != "Cf")
    base = re.sub(r"[<>:\"|?*\x00]", "_", base).strip(" .") or fallback
    if len(base.encode()) <= MAX_NAME_BYTES:
        return base
    stem, dot, ext = base.rpartition(".")
    ext = (dot + ext) if stem and len(ext.encode()) <= 16 else ""
    stem = stem if ext else base
    while len((stem + ext).encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem.rstrip(" .") + ext


@dataclass(frozen=True)
class Archived:
    path: Path
    sha256: str
    size: int


def archive(evidence_dir: Path, occurrence_key: str, data: bytes, name: str) -> Archived:
    """Keep the bytes under the occurrence's folder; the same content is stored once."""
    digest = hashlib.sha256(data).hexdigest()
    folder = evidence_dir / safe_file_name(occurrence_key.replace("/", "_"), "task")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest[:12]}_{safe_file_name(name, 'tep')}"
    if not path.exists():
        path.write_bytes(data)
    return Archived(path, digest, len(data))
