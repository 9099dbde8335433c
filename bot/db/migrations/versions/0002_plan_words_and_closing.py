"""plan words on tasks, plan id, closed occurrences

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 20:30:00

- tasks.detail, tasks.evidence (JSON list), tasks.evidence_source: the plan's words, kept at sync so
  the task card can show them (filled by the next sync; existing rows get NULL / []).
- tasks.plan_id, tasks.plan_title: which plan a task comes from (several plans in one database). Existing rows take
  the plan id of the last `plan_sync` in the audit log, the only plan they can have come from.
- occurrences.closed_at, occurrences.closed_reason: the office closed what predates the deployment
  (status `closed`; the reason is also in the audit log).
- On PostgreSQL, task ids widen to 64 characters: with several plans they carry the plan id as a
  prefix. SQLite does not enforce VARCHAR lengths, so its tables are not rebuilt.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_TASK_ID_COLUMNS = (("tasks", "id"), ("occurrences", "task_id"), ("metrics", "task_id"))


def upgrade() -> None:
    op.add_column('tasks', sa.Column('detail', sa.Text(), nullable=True))
    op.add_column('tasks', sa.Column('evidence', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    op.add_column('tasks', sa.Column('evidence_source', sa.String(length=8), nullable=True))
    op.add_column('tasks', sa.Column('plan_id', sa.String(length=24), nullable=True))
    op.add_column('tasks', sa.Column('plan_title', sa.Text(), nullable=True))
    op.create_index('ix_tasks_plan_id', 'tasks', ['plan_id'])
    op.add_column('occurrences', sa.Column('closed_at', bot.db.types.UTCDateTime(), nullable=True))
    op.add_column('occurrences', sa.Column('closed_reason', sa.Text(), nullable=True))
    bind = op.get_bind()
    last = bind.execute(sa.text("SELECT subject FROM audit_log WHERE action = 'plan_sync' "
                                "ORDER BY id DESC LIMIT 1")).scalar()
    if last:
        bind.execute(sa.text("UPDATE tasks SET plan_id = :plan WHERE plan_id IS NULL"), {"plan": last})
    if bind.dialect.name == "postgresql":
        for table, column in _TASK_ID_COLUMNS:
            op.alter_column(table, column, type_=sa.String(length=64), existing_type=sa.String(length=24))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, column in _TASK_ID_COLUMNS:
            op.alter_column(table, column, type_=sa.String(length=24), existing_type=sa.String(length=64))
    with op.batch_alter_table('occurrences') as batch:
        batch.drop_column('closed_reason')
        batch.drop_column('closed_at')
    op.drop_index('ix_tasks_plan_id', table_name='tasks')
    with op.batch_alter_table('tasks') as batch:
        batch.drop_column('plan_title')
        batch.drop_column('plan_id')
        batch.drop_column('evidence_source')
        batch.drop_column('evidence')
        batch.drop_column('detail')
