"""Tables. Times are UTC (UTCDateTime); dates are calendar dates in the plan's zone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.db.types import UTCDateTime


class Base(DeclarativeBase):
    pass


class UnitRow(Base):
    __tablename__ = "units"
    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text, nullable=True)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    name_set: Mapped[str | None] = mapped_column(Text, nullable=True)  # renamed by the office; a sync keeps it (0014)
    office_added: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # added in the console


class TaskRow(Base):
    """A task of a plan. With several plans the id is `<plan id>:<task id>` (see bot.engine.sync)."""

    __tablename__ = "tasks"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    area: Mapped[str] = mapped_column(String(24))
    area_name: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    evidence_required: Mapped[bool] = mapped_column(Boolean, default=False)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # 0003: the office requires số/ký hiệu and ngày ban hành on this task's documents (/yeucauvanban)
    doc_meta_required: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)  # the plan's own words
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")  # documents to attach
    evidence_source: Mapped[str | None] = mapped_column(String(8), nullable=True)  # seed | assumed
    plan_id: Mapped[str | None] = mapped_column(String(24), nullable=True, index=True)
    # 0010: the units other than the lead help (phối hợp: True) or carry it out (thực hiện: False); NULL: unknown
    others_cooperate: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    sync_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)  # 0010: unchanged since (bot.engine.sync)
    plan_title: Mapped[str | None] = mapped_column(Text, nullable=True)
    # 0012: the office made the evidence list required (a list the plan itself gives is required already)
    evidence_confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    ref: Mapped[str | None] = mapped_column(Text, nullable=True)  # 0012: the plan's own section and bullet


class OccurrenceRow(Base):
    """Task × unit × due date. Status: open, awaiting_review, done, returned, closed.

    `closed`: the office closed it in bulk (it predates the deployment): never overdue, never done.
    """

    __tablename__ = "occurrences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    task_id: Mapped[str] = mapped_column(String(64), ForeignKey("tasks.id"))
    deadline_id: Mapped[str] = mapped_column(String(24))
    unit: Mapped[str] = mapped_column(String(24), ForeignKey("units.id"))
    period: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(8))
    lead_units: Mapped[str] = mapped_column(Text, default="")
    due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # 0012: an assumed date or owner (source: assumed) is a draft until the office confirms it: no reminder,
    # no escalation, in no overdue figure (bot.services.assumptions.live_occurrences)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    due_set: Mapped[date | None] = mapped_column(Date, nullable=True)  # a date the office set; syncs keep it
    assignee_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # staff member the head handed it to

    __table_args__ = (Index("ix_occurrences_unit_due", "unit", "due"),
                      Index("ix_occurrences_task_id", "task_id"),
                      Index("ix_occurrences_task_due", "task_id", "due"),  # 0011: a criterion's tasks in a period
                      Index("ix_occurrences_status_due", "status", "due", "retired_at"),  # lists by state
                      # reports (/tiendo, digests) by period: the year's rows read from the index alone
                      Index("ix_occurrences_due_report", "due", "status", "retired_at", "unit", "task_id"))


class ReminderRow(Base):
    """A planned rung of the ladder for one occurrence (or a notice). State: pending, queued, skipped, cancelled."""

    __tablename__ = "reminders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("occurrences.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16))
    rung: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(Text)  # comma-separated unit ids and/or role ids
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)  # free text for notices
    buttons: Mapped[list[list[list[str]]] | None] = mapped_column(JSON, nullable=True)  # [[[text, data]]]
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # a notice rendered when sent

    __table_args__ = (Index("ix_reminders_state_due", "state", "due_at"),
                      Index("ix_reminders_occurrence_id", "occurrence_id"))


class MemberRow(Base):
    """A person (or group chat) the bot talks to. Role: admin, head, leader."""

    __tablename__ = "members"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(12))
    unit: Mapped[str | None] = mapped_column(String(24), nullable=True)
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    lang: Mapped[str] = mapped_column(String(2), default="vi")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    link_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # bump: revoke web links
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)  # fallback when the chat channel fails
    # "email": the office chose e-mail (members.email) for this person's reminders; None: `chat_id`. The chat
    # stays recorded, so turning e-mail off in the configuration, or choosing a chat again, loses nothing.
    receive_by: Mapped[str | None] = mapped_column(String(8), nullable=True)

    # One ACTIVE member per (chat, role, unit): a removed one stays for history, and whoever joins from that
    # chat later is a new row (never the old one's links, name or history).
    __table_args__ = (Index("uq_member_chat_role_unit", "chat_id", "role", "unit", unique=True,
                            sqlite_where=text("active"), postgresql_where=text("active")),
                      Index("ix_members_user_id", "user_id"))


class DeliveryRow(Base):
    """The outbox: one reminder to one chat. State: pending, claimed, sending, sent, uncertain, failed, skipped."""

    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id"))
    chat_id: Mapped[int] = mapped_column(BigInteger)  # 0 for e-mail
    address: Mapped[str] = mapped_column(String(254), default="")  # e-mail address; "" for Telegram
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Real (wall-clock) time, never the rehearsal clock: while claimed/sending, when the lease expires; while
    # pending after a failure, when the back-off ends. NULL: no hold.
    hold_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        UniqueConstraint("reminder_id", "chat_id", "address", name="uq_delivery_reminder_chat"),
        Index("ix_deliveries_state_next", "state", "next_at"),
        # a card's previous card (bot/engine/history.py): e-mail deliveries all have chat_id 0, told apart by address
        Index("ix_deliveries_chat_address_sent", "chat_id", "address", "sent_at"),
    )


class AuditRow(Base):
    """Append-only log of every state change."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    update_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (Index("ix_audit_log_subject_id", "subject", "id"),)  # a task card's history


