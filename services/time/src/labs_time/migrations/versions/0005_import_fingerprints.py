"""Import fingerprints become 16-byte uuids, and identical rows are numbered in the worker.

- time_entries.fingerprint: text ("<content hash>#<occurrence>") → uuid, the md5 of that same
  text, so an entry imported before this revision still matches the same row imported after it
  (the worker computes md5("<content hash>#<occurrence>")). A uuid compares as 16 bytes where the
  text compared by collation: the unique index behind ON CONFLICT is a third of the size and
  the cheapest of the import's index writes.
- import_hashes is dropped: a job numbers identical rows in memory (domain/occurrences.py)
  instead of writing every row's content hash and counting them back.

Downgrade keeps uniqueness but not re-import matching: the old text form cannot be recovered
from its md5, so a file imported before the downgrade would import again after it.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from labs_common.db.migrations import enable_tenant_rls

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE time_entries ALTER COLUMN fingerprint TYPE uuid "
               "USING md5(fingerprint)::uuid")
    op.drop_table("import_hashes")


def downgrade() -> None:
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
    op.execute("ALTER TABLE time_entries ALTER COLUMN fingerprint TYPE text "
               "USING fingerprint::text")
