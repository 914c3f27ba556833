"""Audit rows and stored settings (import/export, AVG, agenda feed, template sets).

Revision ID: 0003_beheer
Revises: 0002_werkvoorraad_werkgevers
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_beheer"
down_revision = "0002_werkvoorraad_werkgevers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("op", sa.DateTime(timezone=True), nullable=False),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("actie", sa.String(60), nullable=False),
        # NULL for rows about no case, and for the row left by an erasure (it holds no personal data).
        sa.Column("dossiernummer", sa.String(200), nullable=True),
        sa.Column("omschrijving", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_audit_dossiernummer", "audit", ["dossiernummer"])
    op.create_table(
        "instelling",
        sa.Column("sleutel", sa.String(100), primary_key=True),
        sa.Column("waarde", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("instelling")
    op.drop_table("audit")