class InviteRow(Base):
    """A one-time deep-link code: whoever opens it becomes `role` (of `unit`)."""

    __tablename__ = "invites"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(12))
    unit: Mapped[str | None] = mapped_column(String(24), nullable=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class EvidenceRow(Base):
    """One item of evidence (document, photo, text, link) for an occurrence."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(12))
    file_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    file_unique_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    file_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    stored_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # 0003: what the province's scoring software asks of a document (all optional)
    doc_number: Mapped[str | None] = mapped_column(String(64), nullable=True)  # số/ký hiệu, 123/KH-SGDĐT
    doc_date: Mapped[date | None] = mapped_column(Date, nullable=True)  # ngày ban hành
    doc_summary: Mapped[str | None] = mapped_column(Text, nullable=True)  # trích yếu
    doc_issuer: Mapped[str | None] = mapped_column(Text, nullable=True)  # cơ quan ban hành


class ReviewRow(Base):
    """A completion submitted for the office's review, and its decision."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id"), index=True)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decision: Mapped[str | None] = mapped_column(String(12), nullable=True)  # accepted, returned
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class BlockerRow(Base):
    """A difficulty reported by a head; reaches leadership through the office (seed, section III)."""

    __tablename__ = "blockers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    forwarded_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="open", server_default="open")  # forwarded, resolved
    resolved_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class BlockerReplyRow(Base):
    """A direction from leadership or the office answering a blocker (migration 0005)."""

    __tablename__ = "blocker_replies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    blocker_id: Mapped[int] = mapped_column(ForeignKey("blockers.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChatStateRow(Base):
    """What the bot waits for from a chat (evidence, blocker text, return reason): survives restarts."""

    __tablename__ = "chat_states"
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChatAddressRow(Base):
    """A chat on a channel other than the person's own Telegram chat: a Zalo chat, or a linked second channel.

    `key` is the integer the rest of the bot uses as chat and user id (a Telegram chat id, or a number in
    the Zalo range, see bot.db.addresses); `user_id` is the identity it belongs to (members.user_id), set
    when the chat joined or was linked; `menu` keeps the numbered replies of the last message (Zalo).
    """

    __tablename__ = "chat_addresses"
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    channel: Mapped[str] = mapped_column(String(12))  # zalo | telegram
    address: Mapped[str] = mapped_column(String(128))  # the channel's own chat id
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    name: Mapped[str] = mapped_column(Text, default="")
    menu: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("channel", "address", name="uq_chat_address"),)


class SendBudgetRow(Base):
    """Telegram's per-bot budget shared by every process (PostgreSQL): the next free send slot, epoch seconds."""

    __tablename__ = "send_budget"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    next_slot: Mapped[float] = mapped_column(Float, default=0.0)


class ProcessedUpdateRow(Base):
    """Telegram may deliver an update twice (polling confirms late; webhooks retry)."""

    __tablename__ = "processed_updates"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class MetricRow(Base):
    """A measurable target of a task (synced from the plan)."""

    __tablename__ = "metrics"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(64), ForeignKey("tasks.id"))
    metric_id: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(8))  # percent, count
    target: Mapped[float] = mapped_column(Float)
    comparison: Mapped[str] = mapped_column(String(2))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("task_id", "metric_id", name="uq_metric_task_metric"),)


