"""Read models kept from other services' events: each row as of the event that wrote it. Events
arrive late and out of order (redeliveries, several streams), so a write that is older than the
row changes nothing: the newer fact wins, whatever order they came in."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession

from labs_common.db.repository import OrgScopedRepository


async def put_newer(session: AsyncSession, table: Table, as_of: datetime, *,
                    key: dict[str, Any], values: dict[str, Any],
                    on: Sequence[str] | None = None) -> bool:
    """Writes `values` to the row `key` names (inserting it with `key`), unless a later event
    wrote it already; True when it wrote. `on`: the unique columns a conflict is on (default:
    the primary key)."""
    values = {**values, "as_of": as_of}
    conflict = tuple(on) if on is not None else tuple(c.name for c in table.primary_key)
    statement = _upsert_if_newer(table, tuple(key), tuple(values), conflict)
    return (await session.execute(statement, {**key, **values})).first() is not None


@functools.cache
def _upsert_if_newer(table: Table, key: tuple[str, ...], columns: tuple[str, ...],
                     conflict: tuple[str, ...]) -> Insert:
    """put_newer's statement for one shape of call, built once: consumers run it for every
    event they hear, and building it (values, ON CONFLICT, the cache key) costs SQLAlchemy
    three times what executing a built one with parameters does."""
    statement = insert(table).values({name: bindparam(name) for name in (*key, *columns)})
    return statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in conflict],
        set_={name: statement.excluded[name] for name in columns},
        where=table.c.as_of < statement.excluded.as_of,
    ).returning(*table.primary_key.columns)


class AsOfRepository(OrgScopedRepository):
    """Rows of one tenant table by id, each as of the event it came from."""

    table: ClassVar[Table]
    # Columns an event does not carry: set on insert, left alone when an event updates the row.
    kept: ClassVar[dict[str, Any]] = {}

    async def put_newer(self, row_id: uuid.UUID, as_of: datetime, **values: Any) -> bool:
        """Writes the row unless a later event wrote it already; True when it did."""
        return await put_newer(self._session, self.table, as_of,
                               key={"id": row_id, "org_id": self._org_id, **self.kept},
                               values=values, on=["id"])
