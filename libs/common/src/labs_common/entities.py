"""What every service's tenant aggregates share (pure Python: domain code imports it): the
columns every tenant table starts with (labs_common.db.tables.tenant_table) and when the row was
written.

The shared fields are keyword-only, so a subclass declares its own fields in its own order,
with or without defaults, and builds with `Invoice(id=..., org_id=..., currency=...)`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(kw_only=True)
class Entity:
    """One organization's object: its id, its org, and when it was created (None until
    stored)."""

    id: uuid.UUID
    org_id: uuid.UUID
    created_at: datetime | None = None


@dataclass(kw_only=True)
class EditableEntity(Entity):
    """An entity that changes after it is created: when it last did (None until stored)."""

    updated_at: datetime | None = None
