"""Tables. Times are UTC (UTCDateTime); dates are calendar dates in the plan's zone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (JSON, BigInteger, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
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


class TaskRow(Base):
    __tablename__ = "tasks"
    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    area: Mapped[str] = mapped_column(String(24))
    area_name: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    evidence_required: Mapped[bool] = mapped_column(Boolean, default=False)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OccurrenceRow(Base):
    """Task × unit × due date. Status: open, awaiting_review, done, returned."""

    __tablename__ = "occurrences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    task_id: Mapped[str] = mapped_column(String(24), ForeignKey("tasks.id"))
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

    __table_args__ = (Index("ix_occurrences_unit_due", "unit", "due"),)


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

    __table_args__ = (Index("ix_reminders_state_due", "state", "due_at"),)


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

    __table_args__ = (UniqueConstraint("chat_id", "role", "unit", name="uq_member_chat_role_unit"),)


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

    __table_args__ = (
        UniqueConstraint("reminder_id", "chat_id", "address", name="uq_delivery_reminder_chat"),
        Index("ix_deliveries_state_next", "state", "next_at"),
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


class ChatStateRow(Base):
    """What the bot waits for from a chat (evidence, blocker text, return reason): survives restarts."""

    __tablename__ = "chat_states"
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProcessedUpdateRow(Base):
    """Telegram may deliver an update twice (polling confirms late; webhooks retry)."""

    __tablename__ = "processed_updates"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class MetricRow(Base):
    """A measurable target of a task (synced from the plan)."""

    __tablename__ = "metrics"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(24), ForeignKey("tasks.id"))
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
