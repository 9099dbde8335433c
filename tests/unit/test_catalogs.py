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
    "bot/importer/reading.py",  # line starts of plans read as text ("Đơn vị chủ trì:", "Nơi nhận", "KẾ HOẠCH")
    "bot/importer/structure.py",  # plan keywords read in documents ("Nội dung triển khai", "Sản phẩm", "Quý")
    "bot/importer/units.py",  # unit names and aliases read in documents ("Văn phòng Sở", "Phòng TCCB")
    "bot/importer/dates.py",  # deadline phrases read in documents ("trước ngày", "hằng quý", "6 tháng, năm")
    "bot/importer/draft.py",  # the plan format's enum values written into drafts ("chủ trì")
    "bot/importer/plan_read.py",  # the plan format's role words as documents write them ("phối hợp")
    "bot/importer/tables.py",  # column names read in plan tables ("Đơn vị chủ trì", "Thời gian hoàn thành")
    "bot/importer/criteria.py",  # column names read in criteria tables ("Điểm tối đa", "điều tra xã hội học")
    "bot/domain/unitnames.py",  # unit-name words for the short form ("Phòng " → "P. ", " của tỉnh")
    "bot/importer/stale.py",  # terms of before 2025 read in plans ("Thanh tra Sở") and the laws named in its messages
}

# Modules not yet moved to the catalogs. This list only shrinks; an empty list closes the work.
NOT_YET_MIGRATED = {
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


_CALL_IN_FSTRING = re.compile(r"\b(_|ngettext|N_)\(\s*[rRuU]?[\"']")  # a literal id, not `_(label)`


def test_no_message_is_hidden_inside_an_f_string() -> None:
    """On Python 3.11 an f-string is one token: Babel cannot extract a `_()` written inside it."""
    hidden = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        with path.open("rb") as handle:
            for token in tokenize.tokenize(handle.readline):
                if token.type == tokenize.STRING and re.match(r"(?i)[rb]*f", token.string) \
                        and _CALL_IN_FSTRING.search(token.string):
                    hidden.append(f"{path.relative_to(PACKAGE_DIR.parent)}:{token.start[0]}")
    assert hidden == [], "move these messages out of the f-strings: " + ", ".join(hidden)


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


def test_one_message_id_has_one_translation_across_the_domains() -> None:
    """The domains are merged into one catalog per language: a message id translated two ways in two
    domains would show whichever file loads last, in both places."""
    from babel.messages.pofile import read_po

    from bot.i18n import LANGS, LOCALE_DIR

    seen: dict[tuple[str, str], dict[str, list[str]]] = {}
    for lang in LANGS:
        for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
            with path.open("rb") as handle:
                for message in read_po(handle, locale=lang):
                    if message.id:
                        key = message.id if isinstance(message.id, str) else message.id[0]
                        text = message.string if isinstance(message.string, str) else message.string[0]
                        seen.setdefault((lang, key), {}).setdefault(text, []).append(path.stem)
    assert {k: v for k, v in seen.items() if len(v) > 1} == {}
