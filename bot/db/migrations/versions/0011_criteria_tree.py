"""Criteria as a tree: criteria sets (one per year), levels and parents, units owing evidence, office documents,
document ↔ criterion links with muc/trang, the council's questions and deductions

Revision ID: 0011
Revises: 0009

Existing criteria, their task links and self-scores stay where they are: the criteria rows are moved into a
set of their year (the year they were loaded), as top-level rows of the tree.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

from bot.db.types import UTCDateTime
from bot.i18n import gettext_in

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
_CHILDREN = ("criterion_tasks", "self_scores")


def _year_of_existing(conn: sa.Connection) -> int | None:
    """The assessment year of criteria loaded before 0011: when they were loaded, else first scored."""
    if not conn.execute(sa.text("SELECT COUNT(*) FROM criteria")).scalar():
        return None
    for query in ("SELECT MIN(at) FROM audit_log WHERE action = 'criteria_loaded'",
                  "SELECT MIN(recorded_at) FROM self_scores", "SELECT MIN(due) FROM occurrences"):
        found = conn.execute(sa.text(query)).scalar()
        if found is not None:
            return int(str(found)[:4])
    return 2019  # criteria with no trace of when: the bundled plan's first year


def _park_children() -> None:
    """SQLite rebuilds `criteria` (to change its unique constraint); with foreign keys on (inside a transaction
    they cannot be turned off) the old table drops only with no rows pointing at it: park them meanwhile."""
    conn = op.get_bind()
    for table in _CHILDREN:
        conn.execute(sa.text(f"CREATE TEMP TABLE _keep_{table} AS SELECT * FROM {table}"))
        conn.execute(sa.text(f"DELETE FROM {table}"))


def _restore_children() -> None:
    conn = op.get_bind()
    for table in _CHILDREN:
        conn.execute(sa.text(f"INSERT INTO {table} SELECT * FROM _keep_{table}"))
        conn.execute(sa.text(f"DROP TABLE _keep_{table}"))


def upgrade() -> None:
    conn = op.get_bind()
    op.create_table(
        "criteria_sets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("year", sa.Integer(), nullable=False, unique=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("total_points", sa.Float(), nullable=True),
        sa.Column("last_points", sa.Float(), nullable=True),
        sa.Column("last_rank", sa.Integer(), nullable=True),
        sa.Column("last_of", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        _park_children()
        batch = op.batch_alter_table("criteria", naming_convention=_SQLITE_NAMES)
    else:
        batch = op.batch_alter_table("criteria")
    with batch as b:
        b.drop_constraint("uq_criteria_code" if conn.dialect.name == "sqlite" else "criteria_code_key",
                          type_="unique")
        b.add_column(sa.Column("set_id", sa.Integer(), nullable=True))
        b.add_column(sa.Column("level", sa.String(24), nullable=False, server_default="tieu_chi"))
        b.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        b.add_column(sa.Column("method", sa.Text(), nullable=True))
        b.add_column(sa.Column("evidence", sa.Text(), nullable=True))
        b.add_column(sa.Column("survey", sa.Boolean(), nullable=False, server_default=sa.false()))
        b.add_column(sa.Column("guessed", sa.JSON(), nullable=True))
        b.create_foreign_key("fk_criteria_set_id", "criteria_sets", ["set_id"], ["id"])
        b.create_foreign_key("fk_criteria_parent_id", "criteria", ["parent_id"], ["id"])
        b.create_unique_constraint("uq_criteria_set_code", ["set_id", "code"])
        b.create_index("ix_criteria_set_id", ["set_id"])
    if sqlite:
        _restore_children()
    with op.batch_alter_table("criterion_tasks") as b:
        b.alter_column("task_id", type_=sa.String(64), existing_type=sa.String(24), existing_nullable=False)
    op.create_table(
        "criterion_units",
        sa.Column("criterion_id", sa.Integer(), sa.ForeignKey("criteria.id"), primary_key=True),
        sa.Column("unit", sa.String(24), primary_key=True),
    )
    op.create_table(
        "office_documents",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("file_name", sa.Text(), nullable=True),
        sa.Column("stored_path", sa.Text(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("doc_number", sa.String(64), nullable=True),
        sa.Column("doc_date", sa.Date(), nullable=True),
        sa.Column("doc_summary", sa.Text(), nullable=True),
        sa.Column("doc_issuer", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "criterion_documents",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("criterion_id", sa.Integer(), sa.ForeignKey("criteria.id"), nullable=False),
        sa.Column("evidence_id", sa.Integer(), sa.ForeignKey("evidence.id"), nullable=True),
        sa.Column("office_document_id", sa.Integer(), sa.ForeignKey("office_documents.id"), nullable=True),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("excluded", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("linked_by", sa.Integer(), nullable=True),
        sa.Column("linked_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("criterion_id", "evidence_id", name="uq_criterion_doc_evidence"),
        sa.UniqueConstraint("criterion_id", "office_document_id", name="uq_criterion_doc_office"),
    )
    op.create_index("ix_criterion_documents_criterion_id", "criterion_documents", ["criterion_id"])
    op.create_index("ix_criterion_documents_evidence_id", "criterion_documents", ["evidence_id"])
    op.create_table(
        "council_items",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("criterion_id", sa.Integer(), sa.ForeignKey("criteria.id"), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(24), nullable=True),
        sa.Column("occurrence_id", sa.Integer(), sa.ForeignKey("occurrences.id"), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_council_items_criterion_id", "council_items", ["criterion_id"])
    op.create_index("ix_occurrences_task_due", "occurrences", ["task_id", "due"])
    year = _year_of_existing(conn)
    if year is not None:
        sets = sa.table("criteria_sets", sa.column("id", sa.Integer()), sa.column("year", sa.Integer()),
                        sa.column("name", sa.Text()), sa.column("period_start", sa.Date()),
                        sa.column("period_end", sa.Date()), sa.column("created_at", UTCDateTime()))
        conn.execute(sets.insert().values(year=year, name=gettext_in("vi", "PAR index {year}").format(year=year),
                                          period_start=date(year, 1, 1), period_end=date(year, 12, 31),
                                          created_at=datetime(year, 1, 1, tzinfo=timezone.utc)))
        set_id = conn.execute(sa.text("SELECT id FROM criteria_sets WHERE year = :y"), {"y": year}).scalar()
        conn.execute(sa.text("UPDATE criteria SET set_id = :s"), {"s": set_id})


def downgrade() -> None:
    op.drop_index("ix_occurrences_task_due", "occurrences")
    op.drop_index("ix_council_items_criterion_id", "council_items")
    op.drop_table("council_items")
    op.drop_index("ix_criterion_documents_evidence_id", "criterion_documents")
    op.drop_index("ix_criterion_documents_criterion_id", "criterion_documents")
    op.drop_table("criterion_documents")
    op.drop_table("office_documents")
    op.drop_table("criterion_units")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _park_children()
    with op.batch_alter_table("criteria") as b:
        b.drop_index("ix_criteria_set_id")
        b.drop_constraint("uq_criteria_set_code", type_="unique")
        b.drop_constraint("fk_criteria_parent_id", type_="foreignkey")
        b.drop_constraint("fk_criteria_set_id", type_="foreignkey")
        for column in ("guessed", "survey", "evidence", "method", "parent_id", "level", "set_id"):
            b.drop_column(column)
        b.create_unique_constraint("criteria_code_key", ["code"])
    if sqlite:
        _restore_children()
    op.drop_table("criteria_sets")
