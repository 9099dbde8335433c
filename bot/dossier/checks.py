"""Warnings the review desk shows before accepting, and decisions on several reviews of one unit at once
(through bot.services.review, so the rules, notices and audit stay those of the chat)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import (
    CriteriaSetRow,
    CriterionRow,
    CriterionTaskRow,
    EvidenceRow,
    OccurrenceRow,
    OfficeDocumentRow,
    ReviewRow,
)
from bot.dossier.facts import GRACE
from bot.services import review
from bot.services.access import Actor, Refused, require_admin
from bot.services.criteria import current_set
from bot.services.par import DOCUMENT_KINDS, number_warning
from bot.services.tasks import Event


@dataclass(frozen=True)
class Existing:
    """The document already received with the same so/ky hieu: link it instead of counting it twice."""

    evidence_id: int | None
    office_document_id: int | None
    unit: str | None
    occurrence_id: int | None
    file_name: str | None
    issued_on: date | None


@dataclass(frozen=True)
class DocWarning:
    """kind: date_missing | outside_period | number_missing | number_malformed | duplicate_number."""

    evidence_id: int
    kind: str
    file_name: str | None
    number: str | None
    issued_on: date | None
    period: tuple[date, date] | None = None
    existing: Existing | None = None


def _norm(number: str) -> str:
    return "".join(unicodedata.normalize("NFC", number).upper().split())


def _period(session: Session, occ: OccurrenceRow) -> tuple[date, date] | None:
    """The assessment period that judges the occurrence's documents: of the set of its due date's year (among the
    sets whose criteria its task proves, else any), else a set whose period (with grace) holds the due date, else
    the current set's."""
    linked = list(session.scalars(select(CriteriaSetRow).join(CriterionRow, CriterionRow.set_id == CriteriaSetRow.id)
                                  .join(CriterionTaskRow, CriterionTaskRow.criterion_id == CriterionRow.id)
                                  .where(CriterionTaskRow.task_id == occ.task_id).distinct()))
    every = list(session.scalars(select(CriteriaSetRow)))
    for sets in (linked, every):
        for s in sets:
            if s.year == occ.due.year:
                return s.period_start, s.period_end
        for s in sets:
            if s.period_start <= occ.due <= s.period_end + GRACE:
                return s.period_start, s.period_end
    found = current_set(session)
    return (found.period_start, found.period_end) if found else None


def document_warnings(session: Session, occ: OccurrenceRow) -> list[DocWarning]:
    """What may cost points in the occurrence's documents."""
    period = _period(session, occ)
    out: list[DocWarning] = []
    docs = list(session.scalars(select(EvidenceRow).where(EvidenceRow.occurrence_id == occ.id,
                                                          EvidenceRow.kind.in_(DOCUMENT_KINDS))
                                .order_by(EvidenceRow.id)))
    for d in docs:
        def warn(kind: str, existing: Existing | None = None, d: EvidenceRow = d) -> None:
            out.append(DocWarning(d.id, kind, d.file_name, d.doc_number, d.doc_date,
                                  period if kind == "outside_period" else None, existing))
        if d.doc_date is None:
            warn("date_missing")
        elif period is not None and not period[0] <= d.doc_date <= period[1]:
            warn("outside_period")
        if not d.doc_number:
            warn("number_missing")
            continue
        if number_warning(d.doc_number) is not None:
            warn("number_malformed")
        existing = _same_number(session, d, occ.unit)
        if existing is not None:
            warn("duplicate_number", existing)
    return out


def _same_number(session: Session, doc: EvidenceRow, unit: str) -> Existing | None:
    """The earliest document of another unit (or of the office) with this number, compared in Python: SQLite's
    upper() leaves D/d alone. The SQL only narrows to numbers starting with the same digits."""
    number = _norm(doc.doc_number or "")
    digits = re.match(r"\d+", number)
    prefix = digits.group(0) if digits else ""
    rows = session.execute(
        select(EvidenceRow.id, EvidenceRow.doc_number, EvidenceRow.file_name, EvidenceRow.doc_date, OccurrenceRow.unit,
               OccurrenceRow.id).join(OccurrenceRow, OccurrenceRow.id == EvidenceRow.occurrence_id)
        .where(EvidenceRow.doc_number.like(prefix + "%"), OccurrenceRow.unit != unit, EvidenceRow.id < doc.id)
        .order_by(EvidenceRow.id))
    for eid, other, file_name, issued, other_unit, occ_id in rows:
        if _norm(other or "") == number:
            return Existing(eid, None, other_unit, occ_id, file_name, issued)
    for office in session.scalars(select(OfficeDocumentRow).where(OfficeDocumentRow.doc_number.like(prefix + "%"))
                                  .order_by(OfficeDocumentRow.id)):
        if _norm(office.doc_number or "") == number:
            return Existing(None, office.id, None, None, office.file_name, office.doc_date)
    return None


def review_warnings(session: Session, actor: Actor, review_id: int) -> list[DocWarning]:
    """Before ✔: a document's date outside the assessment period, so/ky hieu missing or malformed, the same
    so/ky hieu already received from another unit (with that document)."""
    require_admin(actor)
    found = session.get(ReviewRow, review_id)
    occ = session.get(OccurrenceRow, found.occurrence_id) if found is not None else None
    if found is None or occ is None:
        raise Refused("bad_request")
    return document_warnings(session, occ)


@dataclass(frozen=True)
class Decided:
    unit: str
    decision: str  # accepted | returned
    review_ids: tuple[int, ...]
    occurrence_ids: tuple[int, ...]


def decide_many(session: Session, actor: Actor, review_ids: list[int], accept: bool, reason: str,
                ev: Event) -> Decided:
    """Accept, or return with one reason, several pending reviews of ONE unit; all or nothing."""
    require_admin(actor)
    ids = list(dict.fromkeys(review_ids))
    if not ids:
        raise Refused("bad_request")
    units = set(session.scalars(select(OccurrenceRow.unit).join(ReviewRow, ReviewRow.occurrence_id == OccurrenceRow.id)
                                .where(ReviewRow.id.in_(ids))))
    if len(units) != 1 or len(list(session.scalars(select(ReviewRow.id).where(ReviewRow.id.in_(ids))))) != len(ids):
        raise Refused("reviews_of_one_unit")
    occs = []
    for rid in ids:
        occ = (review.accept(session, actor, rid, ev) if accept
               else review.return_with_reason(session, actor, rid, reason, ev))
        occs.append(occ.id)
    return Decided(units.pop(), "accepted" if accept else "returned", tuple(ids), tuple(occs))
