"""Billing's tables as SQLAlchemy Core (the migrations create them explicitly)."""

from __future__ import annotations

from sqlalchemy import MetaData, Table

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table

metadata = MetaData()

invoices = tenant_table(
    "invoices",
    metadata,
    col.uuid("client_id"),
    col.uuid("project_id"),
    col.currency(nullable=False),
    # generating and abandoned are the saga's own states, never shown (see invoice_generation).
    col.text("status", nullable=False),
    col.text("number"),
    col.day("issue_date"),
    col.day("due_date"),
    col.small_integer("payment_terms_days", nullable=False),
    col.day("period_start"),
    col.day("period_end"),
    col.decimal("tax_rate", 7, 4, nullable=False),
    col.money("subtotal", nullable=False),
    col.money("tax_amount", nullable=False),
    col.money("total", nullable=False),
    col.money("amount_paid", nullable=False),
    col.text("notes", nullable=False),
    col.text("client_name", nullable=False),
    col.text("project_name", nullable=False),
    col.text("agency_name", nullable=False),
    # The org's timezone when it was sent: "today" for its due date.
    col.text("timezone", nullable=False),
    col.text("stripe_invoice_id"),
    col.text("payment_url"),
    # The Stripe side: pending (to push), void_pending, synced, failed; NULL without Stripe.
    col.text("stripe_state"),
    col.integer("stripe_attempts", nullable=False),
    col.text("stripe_error"),
    col.timestamp("stripe_next_at"),
    col.timestamp("sent_at"),
    col.timestamp("paid_at"),
    col.timestamp("voided_at"),
    col.timestamp("overdue_raised_at"),
    # Until when a generation in flight holds its reservation (after that, recovery abandons it).
    col.timestamp("lease_until"),
    col.uuid("created_by"),
    col.created_at(),
    col.updated_at(),
)

invoice_items = tenant_table(
    "invoice_items",
    metadata,
    col.uuid("invoice_id", nullable=False),
    col.small_integer("position", nullable=False),
    col.text("kind", nullable=False),
    col.text("description", nullable=False),
    col.decimal("quantity", 12, 2, nullable=False),
    col.money("unit_price", nullable=False),
    col.money("amount", nullable=False),
    col.uuids("time_entry_ids", nullable=False),
    col.uuids("expense_ids", nullable=False),
)

payments = tenant_table(
    "payments",
    metadata,
    col.uuid("invoice_id", nullable=False),
    col.money("amount", nullable=False),
    col.currency(nullable=False),
    col.timestamp("paid_at", nullable=False),
    col.text("method", nullable=False),
    col.text("reference", nullable=False),
    col.text("external_id"),
    col.created_at(),
)

# One row per organization: the last number issued. Sending an invoice takes the row's lock, so
# numbers follow issue order and a rolled-back send leaves no gap (a sequence would).
invoice_counters = Table(
    "invoice_counters",
    metadata,
    col.uuid("org_id", primary_key=True),
    col.integer("last_number", nullable=False),
)

stripe_customers = Table(
    "stripe_customers",
    metadata,
    col.uuid("org_id", primary_key=True),
    # The client billed; the nil UUID for the organization itself (its Labs plan).
    col.uuid("client_id", primary_key=True),
    col.text("customer_id", nullable=False),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    col.uuid("org_id", primary_key=True),
    col.text("plan", nullable=False),
    col.text("status", nullable=False),
    col.day("renewal_date"),
    col.text("stripe_customer_id"),
    col.text("stripe_subscription_id"),
    col.updated_at(),
)

# Stripe's deliveries, by event id: stored before the 200, applied after (not a tenant table:
# the org is read from the event's object).
stripe_events = Table(
    "stripe_events",
    metadata,
    col.text("id", primary_key=True),
    col.text("type", nullable=False),
    col.jsonb("payload", nullable=False),
    col.timestamp("received_at", nullable=False),
    col.timestamp("processed_at"),
    col.integer("attempts", nullable=False),
    col.text("last_error"),
)
