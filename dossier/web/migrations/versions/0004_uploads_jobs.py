"""Uploaded files (attachments and signed scans, content-addressed) and background jobs.

Revision ID: 0004_uploads_jobs
Revises: 0003_beheer
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_uploads_jobs"
down_revision = "0003_beheer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "upload",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("rol", sa.String(20), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("bestand", sa.String(200), nullable=False),
        sa.Column("naam", sa.String(200), nullable=False),
        sa.Column("grootte", sa.Integer, nullable=False),
        sa.Column("titel", sa.String(400), nullable=False),
        sa.Column("soort", sa.String(100), nullable=False),
        sa.Column("nummer", sa.Integer, nullable=True),
        sa.Column("versie", sa.Integer, nullable=False),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("opgeslagen_op", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_upload_case", "upload", ["case_id"])
    op.create_table(
        "job",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("soort", sa.String(20), nullable=False),
        sa.Column("parameters", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("voortgang", sa.Float, nullable=False),
        sa.Column("melding", sa.Text, nullable=False),
        sa.Column("resultaat", sa.String(400), nullable=True),
        sa.Column("door", sa.String(200), nullable=False),
        sa.Column("aangemaakt_op", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gestart_op", sa.DateTime(timezone=True), nullable=True),
        sa.Column("klaar_op", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_job_case", "job", ["case_id", "soort", "status"])
    op.create_index("ix_job_status", "job", ["status"])


def downgrade() -> None:
    op.drop_table("job")
    op.drop_table("upload")
