"""blockers get a status, who resolved them, and the replies (directions) of leadership and the office

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('blockers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=12), nullable=False, server_default='open'))
        batch_op.add_column(sa.Column('resolved_by', sa.Integer(), nullable=True))
    # Existing rows carry forward: a blocker with resolved_at is resolved, one forwarded is forwarded.
    op.execute("UPDATE blockers SET status = 'resolved' WHERE resolved_at IS NOT NULL")
    op.execute("UPDATE blockers SET status = 'forwarded' WHERE resolved_at IS NULL AND forwarded_at IS NOT NULL")
    op.create_table('blocker_replies',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('blocker_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', bot.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['blocker_id'], ['blockers.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('blocker_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blocker_replies_blocker_id'), ['blocker_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('blocker_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blocker_replies_blocker_id'))
    op.drop_table('blocker_replies')
    with op.batch_alter_table('blockers', schema=None) as batch_op:
        batch_op.drop_column('resolved_by')
        batch_op.drop_column('status')
