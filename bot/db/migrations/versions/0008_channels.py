"""chat_addresses (Zalo chats, linked channels, reply menus) and members.email (fallback)

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_addresses",
        sa.Column("key", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("channel", sa.String(12), nullable=False),
        sa.Column("address", sa.String(128), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False, server_default=""),
        sa.Column("menu", sa.JSON(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("channel", "address", name="uq_chat_address"),
    )
    op.create_index("ix_chat_addresses_user_id", "chat_addresses", ["user_id"])
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("email")
    op.drop_index("ix_chat_addresses_user_id", "chat_addresses")
    op.drop_table("chat_addresses")
