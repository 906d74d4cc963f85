"""Billing's tables as SQLAlchemy Core (the migrations create them explicitly)."""

from __future__ import annotations

from sqlalchemy import (
    CHAR,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from labs_common.db.tables import tenant_table

metadata = MetaData()

MONEY = Numeric(14, 2)

invoices = tenant_table(
    "invoices",
    metadata,
    Column("client_id", UUID(as_uuid=True)),
    Column("project_id", UUID(as_uuid=True)),
    Column("currency", CHAR(3), nullable=False),
    # generating and abandoned are the saga's own states, never shown (see invoice_generation).
    Column("status", Text, nullable=False),
    Column("number", Text),
    Column("issue_date", Date),
    Column("due_date", Date),
    Column("payment_terms_days", SmallInteger, nullable=False),
    Column("period_start", Date),
    Column("period_end", Date),
    Column("tax_rate", Numeric(7, 4), nullable=False),
    Column("subtotal", MONEY, nullable=False),
    Column("tax_amount", MONEY, nullable=False),
    Column("total", MONEY, nullable=False),
    Column("amount_paid", MONEY, nullable=False),
    Column("notes", Text, nullable=False),
    Column("client_name", Text, nullable=False),
    Column("project_name", Text, nullable=False),
    Column("agency_name", Text, nullable=False),
    # The org's timezone when it was sent: "today" for its due date.
    Column("timezone", Text, nullable=False),
    Column("stripe_invoice_id", Text),
    Column("payment_url", Text),
    # The Stripe side: pending (to push), void_pending, synced, failed; NULL without Stripe.
    Column("stripe_state", Text),
    Column("stripe_attempts", Integer, nullable=False),
    Column("stripe_error", Text),
    Column("stripe_next_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("paid_at", DateTime(timezone=True)),
    Column("voided_at", DateTime(timezone=True)),
    Column("overdue_raised_at", DateTime(timezone=True)),
    # Until when a generation in flight holds its reservation (after that, recovery abandons it).
    Column("lease_until", DateTime(timezone=True)),
    Column("created_by", UUID(as_uuid=True)),
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
)

invoice_items = tenant_table(
    "invoice_items",
    metadata,
    Column("invoice_id", UUID(as_uuid=True), nullable=False),
    Column("position", SmallInteger, nullable=False),
    Column("kind", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("quantity", Numeric(12, 2), nullable=False),
    Column("unit_price", MONEY, nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("time_entry_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
    Column("expense_ids", ARRAY(UUID(as_uuid=True)), nullable=False),
)

payments = tenant_table(
    "payments",
    metadata,
    Column("invoice_id", UUID(as_uuid=True), nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("currency", CHAR(3), nullable=False),
    Column("paid_at", DateTime(timezone=True), nullable=False),
    Column("method", Text, nullable=False),
    Column("reference", Text, nullable=False),
    Column("external_id", Text),
    Column("created_at", DateTime(timezone=True)),
)

# One row per organization: the last number issued. Sending an invoice takes the row's lock, so
# numbers follow issue order and a rolled-back send leaves no gap (a sequence would).
invoice_counters = Table(
    "invoice_counters",
    metadata,
    Column("org_id", UUID(as_uuid=True), primary_key=True),
    Column("last_number", Integer, nullable=False),
)

stripe_customers = Table(
    "stripe_customers",
    metadata,
    Column("org_id", UUID(as_uuid=True), primary_key=True),
    # The client billed; the nil UUID for the organization itself (its Labs plan).
    Column("client_id", UUID(as_uuid=True), primary_key=True),
    Column("customer_id", Text, nullable=False),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("org_id", UUID(as_uuid=True), primary_key=True),
    Column("plan", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("renewal_date", Date),
    Column("stripe_customer_id", Text),
    Column("stripe_subscription_id", Text),
    Column("updated_at", DateTime(timezone=True)),
)

# Stripe's deliveries, by event id: stored before the 200, applied after (not a tenant table:
# the org is read from the event's object).
stripe_events = Table(
    "stripe_events",
    metadata,
    Column("id", Text, primary_key=True),
    Column("type", Text, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("processed_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
)
