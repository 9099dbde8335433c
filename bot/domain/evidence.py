# Which item of a task's evidence list a document answers: ticked only when its name or trích yếu says so.
# A file matches an item when most of the item's significant words (accents and case aside) appear in the
# file's name or summary; a photo named `photo_2fcd….jpg` matches nothing. Counting files never ticks one.

from __future__ import annotations

import re
import unicodedata

MIN_SHARE = 0.6  # of the item's significant words the document must contain
_STOP = frozenset("cac cua va the cho trong theo tai da ve voi nam cong tac".split())


def _words(text: str) -> set[str]:
    flat = unicodedata.normalize("NFD", text.casefold().replace("\u0111", "d"))
    flat = "".join(c for c in flat if unicodedata.category(c) != "Mn")
    return {w for w in re.split(r"[^a-z0-9]+", flat) if len(w) >= 2 and w not in _STOP}


def matched_items(asked: tuple[str, ...], documents: tuple[str, ...]) -> frozenset[int]:
    """Indexes of the `asked` items some document (name, summary) answers; each document ticks its best item."""
    out: set[int] = set()
    items = [_words(item) for item in asked]
    for document in documents:
        words = _words(document)
        best, share = None, 0.0
        for index, item in enumerate(items):
            if item:
                found = len(item & words) / len(item)
                if found > share:
                    best, share = index, found
        if best is not None and share >= MIN_SHARE:
            out.add(best)
    return frozenset(out)
