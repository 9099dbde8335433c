"""card history index and notice facts

Revision ID: 0006
Revises: 0003

Cards say what changed since the last card of a deadline, read from delivery history per chat: an index on
deliveries (chat_id, sent_at). Notices may carry facts (kind + parameters, JSON) rendered when sent, in the
reader's language; `body` stays as the pre-rendered text of older notices. Existing rows are kept as they are.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts', sa.JSON(), nullable=True))
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_chat_sent', ['chat_id', 'sent_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_chat_sent')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_column('facts')
