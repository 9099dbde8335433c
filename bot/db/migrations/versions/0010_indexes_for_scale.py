"""Indexes the 500-unit plan needs: audit by subject, reminders and occurrences by parent, members by user,
e-mail card history by address; tasks.others_cooperate (own work first); one ACTIVE member per
(chat, role, unit) instead of one ever (a removed member's row is never handed to whoever joins next)

Revision ID: 0010
Revises: 0009
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _rebuild_members_sqlite(pattern: str, replacement: str) -> None:
    """SQLite cannot drop a table constraint: rebuild `members` in place, keeping every row and id.

    Not alembic's batch mode: it renames a copy over the old table, which leaves the foreign keys of the rows
    pointing at members counted as broken (PRAGMA foreign_keys is on and cannot be switched off inside the
    migration's transaction). Dropping, recreating and refilling the table under deferred checks balances them.
    """
    bind = op.get_bind()
    create = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'members'").scalar_one()
    indexes = [row[0] for row in bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'members' AND sql IS NOT NULL")]
    changed = re.sub(pattern, replacement, create, count=1)
    assert changed != create, "members: unexpected table definition"
    bind.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    bind.exec_driver_sql("CREATE TABLE _members_0010 AS SELECT * FROM members")
    bind.exec_driver_sql("DROP TABLE members")
    bind.exec_driver_sql(changed)
    bind.exec_driver_sql("INSERT INTO members SELECT * FROM _members_0010")
    bind.exec_driver_sql("DROP TABLE _members_0010")
    for sql in indexes:
        bind.exec_driver_sql(sql)


def upgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("others_cooperate", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("sync_hash", sa.String(64), nullable=True))
    with op.batch_alter_table("audit_log") as batch:
        batch.create_index("ix_audit_log_subject_id", ["subject", "id"], unique=False)
    with op.batch_alter_table("reminders") as batch:
        batch.create_index("ix_reminders_occurrence_id", ["occurrence_id"], unique=False)
    with op.batch_alter_table("occurrences") as batch:
        batch.create_index("ix_occurrences_task_id", ["task_id"], unique=False)
        batch.create_index("ix_occurrences_status_due", ["status", "due", "retired_at"], unique=False)
        batch.create_index("ix_occurrences_due_report", ["due", "status", "retired_at", "unit", "task_id"],
                           unique=False)
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_members_sqlite(r",\s*CONSTRAINT uq_member_chat_role_unit UNIQUE \([^)]*\)", "")
    else:
        op.drop_constraint("uq_member_chat_role_unit", "members", type_="unique")
    op.create_index("ix_members_user_id", "members", ["user_id"], unique=False)
    op.create_index("uq_member_chat_role_unit", "members", ["chat_id", "role", "unit"], unique=True,
                    sqlite_where=sa.text("active"), postgresql_where=sa.text("active"))
    with op.batch_alter_table("deliveries") as batch:
        batch.create_index("ix_deliveries_chat_address_sent", ["chat_id", "address", "sent_at"], unique=False)
        batch.drop_index("ix_deliveries_chat_sent")


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.create_index("ix_deliveries_chat_sent", ["chat_id", "sent_at"], unique=False)
        batch.drop_index("ix_deliveries_chat_address_sent")
    op.drop_index("uq_member_chat_role_unit", "members")
    op.drop_index("ix_members_user_id", "members")
    # fails if a chat has several rows for one role and unit (a removed member and its successor): merge first
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_members_sqlite(r"\)\s*$", ", CONSTRAINT uq_member_chat_role_unit UNIQUE (chat_id, role, unit))")
    else:
        op.create_unique_constraint("uq_member_chat_role_unit", "members", ["chat_id", "role", "unit"])
    with op.batch_alter_table("occurrences") as batch:
        batch.drop_index("ix_occurrences_due_report")
        batch.drop_index("ix_occurrences_status_due")
        batch.drop_index("ix_occurrences_task_id")
    with op.batch_alter_table("reminders") as batch:
        batch.drop_index("ix_reminders_occurrence_id")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index("ix_audit_log_subject_id")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("sync_hash")
        batch.drop_column("others_cooperate")
