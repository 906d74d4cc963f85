"""labs.billing.v1.BillingService on the one pattern: each RPC maps its request to a command
(ids, dates, decimals, enums and cursors parsed here, every wrong field named at once), asks
other services what it needs before any transaction opens, then runs one handler `(command,
uow)` in one transaction as the caller. Generating an invoice is a saga of three steps
(service_layer/generation.py); what must reach the time service after a commit goes at once
and through the outbox both."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from functools import partial

import structlog

from labs.billing.v1 import billing_service_pb2 as pb
from labs.billing.v1 import billing_service_pb2_grpc as pb_grpc
from labs_billing.adapters import proto
from labs_billing.adapters.directory import Directory
from labs_billing.adapters.pdf import Party, pdf_filename, render_invoice_pdf
from labs_billing.config import Settings
from labs_billing.domain import commands
from labs_billing.domain.directory import Names
from labs_billing.domain.lines import GroupBy
from labs_billing.service_layer import access, generation, invoices, payments, subscriptions
from labs_billing.service_layer.stripe_inbox import StripeInbox
from labs_billing.service_layer.unit_of_work import UowFactory
from labs_common.auth.principal import current_principal
from labs_common.db.uow import Scope
from labs_common.errors import FieldErrors, InvalidArgument, LabsError
from labs_common.grpc.transactions import TransactionalRpcs, idempotent_call, run_in_transaction
from labs_common.pagination import after_creation, page_size
from labs_common.parsing import (
    date_of,
    decimal_of,
    given,
    object_id,
    optional_date,
    optional_timestamp,
    optional_uuid,
    uuid_of,
)
from labs_common.pdf import in_render_thread
from labs_common.zones import today_in

log = structlog.get_logger(__name__)
# Generations are named from their Idempotency-Key, so a retry resumes the same saga.
GENERATION_NAMESPACE = uuid.UUID("6f1f4f0e-3c1b-4b7e-9a59-4d1f0b6c2a10")


def item_fields(given, n: int, problems: FieldErrors) -> commands.ItemFields | None:
    where = f"items[{n}]"
    quantity = problems.check(lambda: decimal_of(given.quantity, f"{where}.quantity"))
    price = problems.check(lambda: decimal_of(given.unit_price, f"{where}.unit_price"))
    item_id = problems.check(lambda: optional_uuid(given.id, f"{where}.id"))
    if quantity is None or price is None:
        return None
    return commands.ItemFields(given.description, quantity, price, item_id)


def items_of(request, problems: FieldErrors) -> tuple[commands.ItemFields, ...]:
    found = [item_fields(item, n, problems) for n, item in enumerate(request.items)]
    return tuple(item for item in found if item is not None)


def terms_of(request, problems: FieldErrors, *, notes: bool = True) -> commands.InvoiceTerms:
    """The terms a create, generate or update request gives (not all of them have every one)."""
    fields = request.DESCRIPTOR.fields_by_name
    return commands.InvoiceTerms(
        issue_date=problems.check(lambda: optional_date(
            getattr(request, "issue_date", ""), "issue_date")),
        due_date=problems.check(lambda: optional_date(
            getattr(request, "due_date", ""), "due_date")),
        payment_terms_days=given(request, "payment_terms_days")
        if "payment_terms_days" in fields else None,
        tax_rate=problems.check(lambda: decimal_of(request.tax_rate, "tax_rate"))
        if request.tax_rate else None,
        notes=request.notes if notes and request.notes else None,
    )


class BillingServicer(TransactionalRpcs, pb_grpc.BillingServiceServicer):
    def __init__(self, uow: UowFactory, directory: Directory, inbox: StripeInbox,
                 settings: Settings, wake_stripe: Callable[[], None] = lambda: None) -> None:
        self._uow = uow
        self._directory = directory
        self._inbox = inbox
        self._settings = settings
        self._stripe = bool(settings.stripe_api_key)
        self._wake_stripe = wake_stripe

    async def CreateInvoice(self, request, context) -> pb.CreateInvoiceResponse:
        """A manual invoice, billed to a project's client or to a client."""
        access.require_manager(current_principal())
        problems = FieldErrors()
        project_id = problems.check(lambda: optional_uuid(request.project_id, "project_id"))
        client_id = problems.check(lambda: optional_uuid(request.client_id, "client_id"))
        if not request.project_id and not request.client_id:
            problems.check(lambda: _fail("client_id", "give client_id or project_id"))
        command = commands.CreateInvoice(client_id, project_id, request.currency,
                                         items_of(request, problems),
                                         terms_of(request, problems))
        problems.raise_any()
        project = client = None
        if project_id is not None:
            project = await self._directory.project(project_id)
            if project is None:
                raise InvalidArgument.on("project_id", "no such project in this organization")
        elif client_id is not None:
            client = await self._directory.client(client_id)
            if client is None:
                raise InvalidArgument.on("client_id", "no such client in this organization")
        org = await self._directory.organization()
        return await self._handle(context, request, partial(invoices.create_invoice, org=org,
                                                           project=project, client=client),
                                  command, invoice=proto.invoice)

    async def GenerateInvoice(self, request, context) -> pb.GenerateInvoiceResponse:
        """A draft from a project's billable time and expenses of a period (the saga)."""
        principal = current_principal()
        access.require_manager(principal)
        problems = FieldErrors()
        project_id = problems.check(lambda: uuid_of(request.project_id, "project_id"))
        start = problems.check(lambda: date_of(request.period_start, "period_start"))
        end = problems.check(lambda: date_of(request.period_end, "period_end"))
        terms = terms_of(request, problems)
        problems.raise_any()
        group_by = proto.GROUP_BY.get(request.group_by) or GroupBy.PROJECT
        call = idempotent_call(context, request)
        if call is not None:
            async with self._uow(Scope.of_caller(principal)) as uow:
                if (earlier := await call.replay(uow, pb.GenerateInvoiceResponse)) is not None:
                    return earlier
        invoice_id = (uuid.uuid5(GENERATION_NAMESPACE, f"{principal.org_id}:"
                                 f"{principal.user_id}:{call.key}") if call else uuid.uuid4())
        command = commands.GenerateInvoice(
            invoice_id=invoice_id, project_id=project_id, period_start=start, period_end=end,
            group_by=group_by, include_expenses=(request.include_expenses
                                                 if request.HasField("include_expenses")
                                                 else True), terms=terms)
        project = await self._directory.project(project_id)
        if project is None:
            raise InvalidArgument.on("project_id", "no such project in this organization")
        org = await self._directory.organization()
        scope = Scope.of_caller(principal)
        async with self._uow(scope) as uow:
            finished = await generation.begin(command, uow, project=project, org=org,
                                              lease_seconds=self._settings.generation_lease_seconds)
            await uow.commit()
        if finished is not None:
            return pb.GenerateInvoiceResponse(invoice=proto.invoice(finished))
        try:
            reservation = await self._directory.reserve(
                invoice_id, project_id, start, end, command.include_expenses)
            if self._settings.fault_pause_after_reserve_seconds:
                await asyncio.sleep(self._settings.fault_pause_after_reserve_seconds)
            generation.check_reservation(project.currency or org.currency, reservation)
        except Exception:
            await self._give_up(scope, invoice_id, project)
            raise
        try:
            names = await self._directory.names(project_id, reservation)
        except LabsError:
            log.warning("billing.names_unavailable", invoice_id=str(invoice_id))
            names = Names()

        async def complete(uow) -> pb.GenerateInvoiceResponse:
            draft = await generation.complete(command, uow, reservation=reservation, names=names)
            return pb.GenerateInvoiceResponse(invoice=proto.invoice(draft))

        try:
            return await run_in_transaction(self._uow(scope), context, request,
                                            pb.GenerateInvoiceResponse, complete)
        except Exception:
            await self._give_up(scope, invoice_id, project)
            raise

    async def _give_up(self, scope: Scope, invoice_id: uuid.UUID, project) -> None:
        """The compensation, now: the generation is abandoned (the outbox tells time) and time
        asked at once to free what it may have reserved."""
        async with self._uow(scope) as uow:
            await generation.abandon(uow, invoice_id, project.id, project.client_id)
            await uow.commit()
        await self._tell_time(self._directory.release, invoice_id)

    async def GetInvoice(self, request, context) -> pb.GetInvoiceResponse:
        return await self._get_one(context, request, invoices.get_invoice, commands.GetInvoice,
                                   invoice=proto.invoice, what="invoice")

    async def ListInvoices(self, request, context) -> pb.ListInvoicesResponse:
        problems = FieldErrors()
        limit = page_size(request.page_size)
        command = commands.ListInvoices(
            after=after_creation(request.page_token), limit=limit,
            status=proto.STATUS.get(request.status),
            project_id=problems.check(lambda: optional_uuid(request.project_id, "project_id")),
            client_id=problems.check(lambda: optional_uuid(request.client_id, "client_id")),
            date_from=problems.check(lambda: optional_date(request.date_from, "date_from")),
            date_to=problems.check(lambda: optional_date(request.date_to, "date_to")))
        problems.raise_any()
        return await self._handle_page(context, request, invoices.list_invoices, command, limit,
                                       invoices=proto.invoice)

    async def UpdateInvoice(self, request, context) -> pb.UpdateInvoiceResponse:
        problems = FieldErrors()
        invoice_id = object_id(request.id, "invoice")
        fields = frozenset(request.update_mask.paths)
        terms = terms_of(request, problems, notes=False)
        if "notes" in fields:
            terms = commands.InvoiceTerms(**{**terms.__dict__, "notes": request.notes})
        if "tax_rate" in fields and not request.tax_rate:
            terms = commands.InvoiceTerms(**{**terms.__dict__, "tax_rate": Decimal("0")})
        command = commands.UpdateInvoice(invoice_id, fields, terms, items_of(request, problems),
                                         tuple(request.if_match))
        problems.raise_any()
        return await self._handle(context, request, invoices.update_invoice, command,
                                  invoice=proto.invoice)

    async def DeleteInvoice(self, request, context) -> pb.DeleteInvoiceResponse:
        command = commands.DeleteInvoice(object_id(request.id, "invoice"),
                                         tuple(request.if_match))
        answer = await self._handle(context, request, invoices.delete_invoice, command)
        await self._tell_time(self._directory.release, command.id)
        return answer

    async def SendInvoice(self, request, context) -> pb.SendInvoiceResponse:
        """Issues a draft with the organization's next number."""
        access.require_manager(current_principal())
        command = commands.SendInvoice(object_id(request.id, "invoice"))
        org = await self._directory.organization()
        answer = await self._handle(
            context, request, partial(invoices.send_invoice, org=org, stripe=self._stripe),
            command, invoice=proto.invoice)
        self._wake_stripe()
        await self._tell_time(self._directory.mark_invoiced, command.id)
        return answer

    async def VoidInvoice(self, request, context) -> pb.VoidInvoiceResponse:
        command = commands.VoidInvoice(object_id(request.id, "invoice"))
        answer = await self._handle(
            context, request, partial(invoices.void_invoice, stripe=self._stripe), command,
            invoice=proto.invoice)
        self._wake_stripe()
        await self._tell_time(self._directory.release, command.id)
        return answer

    async def RecordPayment(self, request, context) -> pb.RecordPaymentResponse:
        problems = FieldErrors()
        invoice_id = object_id(request.invoice_id, "invoice")
        amount = problems.check(lambda: decimal_of(request.amount, "amount"))
        method = problems.check(lambda: proto.METHOD.parse(request.method, "method"))
        paid_at = problems.check(lambda: optional_timestamp(request, "paid_at"))
        external_id = problems.check(lambda: payments.external_id_of(request.external_id))
        problems.raise_any()
        command = commands.RecordPayment(invoice_id, amount, method, paid_at, request.reference,
                                         external_id)
        return await self._handle(
            context, request, payments.record_payment, command,
            lambda done: pb.RecordPaymentResponse(payment=proto.payment(done[0]),
                                                  invoice=proto.invoice(done[1])))

    async def ListPayments(self, request, context) -> pb.ListPaymentsResponse:
        command = commands.ListPayments(object_id(request.invoice_id, "invoice"))
        return await self._handle(
            context, request, payments.list_payments, command,
            lambda found: pb.ListPaymentsResponse(payments=[proto.payment(p) for p in found]))

    async def RenderInvoicePdf(self, request, context) -> pb.RenderInvoicePdfResponse:
        """The invoice drawn as a PDF (after its transaction: rendering takes a while)."""
        command = commands.RenderInvoice(object_id(request.id, "invoice"))
        found = await self._handle(context, request, invoices.render_source, command,
                                   lambda invoice: invoice)
        pdf = await in_render_thread(
            render_invoice_pdf, found, Party(found.agency_name), Party(found.client_name),
            today=today_in(found.timezone))
        return pb.RenderInvoicePdfResponse(pdf=pdf, filename=pdf_filename(found))

    async def ReceiveStripeEvent(self, request, context) -> pb.ReceiveStripeEventResponse:
        """Public: Stripe's signature is the credential."""
        event_id, accepted = await self._inbox.receive(request.payload, request.signature)
        return pb.ReceiveStripeEventResponse(event_id=event_id, accepted=accepted)

    async def GetSubscription(self, request, context) -> pb.GetSubscriptionResponse:
        return await self._handle(context, request, subscriptions.get_subscription,
                                  commands.GetSubscription(), subscription=proto.subscription)

    async def ChangeSubscription(self, request, context) -> pb.ChangeSubscriptionResponse:
        command = commands.ChangeSubscription(proto.PLAN.parse(request.plan, "plan"))
        return await self._handle(context, request, subscriptions.change_subscription, command,
                                  subscription=proto.subscription)

    async def _tell_time(self, step: Callable[[uuid.UUID], Awaitable[None]],
                         invoice_id: uuid.UUID) -> None:
        """A saga step for time after billing committed: asked now so the caller sees it done;
        if time cannot answer, its consumer of billing's event does it a moment later."""
        try:
            await step(invoice_id)
        except LabsError as error:
            log.warning("billing.time_step_deferred", invoice_id=str(invoice_id),
                        step=step.__name__, error=str(error))


def _fail(field: str, message: str) -> None:
    raise InvalidArgument.on(field, message)
