"""Assumptions the office confirms, dates it sets, delegation and extensions

occurrences.confirmed: an occurrence whose date or owner the plan assumes (source: assumed) is a draft
until the office confirms it (existing rows: confirmed unless assumed); occurrences.due_set: a date the
office set (on confirming, or granting more time) that a plan sync keeps; occurrences.assignee_id: the
staff member a head handed the item to; tasks.evidence_confirmed: the office made the evidence list
required; tasks.ref: where the plan's own text says it; extensions: requests for more time;
acting_heads: who stands in for a head, and when.

Revision ID: 0012
Revises: 0009
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): tasks and occurrences are referenced by other tables' foreign keys,
    # which a SQLite batch copy (DROP TABLE) would trip over.
    op.add_column("occurrences", sa.Column("confirmed", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("occurrences", sa.Column("due_set", sa.Date(), nullable=True))
    op.add_column("occurrences", sa.Column("assignee_id", sa.Integer(), nullable=True))
    op.execute("UPDATE occurrences SET confirmed = false WHERE source = 'assumed'")
    op.add_column("tasks", sa.Column("evidence_confirmed", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("tasks", sa.Column("ref", sa.Text(), nullable=True))
    op.execute("UPDATE tasks SET evidence_confirmed = true WHERE evidence_source = 'seed'")
    op.create_table(
        "extensions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("occurrence_id", sa.Integer(), sa.ForeignKey("occurrences.id"), nullable=False, index=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("old_due", sa.Date(), nullable=False),
        sa.Column("wanted_due", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decision", sa.String(12), nullable=True),
        sa.Column("decided_by", sa.Integer(), sa.ForeignKey("members.id"), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
    )
    op.create_table(
        "acting_heads",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(24), sa.ForeignKey("units.id"), nullable=False, index=True),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("acting_heads")
    op.drop_table("extensions")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("ref")
        batch.drop_column("evidence_confirmed")
    with op.batch_alter_table("occurrences") as batch:
        batch.drop_column("assignee_id")
        batch.drop_column("due_set")
        batch.drop_column("confirmed")
