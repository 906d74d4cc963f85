"""The organization's own Labs plan and its Stripe customers (one per billed client, and the
organization's own under the nil UUID)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from labs_billing.adapters.orm import stripe_customers, subscriptions
from labs_billing.domain.model import Plan, Subscription
from labs_common.db.repository import OrgScopedRepository, columns_of, from_row

ORGANIZATION = uuid.UUID(int=0)


class SqlAlchemySubscriptionRepository(OrgScopedRepository):
    table = subscriptions

    async def get(self, *, lock: bool = False) -> Subscription:
        """The org's subscription; the free plan until one was started."""
        query = select(subscriptions).where(subscriptions.c.org_id == self._org_id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        if row is None:
            return Subscription(org_id=self._org_id)  # type: ignore[arg-type]
        return from_row(Subscription, row, plan=Plan(row.plan))

    async def put(self, subscription: Subscription) -> Subscription:
        values = columns_of(subscription, subscriptions, skip=("updated_at",))
        values["plan"] = subscription.plan.value
        statement = insert(subscriptions).values(**values, updated_at=func.clock_timestamp())
        statement = statement.on_conflict_do_update(
            index_elements=[subscriptions.c.org_id],
            set_={**{k: v for k, v in values.items() if k != "org_id"},
                  "updated_at": func.clock_timestamp()},
        ).returning(*subscriptions.c)
        row = (await self._session.execute(statement)).one()
        return from_row(Subscription, row, plan=Plan(row.plan))

    async def pending(self, limit: int) -> list[Subscription]:
        """Plan changes Stripe has not confirmed yet (system scope: every org)."""
        query = (select(subscriptions).where(subscriptions.c.status == "pending")
                 .order_by(subscriptions.c.updated_at).limit(limit)
                 .with_for_update(skip_locked=True))
        return [from_row(Subscription, row, plan=Plan(row.plan))
                for row in (await self._session.execute(query)).all()]

    async def customer(self, client_id: uuid.UUID | None) -> str | None:
        query = select(stripe_customers.c.customer_id).where(
            stripe_customers.c.org_id == self._org_id,
            stripe_customers.c.client_id == (client_id or ORGANIZATION))
        return (await self._session.execute(query)).scalar_one_or_none()

    async def keep_customer(self, client_id: uuid.UUID | None, customer_id: str) -> None:
        await self._session.execute(insert(stripe_customers).values(
            org_id=self._org_id, client_id=client_id or ORGANIZATION, customer_id=customer_id,
        ).on_conflict_do_nothing())
