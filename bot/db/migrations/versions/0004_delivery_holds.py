"""deliveries.hold_until (leases and back-off in real time) and the shared send budget

Revision ID: 0004
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = '0004'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deliveries') as batch:
        batch.add_column(sa.Column('hold_until', bot.db.types.UTCDateTime(), nullable=True))
    op.create_table('send_budget',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('next_slot', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('send_budget')
    with op.batch_alter_table('deliveries') as batch:
        batch.drop_column('hold_until')
