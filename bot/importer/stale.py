"""Terms and units a plan of 2025 or later should no longer use (shared/PAR-NOTES.md, "What changed by 2026"),
each with the current term to propose. `import` and `plan roll` list every place one is found.

The patterns are vocabulary: the Vietnamese the importer reads in documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.i18n import N_, _

# The changes took effect on 01/07/2025: a plan for 2025 on is written in the new terms.
FROM_YEAR = 2025


@dataclass(frozen=True)
class Stale:
    key: str
    pattern: re.Pattern[str]
    why: str  # catalog message id: what changed
    proposal: str  # catalog message id: the term to use now


TERMS: tuple[Stale, ...] = (
    Stale("thanh-tra", re.compile(r"\b(Thanh tra Sở|Phòng Thanh tra)\b", re.IGNORECASE),
          N_("abolished from 01/07/2025 (Luật Thanh tra 84/2025/QH15: Thanh tra Chính phủ and Thanh tra tỉnh only)"),
          N_("give its tasks to a unit of the Sở (e.g. Văn phòng Sở) or name Thanh tra tỉnh as a cooperating body")),
    Stale("dvc-3-4", re.compile(r"mức độ\s*3\s*,?\s*(?:(?:và|,)\s*)?(?:mức độ\s*)?4", re.IGNORECASE),
          N_("the levels 3 and 4 of online public services were replaced (Nghị định 42/2022/NĐ-CP)"),
          N_("\"dịch vụ công trực tuyến toàn trình\" / \"một phần\"")),
    # Nghị định 118/2025 keeps "Bộ phận Một cửa" as the general name ("… tại Bộ phận Một cửa và Cổng Dịch vụ công
    # quốc gia"); the Sở's own counter is now the province's Trung tâm Phục vụ hành chính công.
    Stale("mot-cua", re.compile(r"Bộ phận một cửa(?: tập trung)?(?! và Cổng)|Bộ phận tiếp nhận và trả kết quả",
                                re.IGNORECASE),
          N_("replaced from 01/07/2025 (Nghị định 118/2025/NĐ-CP)"),
          N_("\"Trung tâm Phục vụ hành chính công\"")),
    Stale("hd-68", re.compile(r"Hợp đồng 68|Nghị định 68/2000", re.IGNORECASE),
          N_("the contracts under Decree 68 were replaced"),
          N_("support contracts under Nghị định 111/2022/NĐ-CP; staff managed by vị trí việc làm (Luật Cán bộ, "
             "công chức 80/2025/QH15)")),
    Stale("ct-24", re.compile(r"Chỉ thị(?: số)? 24/CT-UBND", re.IGNORECASE),
          N_("the 2014 directive on cutting processing times is superseded"),
          N_("Nghị quyết 66/NQ-CP (2025) on cutting and simplifying administrative procedures")),
    Stale("huyen", re.compile(r"\b(UBND (?:các )?huyện|cấp huyện|huyện, thị xã)", re.IGNORECASE),
          N_("there is no district level from 01/07/2025"),
          N_("the communes (cấp xã) directly under the province")),
    Stale("hien-dai-hoa", re.compile(r"\bHiện đại hóa hành chính\b", re.IGNORECASE),
          N_("the area was renamed in the 2021-2030 programme"),
          N_("\"Xây dựng và phát triển chính quyền điện tử, chính quyền số\"")),
)


@dataclass(frozen=True)
class Finding:
    where: str  # "task 3.3", "unit TTr", "references"
    words: str  # the words found
    term: Stale

    def sentence(self) -> str:
        return _("{where}: \"{words}\": {why}; now {proposal}.").format(
            where=self.where, words=self.words, why=_(self.term.why), proposal=_(self.term.proposal))


def applies(years: Iterable[int]) -> bool:
    """Whether a plan of these years should be written in the current terms."""
    return max(years, default=0) >= FROM_YEAR


def find_stale(places: Iterable[tuple[str, str]]) -> list[Finding]:
    """Every stale term in (where, text) pairs, once per place and term."""
    out: list[Finding] = []
    for where, text in places:
        for term in TERMS:
            found = term.pattern.search(text or "")
            if found and not any(f.where == where and f.term.key == term.key for f in out):
                out.append(Finding(where, found.group(0), term))
    return out


def summary(findings: list[Finding], limit: int = 40) -> list[str]:
    """The findings as sentences, at most `limit` (then how many more)."""
    lines = [f.sentence() for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(_("… and {count} more places.").format(count=len(findings) - limit))
    return lines


def in_plan(data: dict[str, object]) -> list[Finding]:
    """Stale terms in a plan's data (as in a plan file): units, areas, tasks, references, plan-wide deadlines."""
    def items(key: str) -> list[dict[str, object]]:
        value = data.get(key)
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

    info = data.get("plan") if isinstance(data.get("plan"), dict) else {}
    assert isinstance(info, dict)
    places: list[tuple[str, str]] = []
    places += [(_("unit {id}").format(id=u.get("id")), str(u.get("name", ""))) for u in items("units")]
    places += [(_("area {id}").format(id=a.get("id")), str(a.get("name", ""))) for a in items("areas")]
    for task in items("tasks"):
        evidence = task.get("evidence") if isinstance(task.get("evidence"), list) else []
        words = " ".join(str(w) for w in (task.get("title", ""), task.get("detail", ""), *evidence))  # type: ignore[misc]
        places.append((_("task {id}").format(id=task.get("id")), words))
    references = info.get("references") if isinstance(info.get("references"), list) else []
    places += [(_("references"), str(r)) for r in references or []]
    common = info.get("common_deadlines") if isinstance(info.get("common_deadlines"), list) else []
    places += [(_("plan-wide deadline {id}").format(id=c.get("id")), f"{c.get('label', '')} {c.get('note', '')}")
               for c in common or [] if isinstance(c, dict)]
    return find_stale(places)
