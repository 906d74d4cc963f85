"""Billing's domain objects as protobuf messages (the gRPC API and the event payloads)."""

from __future__ import annotations

from decimal import Decimal

from labs.billing.v1 import billing_service_pb2 as pb
from labs_billing.domain.lines import GroupBy
from labs_billing.domain.model import (
    Invoice,
    Item,
    ItemKind,
    Payment,
    PaymentMethod,
    Plan,
    Status,
    Subscription,
)
from labs_common.protobuf import EnumMapping, message_of
from labs_common.zones import today_in

STATUS = EnumMapping(pb.InvoiceStatus, Status)
KIND = EnumMapping(pb.ItemKind, ItemKind)
METHOD = EnumMapping(pb.PaymentMethod, PaymentMethod)
PLAN = EnumMapping(pb.Plan, Plan)
GROUP_BY = EnumMapping(pb.GroupBy, GroupBy)


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def item(value: Item) -> pb.InvoiceItem:
    return message_of(pb.InvoiceItem, value, quantity=money(value.quantity),
                      unit_price=money(value.unit_price), amount=money(value.amount))


def invoice(value: Invoice) -> pb.Invoice:
    return message_of(
        pb.Invoice, value,
        status=value.status_on(today_in(value.timezone)),
        items=[item(i) for i in value.items],
        subtotal=money(value.subtotal), tax_amount=money(value.tax_amount),
        total=money(value.total), amount_paid=money(value.amount_paid),
        amount_due=money(value.amount_due), tax_rate=_percent(value.tax_rate),
        number=value.number or "",
    )


def payment(value: Payment) -> pb.Payment:
    return message_of(pb.Payment, value, amount=money(value.amount))


def subscription(value: Subscription) -> pb.Subscription:
    return message_of(pb.Subscription, value)


def _percent(value: Decimal) -> str:
    """"20" or "7.5": as typed, without trailing zeros."""
    text = format(value.normalize(), "f")
    return text
