"""What the province's PAR scoring software asks of each evidence document: its number (so ky hieu), date
of issue (ngay ban hanh), subject line (trich yeu) and issuing body (co quan ban hanh). Parsed from one
chat line, validated, stored on the evidence row, audited.

A missing or malformed number is a common reason the home affairs department's council cuts points, so an odd one
is stored with a warning (the office may know better) while an impossible date is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import EvidenceRow, OccurrenceRow, TaskRow
from bot.i18n import _
from bot.services.access import Actor, Refused, require_admin, require_known
from bot.services.tasks import Event, set_state

STATE = "docmeta"  # chat state kind: the next text describes evidence `ref`
DOCUMENT_KINDS = ("document", "photo")
NUMBER_CHARS, SUMMARY_CHARS, ISSUER_CHARS = 64, 1000, 200
# 123/KH-SGDĐT, 18-NQ/TW, 42/2022/NĐ-CP, 05/2019/TT-BGDĐT, 581/BNV-CCHC, 1234/QĐ-UBND
_NUMBER = re.compile("^\\d{1,6}[A-Z]?(/\\d{4})?[/-][A-Z\u01100-9]{1,12}([-/][A-Z\u01100-9]{1,12}){0,3}$")
EXAMPLE_NUMBER = "123/KH-SGD\u0110T"
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_SEPARATORS = re.compile(r"\s*[;|]\s*")


@dataclass(frozen=True)
class DocumentMeta:
    """The four fields; None where not given."""

    number: str | None = None
    issued_on: date | None = None
    summary: str | None = None
    issuer: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.number or self.issued_on or self.summary or self.issuer)


@dataclass(frozen=True)
class MetaRecorded:
    """A fact: evidence `evidence_id` of task/unit now carries `meta`; `warnings` are message texts."""

    evidence_id: int
    occurrence_id: int
    task_id: str
    unit: str
    file_name: str | None
    meta: DocumentMeta
    warnings: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class EvidenceTarget:
    """A document whose metadata the chat now asks for."""

    evidence_id: int
    occurrence_id: int
    task_id: str
    unit: str
    file_name: str | None
    current: DocumentMeta
    required: bool


def _clean(text: str | None, limit: int) -> str | None:
    value = " ".join(unicodedata.normalize("NFC", text or "").split())
    return value[:limit] if value and value != "-" else None


def parse_issue_date(raw: str, today: date) -> date:
    """`05/03/2019` (also `5-3-2019`, `05.03.2019`): a real date, not after today. Otherwise Refused."""
    text = raw.strip()
    match = _DATE.match(text)
    if match is None:
        raise Refused("doc_bad_date", value=text[:40])
    day, month, year = (int(g) for g in match.groups())
    try:
        issued = date(year, month, day)
    except ValueError:
        raise Refused("doc_bad_date", value=text[:40]) from None
    if issued > today:
        raise Refused("doc_future_date", value=text[:40])
    if year < 1945:
        raise Refused("doc_bad_date", value=text[:40])
    return issued


def number_warning(number: str | None) -> str | None:
    """A warning when a document number does not look like EXAMPLE_NUMBER (stored anyway)."""
    if number is None or _NUMBER.match(number.upper()):
        return None
    return _("The number \"{number}\" does not look like a document number such as {example}: "
             "please check it.").format(number=number, example=EXAMPLE_NUMBER)


def parse_meta_line(raw: str, today: date) -> DocumentMeta:
    """`123/KH-SGDDT; 05/03/2019; Ke hoach CCHC nam 2019; So GDDT` (fields in this order, `;` between,
    trailing ones optional, `-` or nothing for a field not given)."""
    text = unicodedata.normalize("NFC", raw).strip()
    parts = _SEPARATORS.split(text) if text else []
    if len(parts) > 4:  # a `;` inside the trích yếu: everything after the date up to the last part
        parts = parts[:2] + ["; ".join(parts[2:-1]), parts[-1]]
    parts += [""] * (4 - len(parts))
    number, day, summary, issuer = parts
    meta = parse_meta_fields(number, day, summary, issuer, today)
    if meta.empty:
        raise Refused("doc_meta_empty")
    return meta


def parse_meta_fields(number: str, issued_on: str, summary: str, issuer: str, today: date) -> DocumentMeta:
    """The four fields given one by one (the web form); blank or `-` is not given. Refused on a bad value."""
    clean_number = _clean(number, NUMBER_CHARS + 1)
    if clean_number is not None and len(clean_number) > NUMBER_CHARS:
        raise Refused("doc_number_too_long", limit=NUMBER_CHARS)
    issued = parse_issue_date(issued_on, today) if _clean(issued_on, 40) else None
    return DocumentMeta(clean_number, issued, _clean(summary, SUMMARY_CHARS), _clean(issuer, ISSUER_CHARS))


def meta_required(session: Session, task_id: str) -> bool:
    """The office requires the number and date of issue on this task's documents (chat command, or the
    plan's `evidence_meta_required` when the plan model carries it)."""
    task = session.get(TaskRow, task_id)
    return task is not None and bool(task.doc_meta_required or getattr(task, "evidence_meta_required", False))


def require_meta(session: Session, task_id: str, meta: DocumentMeta) -> None:
    """Refused (`doc_meta_required`, naming what is missing) when the task requires the number and date of
    issue and `meta` lacks one."""
    if not meta_required(session, task_id):
        return
    missing = [name for name, value in ((_("number"), meta.number), (_("date of issue"), meta.issued_on))
               if not value]
    if missing:
        raise Refused("doc_meta_required", missing=", ".join(missing), task=task_id)


def current_meta(row: EvidenceRow) -> DocumentMeta:
    return DocumentMeta(row.doc_number, row.doc_date, row.doc_summary, row.doc_issuer)


