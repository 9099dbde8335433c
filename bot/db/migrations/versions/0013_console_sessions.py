"""console_logins and console_sessions: one-time sign-in links and the web console's sessions (server-side)

Revision ID: 0013
Revises: 0011
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_logins",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False),
        sa.Column("created_at", bot.db.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", bot.db.types.UTCDateTime(), nullable=False),
        sa.Column("used_at", bot.db.types.UTCDateTime(), nullable=True),
        sa.Column("made_by", sa.String(64), nullable=False, server_default=""),
    )
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False, index=True),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", bot.db.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", bot.db.types.UTCDateTime(), nullable=False),
        sa.Column("ended_at", bot.db.types.UTCDateTime(), nullable=True),
        sa.Column("ended_by", sa.String(64), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("console_sessions")
    op.drop_table("console_logins")
