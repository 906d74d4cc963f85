"""Invoices: manual or generated from a project's time, drafts changed (If-Match) or deleted,
issued with the organization's next number, voided, paid, and rendered as a PDF."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from labs.billing.v1 import billing_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.dependencies import IdempotentWrite, IfMatch
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.billing_common import Billing, Cursor, Limit
from labs_gateway.routes.etags import if_match_etags, set_etag
from labs_gateway.routes.files import _attachment
from labs_gateway.schemas.billing import (
    InvoiceCreate,
    InvoiceGenerate,
    InvoiceList,
    InvoicePublic,
    InvoiceStatusName,
    InvoiceUpdate,
    PaymentCreate,
    PaymentList,
    PaymentPublic,
)
from labs_gateway.schemas.proto_json import to_message
from labs_gateway.schemas.public import public

router = APIRouter(route_class=ExactJsonRoute, tags=["billing"], responses=PROBLEM_RESPONSES)

InvoiceId = Annotated[uuid.UUID, Path(alias="id")]
DateQuery = Annotated[date | None, Query(description="YYYY-MM-DD: the issue date (a draft's "
                                                     "creation date), inclusive.")]
IF_MATCH_FAILED = {412: PROBLEM_RESPONSES[422] | {"description": "If-Match failed"}}
PDF_RESPONSE = {200: {"content": {"application/pdf": {}}, "description": "The invoice as a PDF."}}


def _invoice(response: Response, invoice: pb.Invoice):
    set_etag(response, invoice.etag)
    return public(invoice)


@router.get("/invoices", response_model=InvoiceList)
async def list_invoices(billing: Billing,
                        invoice_status: Annotated[InvoiceStatusName | None,
                                                  Query(alias="status")] = None,
                        project_id: uuid.UUID | None = None, client_id: uuid.UUID | None = None,
                        date_from: DateQuery = None, date_to: DateQuery = None,
                        limit: Limit = 50, cursor: Cursor = None):
    """The organization's invoices, newest first; a client-role user sees only its client's
    issued invoices. Manager or above, or a client."""
    if date_from is not None and date_to is not None and date_to < date_from:
        raise InvalidArgument.on("date_to", "must not be before date_from")
    filters = {"status": invoice_status, "project_id": project_id, "client_id": client_id,
               "date_from": date_from, "date_to": date_to}
    page = await billing.ListInvoices(to_message(pb.ListInvoicesRequest, {
        "page_size": limit, "page_token": cursor,
        **{name: value for name, value in filters.items() if value is not None}}))
    return InvoiceList(invoices=[public(i) for i in page.invoices],
                       next_cursor=page.next_page_token or None)


@router.post("/invoices", status_code=status.HTTP_201_CREATED, response_model=InvoicePublic,
             dependencies=[IdempotentWrite])
async def create_invoice(body: InvoiceCreate, billing: Billing, response: Response):
    """A manual invoice for a client or a project, as a draft. Manager or above."""
    created = await billing.CreateInvoice(to_message(pb.CreateInvoiceRequest, body.model_dump()))
    return _invoice(response, created.invoice)


@router.post("/invoices/generate", status_code=status.HTTP_201_CREATED,
             response_model=InvoicePublic, dependencies=[IdempotentWrite])
async def generate_invoice(body: InvoiceGenerate, billing: Billing, response: Response):
    """A draft from the project's billable, uninvoiced, finished time entries of the period
    (quantity: rounded hours, unit price: the entry's billable rate) and its billable expenses,
    which become invoiced; nothing to bill is a 422 naming period_start. Manager or above."""
    generated = await billing.GenerateInvoice(
        to_message(pb.GenerateInvoiceRequest, body.model_dump()))
    return _invoice(response, generated.invoice)


@router.get("/invoices/{id}", response_model=InvoicePublic)
async def get_invoice(invoice_id: InvoiceId, billing: Billing, response: Response):
    """One invoice; its ETag goes back in If-Match."""
    found = await billing.GetInvoice(pb.GetInvoiceRequest(id=str(invoice_id)))
    return _invoice(response, found.invoice)


@router.patch("/invoices/{id}", response_model=InvoicePublic, responses=IF_MATCH_FAILED,
              dependencies=[IdempotentWrite])
async def update_invoice(invoice_id: InvoiceId, body: InvoiceUpdate, billing: Billing,
                         response: Response, if_match: IfMatch = None):
    """Change the given fields of a draft (`items` replaces its items); anything but a draft
    answers 409. Manager or above."""
    given = body.model_fields_set
    if not given:
        raise InvalidArgument.on("body", "Give at least one field to change.")
    for name in sorted(given):
        if getattr(body, name) is None:
            raise InvalidArgument.on(name, "must not be null")
    updated = await billing.UpdateInvoice(to_message(pb.UpdateInvoiceRequest, {
        "id": invoice_id, "update_mask": sorted(given), "if_match": if_match_etags(if_match),
        **body.model_dump(include=given)}))
    return _invoice(response, updated.invoice)


@router.delete("/invoices/{id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, responses=IF_MATCH_FAILED,
               dependencies=[IdempotentWrite])
async def delete_invoice(invoice_id: InvoiceId, billing: Billing,
                         if_match: IfMatch = None) -> Response:
    """Delete a draft; its time entries and expenses are uninvoiced again. Anything but a draft
    answers 409. Manager or above."""
    await billing.DeleteInvoice(pb.DeleteInvoiceRequest(
        id=str(invoice_id), if_match=if_match_etags(if_match)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/invoices/{id}/send", response_model=InvoicePublic, dependencies=[IdempotentWrite])
async def send_invoice(invoice_id: InvoiceId, billing: Billing, response: Response):
    """Issue a draft: the organization's next number (gapless, in issue order), `sent_at`, and
    `issue_date` unless set; with Stripe configured, the Stripe invoice and its payment link
    follow. An issued invoice is answered unchanged. Manager or above."""
    sent = await billing.SendInvoice(pb.SendInvoiceRequest(id=str(invoice_id)))
    return _invoice(response, sent.invoice)


@router.post("/invoices/{id}/void", response_model=InvoicePublic, dependencies=[IdempotentWrite])
async def void_invoice(invoice_id: InvoiceId, billing: Billing, response: Response):
    """Void an issued invoice without payments: it keeps its number and its time entries and
    expenses are uninvoiced again; a paid one answers 409. Manager or above."""
    voided = await billing.VoidInvoice(pb.VoidInvoiceRequest(id=str(invoice_id)))
    return _invoice(response, voided.invoice)


@router.get("/invoices/{id}/payments", response_model=PaymentList)
async def list_payments(invoice_id: InvoiceId, billing: Billing):
    """The payments of an invoice, oldest first."""
    found = await billing.ListPayments(pb.ListPaymentsRequest(invoice_id=str(invoice_id)))
    return PaymentList(payments=[public(p) for p in found.payments])


@router.post("/invoices/{id}/payments", status_code=status.HTTP_201_CREATED,
             response_model=PaymentPublic, dependencies=[IdempotentWrite])
async def record_payment(invoice_id: InvoiceId, body: PaymentCreate, billing: Billing):
    """Record a payment on an issued invoice, which becomes partially paid or paid; more than
    the amount due is a 422 naming amount. Manager or above."""
    recorded = await billing.RecordPayment(to_message(pb.RecordPaymentRequest, {
        "invoice_id": invoice_id, **body.model_dump()}))
    return public(recorded.payment)


@router.get("/invoices/{id}/pdf", response_class=Response, responses=PDF_RESPONSE)
async def invoice_pdf(invoice_id: InvoiceId, billing: Billing) -> Response:
    """The invoice as a PDF: number, dates, the agency and its client, items, totals, the amount
    due and the payment link."""
    rendered = await billing.RenderInvoicePdf(pb.RenderInvoicePdfRequest(id=str(invoice_id)))
    filename = rendered.filename or f"invoice-{invoice_id}.pdf"
    return Response(content=rendered.pdf, media_type="application/pdf", headers={
        "Content-Disposition": _attachment(filename),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    })