def _evidence(session: Session, actor: Actor, evidence_id: int) -> tuple[EvidenceRow, OccurrenceRow]:
    """A document of the actor's own units (the office may describe any unit's documents)."""
    require_known(actor)
    row = session.get(EvidenceRow, evidence_id)
    occ = session.get(OccurrenceRow, row.occurrence_id) if row is not None else None
    if row is None or occ is None or row.kind not in DOCUMENT_KINDS:
        raise Refused("no_such_document", ref=evidence_id)
    if occ.unit not in actor.units and not actor.is_admin:
        raise Refused("not_your_unit", unit=occ.unit)
    return row, occ


def start_meta(session: Session, actor: Actor, evidence_id: int, ev: Event) -> EvidenceTarget:
    """Ask for a document's metadata: the next text of this chat describes it."""
    row, occ = _evidence(session, actor, evidence_id)
    set_state(session, actor.chat_id, STATE, row.id, ev.now)
    return EvidenceTarget(row.id, occ.id, occ.task_id, occ.unit, row.file_name, current_meta(row),
                          meta_required(session, occ.task_id))


def set_document_meta(session: Session, actor: Actor, evidence_id: int, meta: DocumentMeta, ev: Event,
                      keep: bool = True) -> MetaRecorded:
    """Store the fields given (with `keep`, fields not given keep their earlier value); audited."""
    row, occ = _evidence(session, actor, evidence_id)
    before = current_meta(row)
    if keep:
        meta = DocumentMeta(meta.number or before.number, meta.issued_on or before.issued_on,
                            meta.summary or before.summary, meta.issuer or before.issuer)
    require_meta(session, occ.task_id, meta)
    row.doc_number, row.doc_date, row.doc_summary, row.doc_issuer = (meta.number, meta.issued_on, meta.summary,
                                                                     meta.issuer)
    warnings = tuple(w for w in (number_warning(meta.number),) if w)
    audit(session, ev.now, f"member:{actor.member_id}", "evidence_described", occ.key,
          {"evidence_id": row.id, "number": meta.number,
           "issued_on": meta.issued_on.isoformat() if meta.issued_on else None,
           "summary": meta.summary, "issuer": meta.issuer, "odd_number": bool(warnings)}, ev.update_id)
    return MetaRecorded(row.id, occ.id, occ.task_id, occ.unit, row.file_name, meta, warnings)


def skip_meta(session: Session, actor: Actor, evidence_id: int, ev: Event) -> EvidenceTarget:
    """Skip: no metadata now (refused when the office requires it); the chat takes evidence again."""
    row, occ = _evidence(session, actor, evidence_id)
    if meta_required(session, occ.task_id) and not (row.doc_number and row.doc_date):
        raise Refused("doc_meta_required", missing=_("number, date of issue"), task=occ.task_id)
    set_state(session, actor.chat_id, "evidence", occ.id, ev.now)
    audit(session, ev.now, f"member:{actor.member_id}", "evidence_description_skipped", occ.key,
          {"evidence_id": row.id}, ev.update_id)
    return EvidenceTarget(row.id, occ.id, occ.task_id, occ.unit, row.file_name, current_meta(row), False)


def resume_evidence(session: Session, actor: Actor, evidence_id: int, ev: Event) -> int:
    """Back to taking evidence for the document's occurrence (a new file arrived instead of an answer)."""
    _row, occ = _evidence(session, actor, evidence_id)
    set_state(session, actor.chat_id, "evidence", occ.id, ev.now)
    return occ.id


def undescribed(session: Session, occurrence_id: int) -> list[EvidenceRow]:
    """Documents of an occurrence still lacking their number or date of issue."""
    return list(session.scalars(select(EvidenceRow).where(
        EvidenceRow.occurrence_id == occurrence_id, EvidenceRow.kind.in_(DOCUMENT_KINDS),
        EvidenceRow.doc_number.is_(None) | EvidenceRow.doc_date.is_(None)).order_by(EvidenceRow.id)))


def require_described(session: Session, occurrence_id: int) -> None:
    """Before ✅ on a task whose documents must carry their metadata: refuse while one lacks it."""
    occ = session.get(OccurrenceRow, occurrence_id)
    if occ is None or not meta_required(session, occ.task_id):
        return
    missing = undescribed(session, occurrence_id)
    if missing:
        raise Refused("doc_meta_missing", task=occ.task_id, ref=missing[0].id, count=len(missing))


def documents_of(session: Session, actor: Actor, limit: int = 10) -> list[EvidenceRow]:
    """`/vanban`: the actor's units' documents (the office: everyone's), undescribed first, newest first."""
    require_known(actor)
    stmt = (select(EvidenceRow).join(OccurrenceRow, OccurrenceRow.id == EvidenceRow.occurrence_id)
            .where(EvidenceRow.kind.in_(DOCUMENT_KINDS)))
    if not actor.is_admin:
        stmt = stmt.where(OccurrenceRow.unit.in_(sorted(actor.units)))
    rows = list(session.scalars(stmt.order_by(EvidenceRow.id.desc()).limit(200)))
    rows.sort(key=lambda r: (r.doc_number is not None and r.doc_date is not None, -r.id))
    return rows[:limit]


def set_meta_required(session: Session, actor: Actor, task_id: str, required: bool, ev: Event) -> TaskRow:
    """`/yeucauvanban <task> [tat]`: the office requires (or stops requiring) document metadata."""
    require_admin(actor)
    task = session.get(TaskRow, task_id.strip())
    if task is None or task.retired_at is not None:
        raise Refused("no_such_task_id", task=task_id[:24])
    task.doc_meta_required = required
    audit(session, ev.now, f"member:{actor.member_id}", "evidence_meta_required", task.id,
          {"required": required}, ev.update_id)
    return task
