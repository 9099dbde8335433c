"""PAR evidence: document metadata, ratio counts, criteria and self-scores

Revision ID: 0003
Revises: 0002

Only additions: nullable columns and new tables, so every existing row is carried forward as it is.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('doc_number', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('doc_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('doc_summary', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('doc_issuer', sa.Text(), nullable=True))
    with op.batch_alter_table('metric_values', schema=None) as batch_op:
        batch_op.add_column(sa.Column('numerator', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('denominator', sa.BigInteger(), nullable=True))
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('doc_meta_required', sa.Boolean(), nullable=True))
    op.create_table('criteria',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('max_points', sa.Float(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('criterion_tasks',
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'], ),
    sa.PrimaryKeyConstraint('criterion_id', 'task_id')
    )
    op.create_table('self_scores',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', bot.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['criteria.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['members.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('self_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_scores_criterion_id'), ['criterion_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('self_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_scores_criterion_id'))
    op.drop_table('self_scores')
    op.drop_table('criterion_tasks')
    op.drop_table('criteria')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('doc_meta_required')
    with op.batch_alter_table('metric_values', schema=None) as batch_op:
        batch_op.drop_column('denominator')
        batch_op.drop_column('numerator')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_column('doc_issuer')
        batch_op.drop_column('doc_summary')
        batch_op.drop_column('doc_date')
        batch_op.drop_column('doc_number')
