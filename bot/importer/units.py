"""Unit names read in a plan, matched to unit ids: a units file, the usual names of a Department's
offices (with their aliases) and groups; any other name becomes a new unit, flagged for the office.

The names below are vocabulary: the Vietnamese the importer reads in documents.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.i18n import N_
from bot.importer.reading import ReadError, clean


@dataclass
class KnownUnit:
    """A unit or (with `members`) a group, with every name it goes by."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    members: tuple[str, ...] | None = None
    origin: str = "builtin"  # builtin | units-file | document
    note: str | None = None

    @property
    def is_group(self) -> bool:
        return self.members is not None


# The usual offices of a provincial Department of Education and Training.
BUILTIN: tuple[KnownUnit, ...] = (
    KnownUnit("VP", "Văn phòng Sở", ("Văn phòng", "VP", "Văn phòng Sở GDĐT", "Văn phòng Sở GD&ĐT")),
    KnownUnit("TCCB", "Phòng Tổ chức cán bộ", ("Phòng TCCB", "TCCB", "Phòng Tổ chức - Cán bộ",
                                                "Phòng Tổ chức, cán bộ")),
    KnownUnit("KHTC", "Phòng Kế hoạch - Tài chính", ("Phòng Kế hoạch tài chính", "Phòng KHTC", "Phòng KH-TC",
                                                      "KHTC", "Phòng Kế hoạch, tài chính")),
    KnownUnit("TTr", "Thanh tra Sở", ("Phòng Thanh tra", "Thanh tra")),
    KnownUnit("GDMN", "Phòng Giáo dục Mầm non", ("Phòng GDMN",)),
    KnownUnit("GDTH", "Phòng Giáo dục Tiểu học", ("Phòng GDTH",)),
    KnownUnit("GDTrH", "Phòng Giáo dục Trung học", ("Phòng GDTrH",)),
    KnownUnit("GDTX", "Phòng Giáo dục thường xuyên - Chuyên nghiệp", ("Phòng GDTX-CN", "Phòng GDTX",
                                                                      "Phòng Giáo dục thường xuyên")),
    KnownUnit("KTKD", "Phòng Khảo thí và Kiểm định chất lượng giáo dục", ("Phòng KT&KĐCLGD", "Phòng KTKĐ",
                                                                          "Phòng Khảo thí và Kiểm định")),
    KnownUnit("PHONG", "Các phòng chuyên môn, nghiệp vụ thuộc Sở",
              ("Các phòng chuyên môn, nghiệp vụ", "Các phòng chuyên môn nghiệp vụ thuộc Sở", "Các phòng thuộc Sở",
               "Các phòng CM, NV", "Các phòng CMNV", "Các phòng chuyên môn", "Các phòng, ban thuộc Sở"), ()),
    KnownUnit("DVTT", "Các đơn vị trực thuộc Sở", ("Các đơn vị trực thuộc", "Đơn vị trực thuộc Sở",
                                                   "Các đơn vị sự nghiệp trực thuộc Sở"), ()),
)
LEADERSHIP = ("leadership", "Lãnh đạo Sở", ("Giám đốc", "Phó Giám đốc"))
_STARTS = r"(?:phòng|văn phòng|thanh tra|trung tâm|sở|các|ban|trường|đơn vị|bộ phận|ubnd|công an|#)"
_NOISE = {"", "các", "và", "sở", "đơn vị", "các đơn vị", "cơ quan", "phòng", "các phòng", "liên quan",
          "các đơn vị liên quan", "các cơ quan liên quan", "khác"}


@dataclass(frozen=True)
class UnitRef:
    """A unit id found in a text, with the words read."""

    id: str
    read: str
    new: bool = False


