"""What every repository of tenant rows shares: one table, read and written in the unit of work's
transaction, every statement limited to the scope's org (row-level security stands behind it).

The org is bound once, when the unit of work builds its repositories, instead of passed to every
call; rows become domain dataclasses by their column names (`from_row`)."""

from __future__ import annotations

import functools
import uuid
from dataclasses import fields
from typing import Any, ClassVar, TypeVar

from sqlalchemy import Row, Select, Table, bindparam, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


def from_row(cls: type[T], row: Row, **overrides: Any) -> T:
    """The dataclass from a row of its table: fields named like columns, the rest by overrides."""
    values = {f.name: getattr(row, f.name) for f in fields(cls) if f.name not in overrides}
    return cls(**values, **overrides)


def columns_of(value: Any, table: Table, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of a dataclass that are columns of `table` (minus `skip`), for an insert or
    an update: the mapping `from_row` reverses."""
    return {
        f.name: getattr(value, f.name)
        for f in fields(value)
        if f.name in table.c and f.name not in skip
    }


# Stamped by the database on insert (server defaults) and on update (`_update_row`).
STAMPS = ("created_at", "updated_at")


@functools.cache
def _select_by_id(table: Table, lock: bool) -> Select:
    """One row of the org by id, built once per table: every service reads rows this way on
    every write and every event, and building a statement (and its cache key) costs SQLAlchemy
    about three times what running a built one with parameters does."""
    query = select(table).where(table.c.org_id == bindparam("p_org_id"),
                                table.c.id == bindparam("p_id"))
    return query.with_for_update() if lock else query


class TableRepository:
    """A repository of one table in the unit of work's transaction: rows in and out as domain
    dataclasses whose fields are named like the columns."""

    table: ClassVar[Table]

    def __init__(self, session: AsyncSession, org_id: uuid.UUID | None = None) -> None:
        self._session = session
        self._org_id = org_id

    def _by_id(self, row_id: uuid.UUID):
        return self.table.c.id == row_id

    async def _insert_row(self, value: Any, **extra: Any) -> Row:
        """Inserts the dataclass `value` (plus `extra` columns it does not carry, such as a
        secret's hash); answers the row as stored, defaults and stamps included."""
        values = columns_of(value, self.table, skip=STAMPS) | extra
        statement = insert(self.table).values(**values).returning(*self.table.c)
        return (await self._session.execute(statement)).one()

    async def _update_row(self, row_id: uuid.UUID, **values: Any) -> Row:
        """Updates one row (stamping updated_at); answers it as stored."""
        statement = (
            update(self.table)
            .where(self._by_id(row_id))
            # clock_timestamp: two updates in one second still get different etags.
            .values(**values, updated_at=func.clock_timestamp())
            .returning(*self.table.c)
        )
        return (await self._session.execute(statement)).one()


    async def _save_row(self, value: Any) -> Row:
        """Writes every column the dataclass `value` carries (but its id and org) to its row."""
        changes = columns_of(value, self.table, skip=("id", "org_id", *STAMPS))
        return await self._update_row(value.id, **changes)


class OrgScopedRepository(TableRepository):
    """A table of tenant rows: every statement limited to the unit of work's org."""

    def _by_id(self, row_id: uuid.UUID):
        return (self.table.c.org_id == self._org_id) & (self.table.c.id == row_id)

    def _select(self, *where) -> Select:
        return select(self.table).where(self.table.c.org_id == self._org_id, *where)

    async def _row(self, row_id: uuid.UUID, *, lock: bool = False) -> Row | None:
        query = _select_by_id(self.table, lock)
        return (await self._session.execute(query, {"p_org_id": self._org_id, "p_id": row_id})
                ).first()

    async def _page(
        self, query: Select, order: tuple, after: tuple[Any, uuid.UUID] | None, limit: int
    ) -> list[Row]:
        """Keyset pagination: the rows after `after` in `order`, one more than `limit` so the
        caller can tell whether another page follows."""
        if after:
            query = query.where(tuple_(*order) > after)
        return (await self._session.execute(query.order_by(*order).limit(limit + 1))).all()

    async def _insert(self, **values: Any) -> Row:
        """Inserts a row stamped now; returns its timestamps as the database set them."""
        stamps = [self.table.c[c] for c in ("created_at", "updated_at") if c in self.table.c]
        statement = insert(self.table).values(**values, **{c.name: func.now() for c in stamps})
        return (await self._session.execute(statement.returning(*stamps))).one()

    async def _add(self, value: Any, *, if_absent: bool = False) -> Row | None:
        """Inserts the dataclass `value` as a row stamped now (its timestamps are the
        database's); with `if_absent`, None instead of a row when a unique key already holds."""
        stamps = [self.table.c[c] for c in ("created_at", "updated_at") if c in self.table.c]
        values = columns_of(value, self.table, skip=tuple(c.name for c in stamps))
        statement = insert(self.table).values(**values, **{c.name: func.now() for c in stamps})
        if if_absent:
            statement = statement.on_conflict_do_nothing()
        return (await self._session.execute(statement.returning(*stamps))).first()

    async def _update(self, row_id: uuid.UUID, **values: Any):
        """Updates the org's row; returns its new updated_at."""
        return (
            await self._session.execute(
                update(self.table)
                .where(self.table.c.org_id == self._org_id, self.table.c.id == row_id)
                # clock_timestamp: two updates in one second still get different etags.
                .values(**values, updated_at=func.clock_timestamp())
                .returning(self.table.c.updated_at)
            )
        ).scalar_one()
