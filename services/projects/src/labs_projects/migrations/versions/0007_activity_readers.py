"""Who may read each activity: its payload's type, the record readers its contract declares, and
the person it belongs to, so the feed filters by the visibility policy in SQL (pages stay full)
and hides fields by the payload's own descriptor.

Rows recorded before carry no payload type: their readers are derived here from the same
declarations (by source and action), and their fields are hidden by name when read.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# labs.options.v1.RecordReaders, as the protos declared them when this revision was written.
STAFF, OWNER_OR_MANAGER, MANAGER, NOBODY = 1, 2, 3, 4
BACKFILL = f"""
UPDATE activities SET
  readers = CASE
    WHEN source = 'time' AND action = 'entry.imported' THEN {MANAGER}
    WHEN source = 'time' THEN {OWNER_OR_MANAGER}
    WHEN source = 'capacity' THEN {STAFF}
    WHEN source = 'projects' AND action LIKE 'client.%' THEN {STAFF}
    WHEN source = 'identity' AND split_part(action, '.', 1) IN ('organization', 'member')
         AND action <> 'member.logged_in' THEN {STAFF}
    WHEN source = 'identity' AND action LIKE 'invitation.%' THEN {MANAGER}
    WHEN source = 'identity' THEN {NOBODY}
    ELSE 0
  END,
  owner_id = CASE
    WHEN source = 'time' AND metadata->>'user_id' ~* '^[0-9a-f-]{{36}}$'
      THEN (metadata->>'user_id')::uuid
    WHEN source = 'time' THEN user_id
  END
"""


def upgrade() -> None:
    op.add_column("activities", sa.Column("payload_type", sa.Text(), nullable=False,
                                          server_default=""))
    op.add_column("activities", sa.Column("readers", sa.SmallInteger(), nullable=False,
                                          server_default="0"))
    op.add_column("activities", sa.Column("owner_id", sa.UUID(), nullable=True))
    # The one rewrite the feed's entries ever get: every org's rows (system scope), past the
    # trigger that keeps them immutable, inside the migration's transaction.
    op.execute("SET LOCAL labs.scope = 'system'")
    op.execute("ALTER TABLE activities DISABLE TRIGGER activities_immutable")
    op.execute(BACKFILL)
    op.execute("ALTER TABLE activities ENABLE TRIGGER activities_immutable")
    op.create_index("activities_org_readers", "activities",
                    ["org_id", "readers", "owner_id", "created_at"])


def downgrade() -> None:
    op.drop_index("activities_org_readers", table_name="activities")
    for column in ("owner_id", "readers", "payload_type"):
        op.drop_column("activities", column)
