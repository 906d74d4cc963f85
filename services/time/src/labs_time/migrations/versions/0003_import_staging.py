"""Import staging: rows of a running import job, COPY'd in batches, then inserted into
time_entries in one INSERT ... SELECT ... ON CONFLICT DO NOTHING; and the job's lease.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from labs_common.db.migrations import enable_tenant_rls

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A worker holds a job while lease_until is ahead; a job whose worker died is taken again.
    op.add_column("import_jobs", sa.Column("lease_until", sa.DateTime(timezone=True)))
    op.add_column("import_jobs", sa.Column("error_count", sa.BigInteger(), server_default="0",
                                           nullable=False))
    op.create_index("import_jobs_waiting", "import_jobs", ["status"],
                    postgresql_where=sa.text("status IN ('queued', 'running')"))
    # Unlogged: staging rows are rebuilt from the stored file if the server crashes.
    op.execute("""
        CREATE UNLOGGED TABLE import_rows (
            job_id uuid NOT NULL,
            org_id uuid NOT NULL,
            row_no bigint NOT NULL,
            content_hash text NOT NULL,
            project_id uuid NOT NULL,
            user_id uuid NOT NULL,
            resource_id uuid,
            date_worked date NOT NULL,
            hours numeric(6, 2) NOT NULL,
            rounded_hours numeric(6, 2) NOT NULL,
            started_at timestamptz,
            ended_at timestamptz,
            billable boolean NOT NULL,
            billable_rate numeric(14, 2),
            cost_rate numeric(14, 2),
            currency text,
            rate_source text NOT NULL,
            notes text NOT NULL,
            source text NOT NULL
        )
    """)
    op.create_index("import_rows_by_job", "import_rows", ["job_id", "row_no"])
    enable_tenant_rls("import_rows")


def downgrade() -> None:
    op.drop_table("import_rows")
    op.drop_index("import_jobs_waiting", table_name="import_jobs")
    op.drop_column("import_jobs", "error_count")
    op.drop_column("import_jobs", "lease_until")
