"""Werkvoorraad filters (casemanager, status) and per-werkgever settings.

Revision ID: 0002_werkvoorraad_werkgevers
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_werkvoorraad_werkgevers"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Precomputed like the other werkvoorraad columns; existing rows are recomputed by the daily refresh
    # (peildatum reset below), so the filters are right from the first start after the upgrade.
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("casemanager", sa.String(400), nullable=True))
        batch.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="open"))
    op.execute("UPDATE \"case\" SET peildatum = '1970-01-01'")
    # The werkgever and casemanager filters and their option lists (SELECT DISTINCT) use these; status is
    # not indexed: nine in ten cases are open, and a scan beats an index that matches most rows (measured).
    op.create_index("ix_case_werkgever", "case", ["werkgever"])
    op.create_index("ix_case_casemanager", "case", ["casemanager"])
    op.create_table(
        "werkgever_instelling",
        sa.Column("werkgever", sa.String(400), primary_key=True),
        sa.Column("sjablonenset", sa.String(200), nullable=True),
        sa.Column("wia_aanvraag_week", sa.Integer, nullable=True),
        sa.Column("gewijzigd_door", sa.String(200), nullable=False),
        sa.Column("gewijzigd_op", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("werkgever_instelling")
    op.drop_index("ix_case_casemanager", "case")
    op.drop_index("ix_case_werkgever", "case")
    with op.batch_alter_table("case") as batch:
        batch.drop_column("status")
        batch.drop_column("casemanager")
