"""Indexes the 500-unit plan needs: audit by subject, reminders and occurrences by parent, members by user,
e-mail card history by address; tasks.others_cooperate (own work first)

Revision ID: 0010
Revises: 0009
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("others_cooperate", sa.Boolean(), nullable=True))
    with op.batch_alter_table("audit_log") as batch:
        batch.create_index("ix_audit_log_subject_id", ["subject", "id"], unique=False)
    with op.batch_alter_table("reminders") as batch:
        batch.create_index("ix_reminders_occurrence_id", ["occurrence_id"], unique=False)
    with op.batch_alter_table("occurrences") as batch:
        batch.create_index("ix_occurrences_task_id", ["task_id"], unique=False)
    with op.batch_alter_table("members") as batch:
        batch.create_index("ix_members_user_id", ["user_id"], unique=False)
    with op.batch_alter_table("deliveries") as batch:
        batch.create_index("ix_deliveries_chat_address_sent", ["chat_id", "address", "sent_at"], unique=False)
        batch.drop_index("ix_deliveries_chat_sent")


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.create_index("ix_deliveries_chat_sent", ["chat_id", "sent_at"], unique=False)
        batch.drop_index("ix_deliveries_chat_address_sent")
    with op.batch_alter_table("members") as batch:
        batch.drop_index("ix_members_user_id")
    with op.batch_alter_table("occurrences") as batch:
        batch.drop_index("ix_occurrences_task_id")
    with op.batch_alter_table("reminders") as batch:
        batch.drop_index("ix_reminders_occurrence_id")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index("ix_audit_log_subject_id")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("others_cooperate")
