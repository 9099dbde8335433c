"""units.name_set and units.office_added: a name the office gave in the console (kept by a plan's sync) and a
unit the office added there (not retired by a sync because no plan names it)

Revision ID: 0014
Revises: 0013
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("units", sa.Column("name_set", sa.Text(), nullable=True))
    op.add_column("units", sa.Column("office_added", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("units") as batch:
        batch.drop_column("office_added")
        batch.drop_column("name_set")
