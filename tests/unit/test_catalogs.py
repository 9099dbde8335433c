"""Every sentence users read comes from the gettext catalogs, complete in Vietnamese and English."""

from __future__ import annotations

import re
import tokenize
from pathlib import Path

from bot.i18n import _, language, translations
from bot.i18n.catalogs import PACKAGE_DIR, problems
from bot.i18n.formats import fmt_number

VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
                        "ĂÂĐÊÔƠƯẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ]")

# Modules whose Vietnamese literals are vocabulary the program reads (plan keywords, phrases of plans
# being imported), not sentences shown to users. Each entry says why.
VOCABULARY = {
    "bot/domain/plan.py",  # the plan format's Vietnamese enum values ("chủ trì", "tổng hợp")
}

# Modules not yet moved to the catalogs. This list only shrinks; an empty list closes the work.
NOT_YET_MIGRATED = {
    "bot/__init__.py", "bot/cli.py", "bot/config.py", "bot/db/lock.py", "bot/digest/chart.py",
    "bot/digest/content.py", "bot/digest/week.py", "bot/domain/workdays.py", "bot/engine/digests.py",
    "bot/engine/email.py", "bot/engine/messages.py", "bot/engine/outbox.py", "bot/engine/simulate.py",
    "bot/exports/calendar.py", "bot/exports/layout.py", "bot/exports/package.py", "bot/exports/workbook.py",
    "bot/plans/messages.py", "bot/preview.py", "bot/runner.py", "bot/sandbox/feed.py", "bot/sandbox/options.py",
    "bot/sandbox/personas.py", "bot/sandbox/run.py", "bot/sandbox/server.py", "bot/sandbox/state.py",
    "bot/sandbox/web.py", "bot/services/invites.py", "bot/services/metrics.py", "bot/telegram/application.py",
    "bot/texts.py",
}


def _vietnamese_literals(path: Path) -> list[str]:
    found = []
    with path.open("rb") as handle:
        for token in tokenize.tokenize(handle.readline):
            if token.type in (tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1)) \
                    and VIETNAMESE.search(token.string):
                found.append(f"{token.start[0]}: {token.string[:60]}")
    return found


def test_no_vietnamese_sentence_outside_the_catalogs() -> None:
    offenders = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = str(path.relative_to(PACKAGE_DIR.parent))
        if rel in VOCABULARY or rel in NOT_YET_MIGRATED:
            continue
        literals = _vietnamese_literals(path)
        if literals:
            offenders[rel] = literals[:3]
    assert offenders == {}, "Vietnamese words belong in bot/locale/vi: " + repr(offenders)


def test_the_not_yet_migrated_list_names_only_modules_that_still_need_it() -> None:
    stale = sorted(rel for rel in NOT_YET_MIGRATED
                   if not (PACKAGE_DIR.parent / rel).exists() or not _vietnamese_literals(PACKAGE_DIR.parent / rel))
    assert stale == [], f"remove from NOT_YET_MIGRATED: {stale}"


def test_every_message_in_the_code_is_translated_in_vi_and_en() -> None:
    assert problems() == []


def test_catalog_placeholders_match_the_message_ids() -> None:
    field = re.compile(r"\{(\w*)[^{}]*\}")
    bad = []
    for lang in ("vi", "en"):
        catalog = translations(lang)._catalog  # type: ignore[attr-defined]
        for key, text in catalog.items():
            msgid = key[0] if isinstance(key, tuple) else key
            if not msgid:
                continue
            if set(field.findall(msgid)) != set(field.findall(text)):
                bad.append((lang, msgid, text))
    assert bad == []


def test_numbers_use_the_readers_separators() -> None:
    with language("vi"):
        assert (fmt_number(10570), fmt_number(70.69)) == ("10.570", "70,69")
    with language("en"):
        assert (fmt_number(10570), fmt_number(70.69)) == ("10,570", "70.69")


def test_an_unknown_message_falls_back_to_its_id() -> None:
    with language("vi"):
        assert _("no such message id, kept as is") == "no such message id, kept as is"
