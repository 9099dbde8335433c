"""Where each evidence item sits in the package: `<area> - <name>/<task> - <title>/<unit> - <unit name>/<file>`.

Names come from users and from the plan, so every path component is cleaned: no separators,
no `..`, no characters Windows refuses, no reserved device names, short enough that the whole
path stays under Windows' 260-character limit once unzipped into a Downloads folder.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from bot.texts import cut_at_word

if TYPE_CHECKING:
    from bot.exports.records import EvidenceRecord

TEXT_FILE = "minh-chung.txt"
_FORBIDDEN = re.compile(r'[<>:"|?*\\/\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
# The unit folder carries the code (sorted, unique) and the name the office reads (WORDING M5).
AREA_CHARS, TITLE_CHARS, UNIT_CHARS, FILE_CHARS = 50, 50, 40, 80


def clean_component(name: str | None, fallback: str, limit: int = FILE_CHARS, words: bool = False) -> str:
    """One safe path component (never empty, never `.`/`..`, at most `limit` characters; a folder's name, with
    `words`, cut after a whole word and not on a joining word)."""
    text = unicodedata.normalize("NFC", name or "")
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"))
    text = _FORBIDDEN.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    if len(text) > limit:
        text = (cut_at_word(text, limit) if words else text[:limit]).rstrip(" ._")
    if text.split(".")[0].upper() in _RESERVED:
        text = f"_{text}"
    return text or fallback


def clean_file_name(name: str | None, fallback: str) -> str:
    """A file name without its folders (`../../x.pdf` → `x.pdf`), keeping the extension when shortened."""
    base = (name or "").replace("\\", "/").split("/")[-1]
    stem, dot, ext = base.rpartition(".")
    if dot and stem and len(ext) <= 10 and len(base) > FILE_CHARS:
        return f"{clean_component(stem, 'tep', FILE_CHARS - len(ext) - 1)}.{clean_component(ext, 'bin', 10)}"
    return clean_component(base, fallback)


def short_title(title: str, limit: int = TITLE_CHARS) -> str:
    """The task title cut at a word boundary, not on a joining word (TRIAL-NOTES #32)."""
    return cut_at_word(title, limit)


def unit_folder(unit: str, unit_name: str = "") -> str:
    """`TCCB - <unit name>`: the code first (folders sort and stay unique), then the name (M5)."""
    label = f"{unit} - {unit_name}" if unit_name and unit_name.strip() != unit else unit
    return clean_component(label, "don-vi", UNIT_CHARS, words=True)


@lru_cache(maxsize=4096)
def folder_of(area: str, area_name: str, task_id: str, title: str, unit: str, unit_name: str = "") -> str:
    """`<area> - <area name>/<task> - <short title>/<unit> - <unit name>`, e.g.
    `1 - Cong tac chi dao.../1.1 - Ban hanh ke hoach.../TCCB - Phong To chuc can bo`."""
    return "/".join((clean_component(f"{area} - {area_name}", "linh-vuc", AREA_CHARS, words=True),
                     clean_component(f"{task_id} - {short_title(title)}", "nhiem-vu", TITLE_CHARS + 10, words=True),
                     unit_folder(unit, unit_name)))


def _fallback_name(item: EvidenceRecord) -> str:
    suffix = PurePosixPath((item.stored_path or "").replace("\\", "/")).suffix[:10]
    if item.kind == "photo":
        return f"anh-{item.id}{suffix or '.jpg'}"
    return f"tep-{item.id}{suffix}"


def _unique(name: str, used: set[str]) -> str:
    """`bao-cao.pdf`, then `bao-cao (2).pdf`; compared case-insensitively (Windows, macOS)."""
    candidate, n = name, 1
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})"
    used.add(candidate.casefold())
    return candidate


def assign_paths(items: list[EvidenceRecord]) -> dict[int, str]:
    """Evidence id → path inside the ZIP (text and link items share their folder's `minh-chung.txt`)."""
    used: dict[str, set[str]] = {}
    paths: dict[int, str] = {}
    for item in items:
        occ = item.occurrence
        folder = folder_of(occ.area, occ.area_name, occ.task_id, occ.title, occ.unit, occ.unit_name)
        names = used.setdefault(folder, {TEXT_FILE})
        if not item.is_file:
            paths[item.id] = f"{folder}/{TEXT_FILE}"
            continue
        paths[item.id] = f"{folder}/{_unique(clean_file_name(item.file_name, _fallback_name(item)), names)}"
    return paths