class MetricValueRow(Base):
    """A reported figure for a metric by a unit; the history is kept, the latest counts."""

    __tablename__ = "metric_values"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id"), index=True)
    unit: Mapped[str] = mapped_column(String(24))
    value: Mapped[float] = mapped_column(Float)
    reported_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # 0003: a ratio entered as counts ("12/40"); value is then 100 * numerator / denominator
    numerator: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    denominator: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class CriteriaSetRow(Base):
    """The province's index for one assessment year (0011): name, source decision, total, last year's result."""

    __tablename__ = "criteria_sets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    total_points: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_points: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_of: Mapped[int | None] = mapped_column(Integer, nullable=True)
    period_start: Mapped[date] = mapped_column(Date)  # the assessment period: documents issued inside it count
    period_end: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CriterionRow(Base):
    """A row of the province's PAR index: linh vuc, tieu chi or tieu chi thanh phan of one criteria set."""

    __tablename__ = "criteria"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    max_points: Mapped[float] = mapped_column(Float)
    position: Mapped[int] = mapped_column(Integer)  # order in the file: the order of the scoring table
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    # 0011: the tree. NULL set_id never happens after 0011 (rows before it were moved into a set of their year).
    set_id: Mapped[int | None] = mapped_column(ForeignKey("criteria_sets.id"), nullable=True, index=True)
    level: Mapped[str] = mapped_column(String(24), default="tieu_chi", server_default="tieu_chi")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("criteria.id"), nullable=True)
    method: Mapped[str | None] = mapped_column(Text, nullable=True)  # phương pháp đánh giá
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)  # tài liệu kiểm chứng asked for
    survey: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # scored by ĐTXHH
    guessed: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)  # fields the importer guessed

    __table_args__ = (UniqueConstraint("set_id", "code", name="uq_criteria_set_code"),)


class CriterionTaskRow(Base):
    """Which tasks' evidence supports a criterion (several tasks per criterion, several criteria per task)."""

    __tablename__ = "criterion_tasks"
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class CriterionUnitRow(Base):
    """A unit that owes a criterion's evidence (0011)."""

    __tablename__ = "criterion_units"
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(24), primary_key=True)


class OfficeDocumentRow(Base):
    """A document the office attached itself (not through a unit's task), with what the scoring software asks."""

    __tablename__ = "office_documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    stored_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    doc_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    doc_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    doc_summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    doc_issuer: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CriterionDocumentRow(Base):
    """Document ↔ criterion with muc/trang: a unit's evidence or an office document, never uploaded twice.

    A unit's document reaches its criteria through the criterion's tasks without a row here; a row adds one
    to another criterion, records where the proof is (`section`), or leaves it out (`excluded`).
    """

    __tablename__ = "criterion_documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), index=True)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"), nullable=True, index=True)
    office_document_id: Mapped[int | None] = mapped_column(ForeignKey("office_documents.id"), nullable=True)
    section: Mapped[str | None] = mapped_column(Text, nullable=True)  # mục/trang
    excluded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    linked_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("criterion_id", "evidence_id", name="uq_criterion_doc_evidence"),
                      UniqueConstraint("criterion_id", "office_document_id", name="uq_criterion_doc_office"))


class CouncilItemRow(Base):
    """A question or point deduction of the council (Hoi dong tham dinh) on a criterion; its short task."""

    __tablename__ = "council_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # question | deduction
    text: Mapped[str] = mapped_column(Text)
    points: Mapped[float | None] = mapped_column(Float, nullable=True)  # the deduction, when one
    unit: Mapped[str | None] = mapped_column(String(24), nullable=True)
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("occurrences.id"), nullable=True)
    created_by: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SelfScoreRow(Base):
    """The office's self-score and explanation (giai trinh) of a criterion; the history is kept, the latest counts."""

    __tablename__ = "self_scores"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("members.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ConsoleLoginRow(Base):
    """A one-time sign-in link to the web console (migration 0013); only the token's SHA-256 is kept."""

    __tablename__ = "console_logins"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    made_by: Mapped[str] = mapped_column(String(64), default="", server_default="")


class ConsoleSessionRow(Base):
    """A signed-in console session (migration 0013): ends on sign-out, expiry or the office's revocation."""

    __tablename__ = "console_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
class ExtensionRow(Base):
    """A request for more time (an extension) with a reason; the office grants or refuses it (0012)."""

    __tablename__ = "extensions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    reason: Mapped[str] = mapped_column(Text)
    old_due: Mapped[date] = mapped_column(Date)
    wanted_due: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decision: Mapped[str | None] = mapped_column(String(12), nullable=True)  # granted, refused
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)


class ActingHeadRow(Base):
    """Who stands in for a unit's head from `starts` to `ends` (inclusive): reminders and rights follow (0012)."""

    __tablename__ = "acting_heads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit: Mapped[str] = mapped_column(String(24), ForeignKey("units.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
