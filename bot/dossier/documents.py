"""The office's document work on the dossier: attach its own document, link a unit's document to another
criterion (no second upload), record where the proof is (muc/trang), leave a document out. Audited."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.audit import audit
from bot.db.models import CriterionDocumentRow, CriterionRow, EvidenceRow, OfficeDocumentRow
from bot.dossier.facts import require_reader
from bot.services.access import Actor, Refused, require_admin
from bot.services.par import DOCUMENT_KINDS, DocumentMeta
from bot.services.tasks import Event

SECTION_CHARS = 200


def _criterion(session: Session, criterion_id: int) -> CriterionRow:
    row = session.get(CriterionRow, criterion_id)
    if row is None or row.retired:
        raise Refused("no_such_criterion", code=str(criterion_id), known="-")
    return row


def _section(text: str | None) -> str | None:
    value = " ".join(unicodedata.normalize("NFC", text or "").split())[:SECTION_CHARS]
    return value or None


def _link(session: Session, criterion_id: int, evidence_id: int | None,
          office_document_id: int | None) -> CriterionDocumentRow | None:
    return session.scalar(select(CriterionDocumentRow).where(
        CriterionDocumentRow.criterion_id == criterion_id,
        CriterionDocumentRow.evidence_id.is_(None) if evidence_id is None
        else CriterionDocumentRow.evidence_id == evidence_id,
        CriterionDocumentRow.office_document_id.is_(None) if office_document_id is None
        else CriterionDocumentRow.office_document_id == office_document_id))


def attach_office_document(session: Session, actor: Actor, criterion_id: int, file_name: str | None,
                           stored_path: str | None, size: int | None, sha256: str | None, meta: DocumentMeta,
                           section: str | None, ev: Event) -> int:
    """A document the office holds itself (the Director's plan, a decision), attached to a criterion."""
    require_admin(actor)
    row = _criterion(session, criterion_id)
    doc = OfficeDocumentRow(file_name=file_name, stored_path=stored_path, size=size, sha256=sha256,
                            doc_number=meta.number, doc_date=meta.issued_on, doc_summary=meta.summary,
                            doc_issuer=meta.issuer, created_by=actor.member_id, created_at=ev.now)
    session.add(doc)
    session.flush()
    session.add(CriterionDocumentRow(criterion_id=row.id, office_document_id=doc.id, section=_section(section),
                                     excluded=False, linked_by=actor.member_id, linked_at=ev.now))
    audit(session, ev.now, f"member:{actor.member_id}", "dossier_document_attached", row.code,
          {"criterion_id": row.id, "office_document_id": doc.id, "file_name": file_name, "number": meta.number},
          ev.update_id)
    return doc.id


def link_document(session: Session, actor: Actor, criterion_id: int, *, evidence_id: int | None = None,
                  office_document_id: int | None = None, section: str | None = None, ev: Event) -> None:
    """The same document proves one more criterion (or gets its muc/trang, or comes back after being left out)."""
    require_admin(actor)
    row = _criterion(session, criterion_id)
    if (evidence_id is None) == (office_document_id is None):
        raise Refused("bad_request")
    if evidence_id is not None:
        found = session.get(EvidenceRow, evidence_id)
        if found is None or found.kind not in DOCUMENT_KINDS:
            raise Refused("no_such_document", ref=evidence_id)
    elif session.get(OfficeDocumentRow, office_document_id) is None:
        raise Refused("no_such_document", ref=office_document_id)
    link = _link(session, row.id, evidence_id, office_document_id)
    if link is None:
        link = CriterionDocumentRow(criterion_id=row.id, evidence_id=evidence_id,
                                    office_document_id=office_document_id, linked_at=ev.now)
        session.add(link)
    link.section, link.excluded, link.linked_by, link.linked_at = _section(section), False, actor.member_id, ev.now
    audit(session, ev.now, f"member:{actor.member_id}", "dossier_document_linked", row.code,
          {"criterion_id": row.id, "evidence_id": evidence_id, "office_document_id": office_document_id,
           "section": link.section}, ev.update_id)


def leave_out_document(session: Session, actor: Actor, criterion_id: int, *, evidence_id: int | None = None,
                       office_document_id: int | None = None, ev: Event) -> None:
    """The document does not prove this criterion (it stays on its task and on other criteria)."""
    require_admin(actor)
    row = _criterion(session, criterion_id)
    if (evidence_id is None) == (office_document_id is None):
        raise Refused("bad_request")
    link = _link(session, row.id, evidence_id, office_document_id)
    if link is None:
        if evidence_id is None or session.get(EvidenceRow, evidence_id) is None:
            raise Refused("no_such_document", ref=evidence_id or office_document_id)
        link = CriterionDocumentRow(criterion_id=row.id, evidence_id=evidence_id, linked_at=ev.now)
        session.add(link)
    link.excluded, link.linked_by, link.linked_at = True, actor.member_id, ev.now
    audit(session, ev.now, f"member:{actor.member_id}", "dossier_document_left_out", row.code,
          {"criterion_id": row.id, "evidence_id": evidence_id, "office_document_id": office_document_id},
          ev.update_id)


def office_document_file(session: Session, actor: Actor, office_document_id: int) -> OfficeDocumentRow:
    """An office document whose file the reader may open (the office and leadership)."""
    require_reader(actor)
    row = session.get(OfficeDocumentRow, office_document_id)
    if row is None:
        raise Refused("no_such_document", ref=office_document_id)
    return row
