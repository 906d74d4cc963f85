"""Import batches are published as they go: staging becomes a per-batch temp table, and a job
keeps only the content hash of each row it has read, to number identical rows (fingerprints).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from labs_common.db.migrations import enable_tenant_rls

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("import_rows")
    # Unlogged: a job that a crash interrupts starts over and rebuilds them.
    op.execute("""
        CREATE UNLOGGED TABLE import_hashes (
            job_id uuid NOT NULL,
            org_id uuid NOT NULL,
            row_no bigint NOT NULL,
            content_hash text NOT NULL
        )
    """)
    op.create_index("import_hashes_by_content", "import_hashes",
                    ["job_id", "content_hash", "row_no"])
    enable_tenant_rls("import_hashes")


def downgrade() -> None:
    op.drop_table("import_hashes")
    op.execute("""
        CREATE UNLOGGED TABLE import_rows (
            job_id uuid NOT NULL, org_id uuid NOT NULL, row_no bigint NOT NULL,
            content_hash text NOT NULL, project_id uuid NOT NULL, user_id uuid NOT NULL,
            resource_id uuid, date_worked date NOT NULL, hours numeric(6, 2) NOT NULL,
            rounded_hours numeric(6, 2) NOT NULL, started_at timestamptz, ended_at timestamptz,
            billable boolean NOT NULL, billable_rate numeric(14, 2), cost_rate numeric(14, 2),
            currency text, rate_source text NOT NULL, notes text NOT NULL, source text NOT NULL
        )
    """)
    op.create_index("import_rows_by_job", "import_rows", ["job_id", "row_no"])
    enable_tenant_rls("import_rows")
