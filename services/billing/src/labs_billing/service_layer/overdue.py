"""Overdue invoices: an issued invoice past its due date (in the organization's zone) with an
amount due reads `overdue` whenever it is read; this sweep, every replica every few minutes,
raises `invoice.overdue` once per invoice for the alerts (forecasting)."""

from __future__ import annotations

from labs_billing.service_layer import events
from labs_billing.service_layer.unit_of_work import UowFactory
from labs_common.db.uow import Scope

BATCH = 200


async def raise_overdue(uow_factory: UowFactory) -> int:
    async with uow_factory(Scope.of_system()) as uow:
        found = await uow.invoices.overdue_unraised(BATCH)
        for invoice in found:
            await uow.invoices.mark_overdue_raised(invoice.id)
            await events.changed(uow, invoice, "overdue", org_id=invoice.org_id)
        await uow.commit()
    return len(found)
