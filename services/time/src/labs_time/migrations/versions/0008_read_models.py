"""Read models of what time used to ask on every write: the org's timezone, currency and
settings (identity), each project's state, rate override and currency (projects), each
resource's link to a user and its rate history (capacity), kept from their events under tenant
row-level security, each row as of its event (`as_of`).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from labs_common.db.migrations import enable_tenant_rls

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

RATE = sa.Numeric(12, 2)
TABLES = ("known_resource_rates", "known_resources", "known_projects", "known_organizations")


def _as_of() -> sa.Column:
    return sa.Column("as_of", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "known_organizations",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("settings", postgresql.JSONB(), nullable=False),
        _as_of(),
    )
    enable_tenant_rls("known_organizations", "id")
    op.create_table(
        "known_projects",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("billing_rate_override", RATE, nullable=True),
        sa.Column("currency", sa.Text(), nullable=False),
        _as_of(),
    )
    enable_tenant_rls("known_projects")
    op.create_table(
        "known_resources",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=True),
        sa.Column("is_placeholder", sa.Boolean(), nullable=False),
        sa.Column("rates_complete", sa.Boolean(), nullable=False),
        _as_of(),
    )
    # A member's rates: their resource is found by user id.
    op.create_index("known_resources_by_user", "known_resources", ["org_id", "user_id"],
                    postgresql_where=sa.text("user_id IS NOT NULL"))
    enable_tenant_rls("known_resources")
    op.create_table(
        "known_resource_rates",
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("resource_id", sa.UUID(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("billing_rate", RATE, nullable=True),
        sa.Column("cost_rate", RATE, nullable=True),
        sa.Column("currency", sa.Text(), nullable=False),
        _as_of(),
        sa.PrimaryKeyConstraint("resource_id", "effective_from"),
    )
    enable_tenant_rls("known_resource_rates")


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
