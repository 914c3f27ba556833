"""Cases and their append-only versions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dossiernummer", sa.String(200), nullable=False, unique=True),
        sa.Column("versie", sa.Integer, nullable=False),
        sa.Column("current_version_id", sa.Integer, nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        # Precomputed on save (and refreshed once a day) so the werkvoorraad runs no timelines.
        sa.Column("werknemer", sa.String(400), nullable=False),
        sa.Column("werkgever", sa.String(400), nullable=False),
        sa.Column("eerste_ziektedag", sa.Date, nullable=False),
        sa.Column("mijlpaal_code", sa.String(100), nullable=True),
        sa.Column("mijlpaal_uiterlijk", sa.Date, nullable=True),
        sa.Column("mijlpaal_omschrijving", sa.String(400), nullable=True),
        sa.Column("niveau", sa.String(40), nullable=True),
        sa.Column("ziekteweek", sa.Integer, nullable=True),
        sa.Column("peildatum", sa.Date, nullable=False),
    )
    op.create_table(
        "case_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("versie", sa.Integer, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("saved_by", sa.String(200), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("case_id", "versie"),
    )
    op.create_index("ix_case_mijlpaal", "case", ["mijlpaal_uiterlijk"])


def downgrade() -> None:
    op.drop_table("case_version")
    op.drop_table("case")
