"""Labs' side of QuickBooks: billing's invoices as a push keeps them (from billing's events), and
payments recorded in billing as the member who connected QuickBooks (a delegated token, so
their role and billing's rules apply as to a payment they typed in), each with its external id
so that billing never records the same QuickBooks payment twice."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

from google.protobuf.timestamp_pb2 import Timestamp

from labs.billing.v1 import billing_service_pb2 as billing_pb
from labs_common.auth.delegation import DelegatedTokens, acting_as
from labs_common.grpc.status import remote_call
from labs_integrations.domain.quickbooks import LabsInvoice, LabsItem, PaymentLine


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text) if text else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def labs_invoice(invoice: billing_pb.Invoice) -> LabsInvoice:
    return LabsInvoice(
        invoice_id=uuid.UUID(invoice.id), number=invoice.number,
        client_id=uuid.UUID(invoice.client_id) if invoice.client_id else None,
        client_name=invoice.client_name, currency=invoice.currency,
        issue_date=_day(invoice.issue_date), due_date=_day(invoice.due_date),
        items=tuple(LabsItem(item.description, _decimal(item.quantity),
                             _decimal(item.unit_price), _decimal(item.amount))
                    for item in invoice.items),
        tax_rate=invoice.tax_rate, tax_amount=_decimal(invoice.tax_amount),
        total=_decimal(invoice.total), project_name=invoice.project_name)


class QuickBooksLabs:
    """`billing`: a BillingService stub on the platform's channel (it carries the bound
    principal's token)."""

    def __init__(self, tokens: DelegatedTokens, billing) -> None:
        self._tokens = tokens
        self._billing = billing

    async def record_payment(self, org_id: uuid.UUID, user_id: uuid.UUID,
                             invoice_id: uuid.UUID, line: PaymentLine, external_id: str
                             ) -> uuid.UUID:
        """The Labs payment of the line: recorded now, or the one recorded for it before."""
        paid_at = Timestamp()
        paid_at.FromDatetime(line.paid_at)
        request = billing_pb.RecordPaymentRequest(
            invoice_id=str(invoice_id), amount=str(line.amount), paid_at=paid_at,
            method=billing_pb.PaymentMethod.PAYMENT_METHOD_BANK_TRANSFER,
            reference=line.reference, external_id=external_id)
        with acting_as(await self._tokens.token(org_id, user_id=user_id, reason="quickbooks")):
            answer = await remote_call(self._billing.RecordPayment(request))
        return uuid.UUID(answer.payment.id)