@dataclass
class Registry:
    """Every unit known to this import; records which were used and which were new."""

    known: list[KnownUnit] = field(default_factory=list)
    used: list[str] = field(default_factory=list)
    written: dict[str, str] = field(default_factory=dict)  # id -> the first full name the document wrote

    @classmethod
    def start(cls, units_file: Path | None) -> Registry:
        known = [KnownUnit(u.id, u.name, u.aliases, u.members, u.origin) for u in BUILTIN]
        if units_file is not None:
            for unit in read_units_file(units_file):
                same = [k for k in known if k.id == unit.id or _key(k.name) == _key(unit.name)]
                for old in same:  # the office's own list wins; the built-in aliases still lead to it
                    known.remove(old)
                    unit.aliases = tuple(dict.fromkeys((*unit.aliases, *old.aliases, old.name)))
                known.append(unit)
        return cls(known)

    def get(self, ident: str) -> KnownUnit:
        return next(k for k in self.known if k.id == ident)

    def find(self, text: str) -> list[UnitRef]:
        """The units and groups named in `text`, in order; unknown names become new units."""
        work = _key(text)
        found: list[tuple[int, UnitRef]] = []
        names = sorted(((_key(n), k) for k in self.known for n in (k.name, *k.aliases)), key=lambda p: -len(p[0]))
        for name, unit in names:
            for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", work):
                found.append((match.start(), UnitRef(unit.id, text[match.start():match.end()])))
                self._note_written(unit, clean(text[match.start():match.end()]))
                work = work[:match.start()] + "#" * (match.end() - match.start()) + work[match.end():]
        position = 0
        for piece in re.split(rf"[,;/]|\s+và\s+(?={_STARTS})|\s+-\s+(?={_STARTS})", work):
            start = work.find(piece, position)
            position = start + len(piece)
            name = piece.replace("#", "").strip(" .()")
            if _key(name) in _NOISE or len(name) < 3 or "#" in piece and len(name) < 12:
                continue
            original = clean(text[start:start + len(piece)].strip(" .()"))
            found.append((start, UnitRef(self._new_unit(original).id, original, new=True)))
        refs: list[UnitRef] = []
        for _, ref in sorted(found, key=lambda p: p[0]):
            if ref.id not in [r.id for r in refs]:
                refs.append(ref)
                if ref.id not in self.used:
                    self.used.append(ref.id)
        return refs

    def _note_written(self, unit: KnownUnit, words: str) -> None:
        """Keep the document's spelling of a built-in unit, when it wrote the name out (no abbreviation)."""
        abbreviated = any(w.isupper() and len(w) > 1 for w in re.findall(r"\w+", words))
        if unit.origin == "builtin" and not unit.is_group and unit.id not in self.written and not abbreviated \
                and len(words) >= 8 and words[:1].isupper():
            self.written[unit.id] = words

    def name_of(self, ident: str) -> str:
        """The unit's name: the document's own spelling when it wrote a built-in name out in full."""
        return self.written.get(ident) or self.get(ident).name

    def _new_unit(self, name: str) -> KnownUnit:
        shown = name[:1].upper() + name[1:]
        for unit in self.known:  # the same name in other punctuation ("Kế hoạch-Tài chính", "Kế hoạch – Tài chính")
            if any(_loose(n) == _loose(shown) for n in (unit.name, *unit.aliases)):
                return unit
        base = new_id(shown)
        ident, n = base, 2
        while any(k.id == ident for k in self.known):
            ident, n = f"{base}{n}", n + 1
        unit = KnownUnit(ident, shown, origin="document")
        self.known.append(unit)
        return unit


def is_office_name(name: str) -> bool:
    """Whether a name is one of the Department's own offices ("Phòng ...", "Thanh tra ...")."""
    return bool(re.match(r"(phòng|thanh tra)\b", name.strip(), re.IGNORECASE))


def _key(text: str) -> str:
    text = clean(text).lower().translate(_DASHES)
    return re.sub(r"\s+([,;:])", r"\1", text)


_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-"})


def _loose(name: str) -> str:
    """A name without case, punctuation or spacing: "Phòng Kế hoạch-Tài chính" is "phòng kế hoạch - tài chính"."""
    return re.sub(r"[^\w]+|\bvà\b", "", clean(name).lower())


def ascii_fold(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def new_id(name: str) -> str:
    """An id for a unit the document names: initials without diacritics ("Trung tâm CNTT" → TTCNTT)."""
    words = [w for w in re.split(r"[^\w]+", ascii_fold(name)) if w]
    if words and words[0].lower() == "phong" and len(words) > 1:
        words = words[1:]
    initials = "".join(w if w.isupper() and len(w) > 1 else w[0].upper() for w in words)
    return (initials or "DV")[:20]


def read_units_file(path: Path) -> list[KnownUnit]:
    """`units:` (id, name, aliases) and `groups:` (id, name, members, aliases) of a YAML file or a plan."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReadError(N_("Cannot read the units file {file}: {reason}"), file=str(path), reason=type(exc).__name__) \
            from None
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        raise ReadError(N_("The units file {file} needs a list under units:"), file=str(path))
    out = []
    for key in ("units", "groups"):
        for item in data.get(key) or []:
            if not isinstance(item, dict) or not item.get("id") or not item.get("name"):
                raise ReadError(N_("Each entry under {key} of {file} needs an id and a name"), key=key, file=str(path))
            aliases = tuple(str(a) for a in item.get("aliases") or [])
            members = tuple(str(m) for m in item.get("members") or []) if key == "groups" else None
            out.append(KnownUnit(str(item["id"]), clean(str(item["name"])), aliases, members, "units-file",
                                 item.get("note")))
    return out
