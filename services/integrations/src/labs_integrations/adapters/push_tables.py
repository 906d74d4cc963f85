"""The queue of changes Labs owes a platform's linked issue (GitHub's, Linear's): one pending
intent per link, due at `next_attempt_at`, retried until `give_up_at`; `version` rises when a
newer change replaces the intent while a send is in flight."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Table

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table
from labs_integrations.adapters.orm import metadata


def issue_push_queue(name: str, links: str, *wanted: Column) -> Table:
    """`links`: the table of the links pushed for; `wanted`: what the intent asks of the issue."""
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
