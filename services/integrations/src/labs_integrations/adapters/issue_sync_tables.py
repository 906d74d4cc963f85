"""The two tables every issue tracker Labs syncs with (GitHub, Linear) has the same way: its
webhook deliveries as received, and the queue of changes Labs owes its linked issues."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Table, text

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table
from labs_integrations.adapters.orm import metadata


def webhook_inbox(name: str, *identifying: Column) -> Table:
    """Deliveries by the platform's id, stored before the answer and applied after it (for
    every org that connected the account: `applied_orgs`); read and written in a system scope,
    since the tenant is not known yet. `identifying`: what the platform says the delivery is."""
    table = Table(
        name,
        metadata,
        col.text("delivery_id", primary_key=True),
        *identifying,
        col.jsonb("payload", nullable=False),
        col.timestamp("received_at", nullable=False, server_default=col.now()),
        col.timestamp("applied_at"),
        col.integer("attempts", nullable=False, server_default="0"),
        col.timestamp("next_attempt_at", nullable=False, server_default=col.now()),
        col.text("last_error"),
        col.uuids("applied_orgs", nullable=False, server_default=text("'{}'::uuid[]")),
    )
    Index(f"{name}_due", table.c.next_attempt_at, postgresql_where=table.c.applied_at.is_(None))
    return table


def issue_push_queue(name: str, links: str, *wanted: Column) -> Table:
    """One pending intent per link, due at `next_attempt_at`, retried until `give_up_at`;
    `version` rises when a newer change replaces the intent while a send is in flight. `links`:
    the table of the links pushed for; `wanted`: what the intent asks of the issue."""
    table = tenant_table(
        name,
        metadata,
        col.uuid("link_id", ForeignKey(f"{links}.id", ondelete="CASCADE"), nullable=False),
        *wanted,
        col.text("status", nullable=False),
        col.integer("attempts", nullable=False, server_default="0"),
        col.timestamp("next_attempt_at", nullable=False, server_default=col.now()),
        col.text("last_error"),
        col.created_at(nullable=False),
        col.timestamp("give_up_at", nullable=False),
        col.timestamp("finished_at"),
        col.integer("version", nullable=False, server_default="1"),
    )
    Index(f"{name}_due", table.c.next_attempt_at, postgresql_where=table.c.status == "pending")
    Index(f"{name}_one_pending", table.c.link_id, unique=True,
          postgresql_where=table.c.status == "pending")
    return table
