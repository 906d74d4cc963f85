"""Billing tables: invoices, items, payments, the per-org invoice counter, Stripe customers, the
org's subscription (all under tenant row-level security) and the Stripe event inbox.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from labs_common.db.migrations import enable_tenant_rls

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TENANT_TABLES = ("invoices", "invoice_items", "payments", "invoice_counters", "stripe_customers",
                 "subscriptions")
STATUSES = "'generating', 'abandoned', 'draft', 'sent', 'partially_paid', 'paid', 'void'"


def _stamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.text("now()"),
                     nullable=False)


def _money(name: str) -> sa.Column:
    return sa.Column(name, sa.Numeric(14, 2), nullable=False, server_default="0")


def upgrade() -> None:
    op.create_table(
        "invoices",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("client_id", sa.UUID(), nullable=True),
        sa.Column("project_id", sa.UUID(), nullable=True),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("number", sa.Text(), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("payment_terms_days", sa.SmallInteger(), nullable=False, server_default="30"),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("tax_rate", sa.Numeric(7, 4), nullable=False, server_default="0"),
        _money("subtotal"),
        _money("tax_amount"),
        _money("total"),
        _money("amount_paid"),
        sa.Column("notes", sa.Text(), nullable=False, server_default=""),
        sa.Column("client_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("project_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("agency_name", sa.Text(), nullable=False, server_default=""),
        sa.Column("timezone", sa.Text(), nullable=False, server_default="UTC"),
        sa.Column("stripe_invoice_id", sa.Text(), nullable=True),
        sa.Column("payment_url", sa.Text(), nullable=True),
        sa.Column("stripe_state", sa.Text(), nullable=True),
        sa.Column("stripe_attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("stripe_error", sa.Text(), nullable=True),
        sa.Column("stripe_next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_raised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.UUID(), nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.CheckConstraint(f"status IN ({STATUSES})", name="invoice_status"),
        sa.CheckConstraint("amount_paid >= 0 AND amount_paid <= total", name="paid_within_total"),
        sa.CheckConstraint("(number IS NULL) = (status IN ('generating', 'abandoned', 'draft'))",
                           name="numbered_once_issued"),
    )
    # The legal guarantee behind the counter: one invoice per number per organization.
    op.create_index("invoices_org_number", "invoices", ["org_id", "number"], unique=True,
                    postgresql_where=sa.text("number IS NOT NULL"))
    op.create_index("invoices_org_created", "invoices", ["org_id", "created_at", "id"])
    op.create_index("invoices_org_project", "invoices", ["org_id", "project_id"])
    op.create_index("invoices_org_client", "invoices", ["org_id", "client_id"])
    op.create_index("invoices_open_due", "invoices", ["due_date"],
                    postgresql_where=sa.text("status IN ('sent', 'partially_paid')"))
    op.create_index("invoices_stripe_due", "invoices", ["stripe_next_at"],
                    postgresql_where=sa.text("stripe_state IN ('pending', 'void_pending')"))
    op.create_index("invoices_generating", "invoices", ["lease_until"],
                    postgresql_where=sa.text("status = 'generating'"))

    op.create_table(
        "invoice_items",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("invoice_id", sa.UUID(), sa.ForeignKey("invoices.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Numeric(12, 2), nullable=False),
        sa.Column("unit_price", sa.Numeric(14, 2), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("time_entry_ids", postgresql.ARRAY(sa.UUID()), nullable=False,
                  server_default=sa.text("'{}'::uuid[]")),
        sa.Column("expense_ids", postgresql.ARRAY(sa.UUID()), nullable=False,
                  server_default=sa.text("'{}'::uuid[]")),
        sa.CheckConstraint("kind IN ('time', 'expense', 'manual')", name="item_kind"),
        sa.UniqueConstraint("invoice_id", "position", name="item_position"),
    )

    op.create_table(
        "payments",
        sa.Column("id", sa.UUID(), primary_key=True),
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("invoice_id", sa.UUID(), sa.ForeignKey("invoices.id"), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("currency", sa.CHAR(3), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False, server_default=""),
        sa.Column("external_id", sa.Text(), nullable=True),
        _stamp("created_at"),
        sa.CheckConstraint("amount > 0", name="payment_positive"),
    )
    op.create_index("payments_invoice", "payments", ["org_id", "invoice_id", "paid_at"])
    # One payment per Stripe object, however many of its events arrive.
    op.create_index("payments_external", "payments", ["org_id", "external_id"], unique=True,
                    postgresql_where=sa.text("external_id IS NOT NULL"))

    op.create_table(
        "invoice_counters",
        sa.Column("org_id", sa.UUID(), primary_key=True),
        sa.Column("last_number", sa.Integer(), nullable=False),
    )
    op.create_table(
        "stripe_customers",
        sa.Column("org_id", sa.UUID(), nullable=False),
        sa.Column("client_id", sa.UUID(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "client_id"),
    )
    op.create_table(
        "subscriptions",
        sa.Column("org_id", sa.UUID(), primary_key=True),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("renewal_date", sa.Date(), nullable=True),
        sa.Column("stripe_customer_id", sa.Text(), nullable=True),
        sa.Column("stripe_subscription_id", sa.Text(), nullable=True),
        _stamp("updated_at"),
    )
    for table in TENANT_TABLES:
        enable_tenant_rls(table)

    op.create_table(
        "stripe_events",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        _stamp("received_at"),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("stripe_events_pending", "stripe_events", ["received_at"],
                    postgresql_where=sa.text("processed_at IS NULL"))


def downgrade() -> None:
    for table in ("stripe_events", "subscriptions", "stripe_customers", "invoice_counters",
                  "payments", "invoice_items", "invoices"):
        op.drop_table(table)
