"""QuickBooks' tables (migration 0007) as SQLAlchemy Core, on integrations' metadata. What is
kept per company is keyed by its realm id beside the org: connecting another company starts
afresh (its customers, items and invoices are other ones)."""

from __future__ import annotations

from sqlalchemy import Index, Table, UniqueConstraint

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table
from labs_integrations.adapters.orm import metadata

# The outbox of invoices going to QuickBooks: one row per invoice and kind (issue, void).
quickbooks_pushes = tenant_table(
    "quickbooks_pushes",
    metadata,
    col.uuid("invoice_id", nullable=False),
    col.text("kind", nullable=False),
    col.jsonb("invoice", nullable=False),
    col.text("status", nullable=False),
    col.integer("attempts", nullable=False, server_default="0"),
    col.timestamp("next_attempt_at", nullable=False, server_default=col.now()),
    col.timestamp("give_up_at", nullable=False),
    col.text("last_error"),
    col.text("quickbooks_id"),
    col.created_at(nullable=False, server_default=col.now()),
    col.timestamp("finished_at"),
    UniqueConstraint("org_id", "invoice_id", "kind", name="quickbooks_pushes_once"),
)
Index("quickbooks_pushes_due", quickbooks_pushes.c.next_attempt_at,
      postgresql_where=quickbooks_pushes.c.status == "pending")

quickbooks_companies = Table(
    "quickbooks_companies",
    metadata,
    col.uuid("org_id", primary_key=True),
    col.text("realm_id", primary_key=True),
    col.text("item_id"),
    col.timestamp("payments_since"),
    col.uuid("refresh_holder"),
    col.timestamp("refresh_until"),
)

quickbooks_customers = Table(
    "quickbooks_customers",
    metadata,
    col.uuid("org_id", primary_key=True),
    col.text("realm_id", primary_key=True),
    col.text("client_key", primary_key=True),
    col.text("customer_id", nullable=False),
)

quickbooks_invoices = Table(
    "quickbooks_invoices",
    metadata,
    col.uuid("org_id", primary_key=True),
    col.text("realm_id", primary_key=True),
    col.uuid("invoice_id", primary_key=True),
    col.text("quickbooks_id", nullable=False),
    col.text("doc_number", nullable=False),
    col.timestamp("linked_at", nullable=False, server_default=col.now()),
    UniqueConstraint("org_id", "realm_id", "quickbooks_id", name="quickbooks_invoices_once"),
)

quickbooks_payments = Table(
    "quickbooks_payments",
    metadata,
    col.uuid("org_id", primary_key=True),
    col.text("external_id", primary_key=True),
    col.text("realm_id", nullable=False),
    col.text("payment_id", nullable=False),
    col.text("quickbooks_invoice_id", nullable=False),
    col.money("amount", nullable=False),
    col.day("paid_on", nullable=False),
    col.text("status", nullable=False),
    col.text("last_error"),
    col.uuid("labs_payment_id"),
    col.timestamp("seen_at", nullable=False, server_default=col.now()),
    col.timestamp("recorded_at"),
)
Index("quickbooks_payments_open", quickbooks_payments.c.org_id, quickbooks_payments.c.realm_id,
      postgresql_where=quickbooks_payments.c.status != "recorded")

__all__ = ["quickbooks_companies", "quickbooks_customers", "quickbooks_invoices",
           "quickbooks_payments", "quickbooks_pushes"]
