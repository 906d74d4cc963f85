"""Outgoing webhooks' repositories: endpoints and deliveries of the unit of work's org, and the
few system-scope statements of the delivery worker (claiming due deliveries of every org with a
lease, recording what an attempt got)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Row, bindparam, delete, func, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert

from labs_common.db.repository import OrgScopedRepository, columns_of
from labs_integrations.adapters.webhook_tables import webhook_deliveries, webhook_endpoints
from labs_integrations.domain.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def endpoint_of(row: Row) -> WebhookEndpoint:
    return WebhookEndpoint(id=row.id, org_id=row.org_id, url=row.url, events=tuple(row.events),
                           created_by=row.created_by, created_at=row.created_at,
                           deleted_at=row.deleted_at)


def delivery_of(row: Row) -> WebhookDelivery:
    return WebhookDelivery(
        id=row.id, org_id=row.org_id, endpoint_id=row.endpoint_id, event_id=row.event_id,
        event_type=row.event_type, body=row.body, status=DeliveryStatus(row.status),
        attempts=row.attempts, last_status_code=row.last_status_code, last_error=row.last_error,
        created_at=row.created_at, last_attempt_at=row.last_attempt_at,
        next_attempt_at=row.next_attempt_at, give_up_at=row.give_up_at)


# Built once: it runs for every event of every service.
_ANY_LIVE = select(webhook_endpoints.c.id).where(
    webhook_endpoints.c.org_id == bindparam("p_org"),
    webhook_endpoints.c.deleted_at.is_(None)).limit(1)


@dataclass(frozen=True)
class DueDelivery:
    """A claimed delivery with what sending it needs: where, and the sealed secret."""

    delivery: WebhookDelivery
    url: str
    sealed_secret: bytes


class SqlAlchemyWebhookEndpoints(OrgScopedRepository):
    table = webhook_endpoints

    def _live(self, *where):
        return self._select(webhook_endpoints.c.deleted_at.is_(None), *where)

    async def add(self, endpoint: WebhookEndpoint, sealed_secret: bytes) -> WebhookEndpoint:
        # `secret` there is the plaintext shown once; the column holds `sealed_secret`.
        values = columns_of(endpoint, webhook_endpoints,
                            skip=("created_at", "deleted_at", "secret"))
        values["events"] = list(endpoint.events)
        row = (await self._session.execute(
            insert(webhook_endpoints).values(**values, secret=sealed_secret)
            .returning(*webhook_endpoints.c))).one()
        return endpoint_of(row)

    async def get(self, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
        """The org's live endpoint; None when absent, deleted or another org's."""
        row = (await self._session.execute(self._live(webhook_endpoints.c.id == endpoint_id))
               ).first()
        return endpoint_of(row) if row else None

    async def live_count(self) -> int:
        return (await self._session.execute(
            select(func.count()).select_from(webhook_endpoints).where(
                webhook_endpoints.c.org_id == self._org_id,
                webhook_endpoints.c.deleted_at.is_(None)))).scalar_one()

    async def any_live(self) -> bool:
        return (await self._session.execute(_ANY_LIVE, {"p_org": self._org_id})).first() is not None

    async def live(self) -> list[WebhookEndpoint]:
        rows = (await self._session.execute(
            self._live().order_by(webhook_endpoints.c.created_at, webhook_endpoints.c.id))).all()
        return [endpoint_of(row) for row in rows]

    async def page(self, after: tuple | None, limit: int) -> list[WebhookEndpoint]:
        rows = await self._page(self._live(), (webhook_endpoints.c.created_at,
                                               webhook_endpoints.c.id), after, limit)
        return [endpoint_of(row) for row in rows]

    async def delete(self, endpoint_id: uuid.UUID) -> bool:
        done = await self._session.execute(
            update(webhook_endpoints)
            .where(self._by_id(endpoint_id), webhook_endpoints.c.deleted_at.is_(None))
            .values(deleted_at=func.now()))
        return done.rowcount == 1


class SqlAlchemyWebhookDeliveries(OrgScopedRepository):
    table = webhook_deliveries

    async def add_if_absent(self, delivery: WebhookDelivery) -> bool:
        """Stores a pending delivery due now; False when the endpoint already has this event."""
        values = columns_of(delivery, webhook_deliveries, skip=("created_at", "next_attempt_at"))
        values["status"] = delivery.status.value
        statement = (insert(webhook_deliveries)
                     .values(**values, next_attempt_at=func.now())
                     .on_conflict_do_nothing(index_elements=["endpoint_id", "event_id"])
                     .returning(webhook_deliveries.c.id))
        return (await self._session.execute(statement)).first() is not None

    async def get(self, endpoint_id: uuid.UUID, delivery_id: uuid.UUID,
                  *, lock: bool = False) -> WebhookDelivery | None:
        query = self._select(webhook_deliveries.c.id == delivery_id,
                             webhook_deliveries.c.endpoint_id == endpoint_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        return delivery_of(row) if row else None

    async def page(self, endpoint_id: uuid.UUID, before: tuple | None, limit: int
                   ) -> list[WebhookDelivery]:
        """Newest first: the page after `before` (created_at, id) in that order."""
        order = (webhook_deliveries.c.created_at, webhook_deliveries.c.id)
        query = self._select(webhook_deliveries.c.endpoint_id == endpoint_id)
        if before:
            query = query.where(tuple_(*order) < before)
        rows = (await self._session.execute(
            query.order_by(*(c.desc() for c in order)).limit(limit + 1))).all()
        return [delivery_of(row) for row in rows]

    async def redeliver(self, delivery_id: uuid.UUID) -> WebhookDelivery:
        """Back to pending, due now; its attempts keep counting."""
        row = (await self._session.execute(
            update(webhook_deliveries).where(self._by_id(delivery_id))
            .values(status=DeliveryStatus.PENDING.value, next_attempt_at=func.now())
            .returning(*webhook_deliveries.c))).one()
        return delivery_of(row)

    async def drop_pending(self, endpoint_id: uuid.UUID) -> int:
        done = await self._session.execute(
            delete(webhook_deliveries).where(
                webhook_deliveries.c.org_id == self._org_id,
                webhook_deliveries.c.endpoint_id == endpoint_id,
                webhook_deliveries.c.status == DeliveryStatus.PENDING.value))
        return done.rowcount

    # --- the delivery worker, in a system scope (every org) ------------------------------------

    async def forget_settled(self, older_than: float, limit: int) -> int:
        """Deletes up to `limit` deliveries that succeeded or were given up more than
        `older_than` seconds ago (their bodies are the events' copies), skipping locked rows."""
        settled = select(webhook_deliveries.c.id).where(
            webhook_deliveries.c.status.in_((DeliveryStatus.SUCCEEDED.value,
                                             DeliveryStatus.FAILED.value)),
            webhook_deliveries.c.created_at
            < func.now() - func.make_interval(0, 0, 0, 0, 0, 0, older_than),
        ).limit(limit).with_for_update(skip_locked=True)
        done = await self._session.execute(
            delete(webhook_deliveries).where(webhook_deliveries.c.id.in_(settled.scalar_subquery())))
        return done.rowcount

    async def claim_due(self, limit: int, lease_seconds: float) -> list[DueDelivery]:
        """Pending deliveries of live endpoints that are due, locked past other workers and
        leased to this one: their next attempt moves `lease_seconds` ahead, so a worker that
        dies mid-attempt leaves them to be tried again then."""
        query = (
            select(webhook_deliveries, webhook_endpoints.c.url,
                   webhook_endpoints.c.secret.label("sealed_secret"))
            .join(webhook_endpoints, webhook_endpoints.c.id == webhook_deliveries.c.endpoint_id)
            .where(webhook_deliveries.c.status == DeliveryStatus.PENDING.value,
                   webhook_deliveries.c.next_attempt_at <= func.now(),
                   webhook_endpoints.c.deleted_at.is_(None))
            .order_by(webhook_deliveries.c.next_attempt_at)
            .limit(limit)
            .with_for_update(of=webhook_deliveries, skip_locked=True))
        rows = (await self._session.execute(query)).all()
        if rows:
            await self._session.execute(
                update(webhook_deliveries)
                .where(webhook_deliveries.c.id.in_([row.id for row in rows]))
                .values(next_attempt_at=func.now()
                        + text(f"interval '{float(lease_seconds)} seconds'")))
        return [DueDelivery(delivery_of(row), row.url, bytes(row.sealed_secret))
                for row in rows]

    async def record(self, delivery: WebhookDelivery) -> bool:
        """Writes what an attempt made of the delivery. Skipped (False) when it was redelivered
        or dropped meanwhile (another attempt counted, or no longer pending)."""
        statement = (
            update(webhook_deliveries)
            .where(webhook_deliveries.c.id == delivery.id,
                   webhook_deliveries.c.status == DeliveryStatus.PENDING.value,
                   webhook_deliveries.c.attempts == delivery.attempts - 1)
            .values(status=delivery.status.value, attempts=delivery.attempts,
                    last_status_code=delivery.last_status_code, last_error=delivery.last_error,
                    last_attempt_at=delivery.last_attempt_at,
                    next_attempt_at=delivery.next_attempt_at))
        return (await self._session.execute(statement)).rowcount == 1
