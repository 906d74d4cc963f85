"""The inbox of Stripe's deliveries, by event id (system scope: an event names its org in its
object's metadata, which only the event itself tells)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from labs_billing.adapters.orm import stripe_events
from labs_common.db.repository import TableRepository


class SqlAlchemyStripeEvents(TableRepository):
    table = stripe_events

    async def keep(self, event: dict[str, Any]) -> bool:
        """Stores a delivery; False when its id was seen before."""
        inserted = await self._session.execute(insert(stripe_events).values(
            id=event["id"], type=event.get("type", ""), payload=event,
            received_at=func.now(), attempts=0,
        ).on_conflict_do_nothing().returning(stripe_events.c.id))
        return inserted.first() is not None

    async def due(self, limit: int, lease_seconds: float) -> list[dict[str, Any]]:
        """Unapplied events, oldest first, leased to this worker (retries wait: `received_at`
        moves forward with each failure)."""
        query = (select(stripe_events.c.id, stripe_events.c.payload)
                 .where(stripe_events.c.processed_at.is_(None),
                        stripe_events.c.received_at <= func.now())
                 .order_by(stripe_events.c.received_at).limit(limit)
                 .with_for_update(skip_locked=True))
        rows = (await self._session.execute(query)).all()
        if rows:
            await self._session.execute(update(stripe_events).where(
                stripe_events.c.id.in_([r.id for r in rows])).values(
                received_at=func.now() + text(f"interval '{float(lease_seconds)} seconds'")))
        return [row.payload if isinstance(row.payload, dict) else json.loads(row.payload)
                for row in rows]

    async def applied(self, event_id: str) -> None:
        await self._session.execute(update(stripe_events).where(stripe_events.c.id == event_id)
                                    .values(processed_at=func.now(), last_error=None))

    async def failed(self, event_id: str, error: str, delay_seconds: float) -> None:
        await self._session.execute(update(stripe_events).where(stripe_events.c.id == event_id)
                                    .values(attempts=stripe_events.c.attempts + 1,
                                            last_error=error[:500],
                                            received_at=func.now() + text(
                                                f"interval '{float(delay_seconds)} seconds'")))
