"""Harvest's tables (migration 0006) as SQLAlchemy Core, on integrations' metadata."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Table, UniqueConstraint

from labs_common.db import columns as col
from labs_common.db.tables import tenant_table
from labs_integrations.adapters.orm import metadata

harvest_projects = tenant_table(
    "harvest_projects",
    metadata,
    Column("harvest_id", BigInteger, nullable=False),
    col.uuid("project_id", nullable=False),
    UniqueConstraint("org_id", "harvest_id", name="harvest_projects_once"),
)

harvest_cursors = Table(
    "harvest_cursors",
    metadata,
    col.uuid("org_id", primary_key=True),
    col.timestamp("updated_since"),
    col.timestamp("reconciled_at"),
)
