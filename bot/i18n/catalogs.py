"""Keep the catalogs in step with the code: `python -m bot.i18n.catalogs` (update) or `--check`.

Update extracts every `_()`, `ngettext()` and `N_()` message of each top-level package of `bot/` with
Babel, adds new ids to that domain's `vi.po` (empty, to translate) and `en.po` (the English id itself),
drops ids no longer in the code and keeps every translation already made. `--check` exits 1 listing
what is untranslated; the test suite runs the same check.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from bot.i18n import LANGS, LOCALE_DIR

PACKAGE_DIR = LOCALE_DIR.parent
# A fixed stamp: the catalogs change only when their messages do (no merge conflicts on dates).
STAMP = datetime(2026, 1, 1, tzinfo=timezone.utc)
HEADER = "# nhacviec: {domain} messages. Update with `python -m bot.i18n.catalogs`."
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "gettext_in": (2,)}


def domain_of(path: Path) -> str:
    """`bot/telegram/handlers.py` → `telegram`; a module directly under `bot/` is its own domain."""
    rel = path.relative_to(PACKAGE_DIR)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def source_files() -> Iterator[Path]:
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        # bot/i18n holds the machinery (not extracted), except the refusal catalog (domain `i18n`)
        if "locale" not in path.parts and (path.parent.name != "i18n" or path.name == "refusals.py"):
            yield path


def template_files() -> Iterator[Path]:
    """Jinja2 templates (`bot/<package>/templates/*.html`): their `_()` belong to the package's domain."""
    yield from sorted(PACKAGE_DIR.glob("*/templates/*.html"))


def extract() -> dict[str, Catalog]:
    """Every message in the code and the templates, one catalog per domain."""
    found: dict[str, Catalog] = {}
    files = [(path, "python") for path in source_files()] + [(path, "jinja2.ext:babel_extract")
                                                             for path in template_files()]
    for path, method in files:
        for lineno, message, comments, _context in extract_from_file(
                method, str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)):
            catalog = found.setdefault(domain_of(path), Catalog(domain=domain_of(path)))
            catalog.add(message, locations=[(str(path.relative_to(PACKAGE_DIR.parent)), lineno)],
                        auto_comments=comments)
    return found


def po_path(lang: str, domain: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def _read(path: Path, lang: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=lang)
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def update() -> None:
    """Bring every domain's `vi.po` and `en.po` in line with the code."""
    for domain, template in extract().items():
        for lang in LANGS:
            path = po_path(lang, domain)
            old = _read(path, lang)
            new = Catalog(locale=lang, domain=domain, project="nhacviec", version="", fuzzy=False,
                          header_comment=HEADER.format(domain=domain), creation_date=STAMP, revision_date=STAMP)
            for message in template:
                if not message.id:
                    continue
                previous = old.get(message.id)
                string = previous.string if previous is not None else None
                if not string and lang == "en":
                    string = message.id
                new.add(message.id, string or ("", "") if isinstance(message.id, tuple) else string or "",
                        locations=message.locations, auto_comments=message.auto_comments)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, new, width=110, sort_output=False, include_lineno=False)


def problems() -> list[str]:
    """Messages in the code without a translation in some language, as `lang domain: id`."""
    out = []
    for domain, template in extract().items():
        for lang in LANGS:
            catalog = _read(po_path(lang, domain), lang)
            for message in template:
                if not message.id:
                    continue
                have = catalog.get(message.id)
                strings = have.string if have is not None else None
                if not strings or (isinstance(strings, tuple) and not all(strings)):
                    out.append(f"{lang} {domain}: {message.id!r}")
    return out


def main(argv: list[str]) -> int:
    if "--check" in argv:
        missing = problems()
        print("\n".join(missing) or "catalogs complete")
        return 1 if missing else 0
    update()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
