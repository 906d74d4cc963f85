"""Alerts' repositories, in the unit of work's transaction and org: the organization's members
(from identity's events; the recipients and their addresses), each user's alert subscriptions,
the alerts raised, and the state each rule last judged each subject in."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert

from labs_common.db import read_models
from labs_common.db.repository import OrgScopedRepository, from_row
from labs_forecasting.adapters.orm import (
    alert_states,
    alert_subscriptions,
    alerts,
    allocations,
    members,
)
from labs_forecasting.domain.alert_rules import Alert, AlertSubscription, Member

NO_PROJECT = uuid.UUID(int=0)


@functools.cache
def _enabled_for(of_projects: bool) -> Select:
    """SqlAlertSubscriptions.enabled_for's statement, built once (it runs for every margin
    announced)."""
    t = alert_subscriptions
    query = select(t).where(t.c.org_id == bindparam("p_org"),
                            t.c.alert_type.in_(bindparam("p_types", expanding=True)), t.c.enabled)
    if of_projects:
        query = query.where(t.c.project_id.is_(None)
                            | t.c.project_id.in_(bindparam("p_projects", expanding=True)))
    return query.order_by(t.c.created_at, t.c.id)

class SqlMembers(OrgScopedRepository):
    table = members

    async def put_newer(self, user_id: uuid.UUID, as_of: datetime, **values: Any) -> bool:
        """The member as of its event (an older event never overwrites a later one)."""
        return await read_models.put_newer(
            self._session, members, as_of, key={"user_id": user_id, "org_id": self._org_id},
            values=values, on=["user_id"])

    async def get(self, user_id: uuid.UUID) -> Member | None:
        row = (await self._session.execute(select(members).where(
            members.c.org_id == self._org_id, members.c.user_id == user_id))).first()
        return None if row is None else from_row(Member, row)

    async def row(self, user_id: uuid.UUID) -> Row | None:
        return (await self._session.execute(select(members).where(
            members.c.org_id == self._org_id, members.c.user_id == user_id))).first()


class SqlAlertSubscriptions(OrgScopedRepository):
    table = alert_subscriptions

    async def add_if_absent(self, subscription: AlertSubscription) -> tuple[AlertSubscription,
                                                                             bool]:
        """The new subscription and True, or the user's existing one of the same
        (alert_type, delivery_method, project_id) and False."""
        t = alert_subscriptions
        statement = insert(t).values(
            id=subscription.id, org_id=self._org_id, user_id=subscription.user_id,
            alert_type=subscription.alert_type, delivery_method=subscription.delivery_method,
            threshold_value=subscription.threshold_value, project_id=subscription.project_id,
            enabled=subscription.enabled, created_at=func.now(),
        ).on_conflict_do_nothing().returning(*t.c)
        row = (await self._session.execute(statement)).first()
        if row is not None:
            return from_row(AlertSubscription, row), True
        existing = (await self._session.execute(self._select(
            t.c.user_id == subscription.user_id, t.c.alert_type == subscription.alert_type,
            t.c.delivery_method == subscription.delivery_method,
            func.coalesce(t.c.project_id, NO_PROJECT) == (subscription.project_id
                                                          or NO_PROJECT)))).one()
        return from_row(AlertSubscription, existing), False

    async def of_user(self, user_id: uuid.UUID) -> list[AlertSubscription]:
        t = alert_subscriptions
        rows = (await self._session.execute(self._select(t.c.user_id == user_id).order_by(
            t.c.created_at, t.c.id))).all()
        return [from_row(AlertSubscription, r) for r in rows]

    async def get_own(self, subscription_id: uuid.UUID, user_id: uuid.UUID
                      ) -> AlertSubscription | None:
        t = alert_subscriptions
        row = (await self._session.execute(self._select(
            t.c.id == subscription_id, t.c.user_id == user_id))).first()
        return None if row is None else from_row(AlertSubscription, row)

    async def set(self, subscription_id: uuid.UUID, **values: Any) -> AlertSubscription:
        t = alert_subscriptions
        row = (await self._session.execute(update(t).where(
            t.c.org_id == self._org_id, t.c.id == subscription_id).values(**values)
            .returning(*t.c))).one()
        return from_row(AlertSubscription, row)

    async def delete(self, subscription_id: uuid.UUID) -> None:
        await self._session.execute(delete(alert_states).where(
            alert_states.c.org_id == self._org_id,
            alert_states.c.subscription_id == subscription_id))
        await self._session.execute(delete(alert_subscriptions).where(
            alert_subscriptions.c.org_id == self._org_id,
            alert_subscriptions.c.id == subscription_id))

    async def enabled_for(self, alert_types: tuple[str, ...], project_ids: list[uuid.UUID] | None
                          ) -> list[AlertSubscription]:
        """The enabled subscriptions of `alert_types` for the whole org or one of
        `project_ids` (None: whole-org ones and every project's)."""
        rows = (await self._session.execute(_enabled_for(project_ids is not None), {
            "p_org": self._org_id, "p_types": list(alert_types), "p_projects": project_ids,
        })).all()
        return [from_row(AlertSubscription, r) for r in rows]

    async def projects_of_resource(self, resource_id: uuid.UUID) -> list[uuid.UUID]:
        """The projects a person is allocated to (an over-allocation concerns them)."""
        rows = (await self._session.execute(select(allocations.c.project_id).distinct().where(
            allocations.c.org_id == self._org_id, allocations.c.resource_id == resource_id,
            allocations.c.counted))).all()
        return [r.project_id for r in rows]


class SqlAlertStates(OrgScopedRepository):
    table = alert_states

    async def lock(self, subscription_id: uuid.UUID, subject_id: uuid.UUID) -> str | None:
        """The state last judged, the row locked (so two events of one subject judge in turn);
        None when never judged."""
        row = (await self._session.execute(select(alert_states.c.state).where(
            alert_states.c.org_id == self._org_id,
            alert_states.c.subscription_id == subscription_id,
            alert_states.c.subject_id == subject_id).with_for_update())).first()
        return None if row is None else row.state

    async def put(self, subscription_id: uuid.UUID, subject_id: uuid.UUID, state: str) -> None:
        statement = insert(alert_states).values(
            org_id=self._org_id, subscription_id=subscription_id, subject_id=subject_id,
            state=state, updated_at=func.now())
        await self._session.execute(statement.on_conflict_do_update(
            index_elements=[alert_states.c.subscription_id, alert_states.c.subject_id],
            set_={"state": state, "updated_at": func.now()}))


class SqlAlerts(OrgScopedRepository):
    table = alerts

    async def add(self, alert: Alert) -> Alert:
        row = (await self._session.execute(insert(alerts).values(
            id=alert.id, org_id=self._org_id, user_id=alert.user_id, type=alert.type,
            severity=alert.severity, message=alert.message, project_id=alert.project_id,
            resource_id=alert.resource_id, invoice_id=alert.invoice_id, data=alert.data,
            is_read=False, action_taken="", created_at=func.clock_timestamp(),
        ).returning(*alerts.c))).one()
        return from_row(Alert, row)

    async def get_own(self, alert_id: uuid.UUID, user_id: uuid.UUID) -> Alert | None:
        row = (await self._session.execute(self._select(
            alerts.c.id == alert_id, alerts.c.user_id == user_id))).first()
        return None if row is None else from_row(Alert, row)

    async def set(self, alert_id: uuid.UUID, **values: Any) -> Alert:
        row = (await self._session.execute(update(alerts).where(
            alerts.c.org_id == self._org_id, alerts.c.id == alert_id).values(**values)
            .returning(*alerts.c))).one()
        return from_row(Alert, row)

    async def delete(self, alert_id: uuid.UUID) -> None:
        await self._session.execute(delete(alerts).where(
            alerts.c.org_id == self._org_id, alerts.c.id == alert_id))

    def _filtered(self, user_id: uuid.UUID, *, type: str | None, unread: bool | None,
                  severity: str | None, project_id: uuid.UUID | None):
        where = [alerts.c.org_id == self._org_id, alerts.c.user_id == user_id]
        if type:
            where.append(alerts.c.type == type)
        if unread is not None:
            where.append(alerts.c.is_read.is_(not unread))
        if severity:
            where.append(alerts.c.severity == severity)
        if project_id is not None:
            where.append(alerts.c.project_id == project_id)
        return where

    async def page(self, user_id: uuid.UUID, *, limit: int,
                   after: tuple[datetime, uuid.UUID] | None, type: str | None = None,
                   unread: bool | None = None, severity: str | None = None,
                   project_id: uuid.UUID | None = None) -> list[Alert]:
        """Newest first, up to `limit` + 1 (so the caller can tell whether another page
        follows), after the cursor's (created_at, id)."""
        where = self._filtered(user_id, type=type, unread=unread, severity=severity,
                               project_id=project_id)
        if after is not None:
            where.append(tuple_(alerts.c.created_at, alerts.c.id) < after)
        rows = (await self._session.execute(select(alerts).where(*where).order_by(
            alerts.c.created_at.desc(), alerts.c.id.desc()).limit(limit + 1))).all()
        return [from_row(Alert, r) for r in rows]

    async def unread_count(self, user_id: uuid.UUID) -> int:
        return (await self._session.execute(select(func.count()).select_from(alerts).where(
            alerts.c.org_id == self._org_id, alerts.c.user_id == user_id,
            alerts.c.is_read.is_(False)))).scalar_one()

