"""QuickBooks Online: the outbox of invoices pushed to it, what each company has become for
Labs (the item lines are booked on, customers per client, invoices per Labs invoice), where
its payments have been read up to, the lease of the one worker refreshing its token, and the
payment lines read from it on their way to billing.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from labs_common.db.migrations import enable_tenant_rls

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TENANT_TABLES = ("quickbooks_pushes", "quickbooks_companies", "quickbooks_customers",
                 "quickbooks_invoices", "quickbooks_payments")


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _now(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False,
                     server_default=sa.text("now()"))


def upgrade() -> None:
    op.create_table(
        "quickbooks_pushes",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("invoice_id", sa.UUID(), nullable=False),
        # invoice (create it in QuickBooks) or void.
        sa.Column("kind", sa.Text(), nullable=False),
        # The invoice as billing's event carried it: a retry sends what was issued.
        sa.Column("invoice", postgresql.JSONB(), nullable=False),
        # pending, done, failed (given up, its error kept; a manual sync makes it pending).
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        _now("next_attempt_at"),
        _when("give_up_at", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("quickbooks_id", sa.Text(), nullable=True),
        _now("created_at"),
        _when("finished_at"),
        sa.CheckConstraint("kind IN ('invoice', 'void')", name="quickbooks_pushes_kind"),
        sa.CheckConstraint("status IN ('pending', 'done', 'failed')",
                           name="quickbooks_pushes_status"),
        # An event heard twice queues nothing more.
        sa.UniqueConstraint("org_id", "invoice_id", "kind", name="quickbooks_pushes_once"),
    )
    op.create_index("quickbooks_pushes_due", "quickbooks_pushes", ["next_attempt_at"],
                    postgresql_where=sa.text("status = 'pending'"))

    op.create_table(
        "quickbooks_companies",
        sa.Column("org_id", sa.UUID(), primary_key=True),
        sa.Column("realm_id", sa.Text(), primary_key=True),
        # The item invoice lines are booked on (found by name, or created).
        sa.Column("item_id", sa.Text(), nullable=True),
        # Payments changed since this have not all been read yet.
        _when("payments_since"),
        # Who refreshes the company's access token now, until when (a lease, not a lock held
        # across the call to Intuit: a worker that dies lets the next one refresh after it).
        sa.Column("refresh_holder", sa.UUID(), nullable=True),
        _when("refresh_until"),
    )

    op.create_table(
        "quickbooks_customers",
        sa.Column("org_id", sa.UUID(), primary_key=True),
        sa.Column("realm_id", sa.Text(), primary_key=True),
        # The Labs client's id (or, for an invoice without one, "name:" and its name).
        sa.Column("client_key", sa.Text(), primary_key=True),
        sa.Column("customer_id", sa.Text(), nullable=False),
    )

    op.create_table(
        "quickbooks_invoices",
        sa.Column("org_id", sa.UUID(), primary_key=True),
        sa.Column("realm_id", sa.Text(), primary_key=True),
        sa.Column("invoice_id", sa.UUID(), primary_key=True),
        sa.Column("quickbooks_id", sa.Text(), nullable=False),
        sa.Column("doc_number", sa.Text(), nullable=False),
        _now("linked_at"),
        # A payment's LinkedTxn finds the Labs invoice by it.
        sa.UniqueConstraint("org_id", "realm_id", "quickbooks_id",
                            name="quickbooks_invoices_once"),
    )

    op.create_table(
        "quickbooks_payments",
        sa.Column("org_id", sa.UUID(), primary_key=True),
        # "quickbooks:<realm>:<payment>:<invoice>", the Labs payment's external id in billing.
        sa.Column("external_id", sa.Text(), primary_key=True),
        sa.Column("realm_id", sa.Text(), nullable=False),
        sa.Column("payment_id", sa.Text(), nullable=False),
        sa.Column("quickbooks_invoice_id", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        # waiting, recorded, refused (billing's message kept), unmatched (no Labs invoice).
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("labs_payment_id", sa.UUID(), nullable=True),
        _now("seen_at"),
        _when("recorded_at"),
    )
    op.create_index("quickbooks_payments_open", "quickbooks_payments", ["org_id", "realm_id"],
                    postgresql_where=sa.text("status <> 'recorded'"))

    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        op.drop_table(table)
