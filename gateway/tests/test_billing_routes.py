"""Billing through the gateway, against a fake billing service over real gRPC that records what
the gateway sent: the routes API.md lists, request validation (422s before any call), the
invoice as REST shows it, ETag / If-Match, the PDF, and Stripe's webhook (public, raw bytes)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import grpc
import pytest
from google.protobuf import timestamp_pb2

from labs.billing.v1 import billing_service_pb2 as pb
from labs.billing.v1 import billing_service_pb2_grpc as billing_grpc
from labs_common.errors import InvalidArgument, LabsError
from labs_common.grpc.status import to_status

ORG_ID = uuid.uuid4()
CLIENT_ID = str(uuid.uuid4())
PROJECT_ID = str(uuid.uuid4())
INVOICE_ID = str(uuid.uuid4())
ENTRY_ID = str(uuid.uuid4())
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def invoice(**fields) -> pb.Invoice:
    values = dict(
        id=INVOICE_ID, status=pb.INVOICE_STATUS_DRAFT, client_id=CLIENT_ID, currency="EUR",
        due_date="2027-02-28", payment_terms_days=30,
        items=[pb.InvoiceItem(id=str(uuid.uuid4()), kind=pb.ITEM_KIND_TIME,
                              description="Design", quantity="7.50", unit_price="120.00",
                              amount="900.00", time_entry_ids=[ENTRY_ID])],
        subtotal="900.00", tax_rate="20", tax_amount="180.00", total="1080.00",
        amount_paid="0.00", amount_due="1080.00", stripe_invoice_id="in_123", etag="v1",
        created_at=timestamp_pb2.Timestamp(seconds=1_800_000_000))
    values.update(fields)
    return pb.Invoice(**values)


class FakeBilling(billing_grpc.BillingServiceServicer):
    """Answers like billing would, and keeps each request with its metadata."""

    def __init__(self) -> None:
        self.requests: dict[str, list] = {}
        self.metadata: dict[str, list[dict[str, str]]] = {}
        # What a method answers instead: a LabsError as billing raises it, or (code, details).
        self.refuse: dict[str, LabsError | tuple[grpc.StatusCode, str]] = {}

    async def _take(self, method: str, request, context) -> None:
        self.requests.setdefault(method, []).append(request)
        self.metadata.setdefault(method, []).append(
            {m.key: m.value for m in context.invocation_metadata()})
        refusal = self.refuse.get(method)
        if isinstance(refusal, LabsError):
            await context.abort_with_status(to_status(refusal))
        elif refusal is not None:
            await context.abort(*refusal)

    def only(self, method: str):
        [request] = self.requests[method]
        return request

    async def CreateInvoice(self, request, context):
        await self._take("CreateInvoice", request, context)
        return pb.CreateInvoiceResponse(invoice=invoice())

    async def GenerateInvoice(self, request, context):
        await self._take("GenerateInvoice", request, context)
        return pb.GenerateInvoiceResponse(invoice=invoice(
            project_id=request.project_id, period_start=request.period_start,
            period_end=request.period_end))

    async def GetInvoice(self, request, context):
        await self._take("GetInvoice", request, context)
        return pb.GetInvoiceResponse(invoice=invoice(id=request.id))

    async def ListInvoices(self, request, context):
        await self._take("ListInvoices", request, context)
        return pb.ListInvoicesResponse(invoices=[invoice()], next_page_token="next")

    async def UpdateInvoice(self, request, context):
        await self._take("UpdateInvoice", request, context)
        return pb.UpdateInvoiceResponse(invoice=invoice(etag="v2", notes=request.notes))

    async def DeleteInvoice(self, request, context):
        await self._take("DeleteInvoice", request, context)
        return pb.DeleteInvoiceResponse()

    async def SendInvoice(self, request, context):
        await self._take("SendInvoice", request, context)
        return pb.SendInvoiceResponse(invoice=invoice(
            number="INV-0001", status=pb.INVOICE_STATUS_SENT, issue_date="2027-01-29",
            sent_at=timestamp_pb2.Timestamp(seconds=1_800_000_100),
            payment_url="https://pay.example/i/1"))

    async def VoidInvoice(self, request, context):
        await self._take("VoidInvoice", request, context)
        return pb.VoidInvoiceResponse(invoice=invoice(
            number="INV-0001", status=pb.INVOICE_STATUS_VOID,
            voided_at=timestamp_pb2.Timestamp(seconds=1_800_000_200)))

    async def RecordPayment(self, request, context):
        await self._take("RecordPayment", request, context)
        return pb.RecordPaymentResponse(
            payment=pb.Payment(id="pay-1", invoice_id=request.invoice_id, amount=request.amount,
                               currency="EUR", paid_at=request.paid_at, method=request.method,
                               reference=request.reference),
            invoice=invoice(status=pb.INVOICE_STATUS_PARTIALLY_PAID))

    async def ListPayments(self, request, context):
        await self._take("ListPayments", request, context)
        return pb.ListPaymentsResponse(payments=[pb.Payment(
            id="pay-1", invoice_id=request.invoice_id, amount="500.00", currency="EUR",
            method=pb.PAYMENT_METHOD_BANK_TRANSFER)])

    async def RenderInvoicePdf(self, request, context):
        await self._take("RenderInvoicePdf", request, context)
        return pb.RenderInvoicePdfResponse(pdf=PDF, filename="INV-0001.pdf")

    async def ReceiveStripeEvent(self, request, context):
        await self._take("ReceiveStripeEvent", request, context)
        return pb.ReceiveStripeEventResponse(event_id="evt_1", accepted=True)

    async def GetSubscription(self, request, context):
        await self._take("GetSubscription", request, context)
        return pb.GetSubscriptionResponse(subscription=pb.Subscription(
            plan=pb.PLAN_FREE, status="active", stripe_subscription_id="sub_1"))

    async def ChangeSubscription(self, request, context):
        await self._take("ChangeSubscription", request, context)
        return pb.ChangeSubscriptionResponse(subscription=pb.Subscription(
            plan=request.plan, status="pending"))


@pytest.fixture
async def billing():
    fake = FakeBilling()
    server = grpc.aio.server()
    billing_grpc.add_BillingServiceServicer_to_server(fake, server)
    fake.address = f"127.0.0.1:{server.add_insecure_port('127.0.0.1:0')}"
    await server.start()
    yield fake
    await server.stop(None)


@pytest.fixture
def gateway(make_client, billing):
    return make_client(billing_addr=billing.address)


@pytest.fixture
def token(issue_token):
    def make(role: str = "manager", **claims) -> dict[str, str]:
        return {"authorization": f"Bearer {issue_token(ORG_ID, role, **claims)}"}
    return make


def fields_named(response) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {error["field"] for error in response.json()["errors"]}


# The routes API.md lists


ROUTES = [
    ("get", "/api/v1/invoices", "200"),
    ("post", "/api/v1/invoices", "201"),
    ("post", "/api/v1/invoices/generate", "201"),
    ("get", "/api/v1/invoices/{id}", "200"),
    ("patch", "/api/v1/invoices/{id}", "200"),
    ("delete", "/api/v1/invoices/{id}", "204"),
    ("post", "/api/v1/invoices/{id}/send", "200"),
    ("post", "/api/v1/invoices/{id}/void", "200"),
    ("get", "/api/v1/invoices/{id}/payments", "200"),
    ("post", "/api/v1/invoices/{id}/payments", "201"),
    ("get", "/api/v1/invoices/{id}/pdf", "200"),
    ("post", "/api/v1/webhooks/stripe", "200"),
    ("get", "/api/v1/billing/subscription", "200"),
    ("post", "/api/v1/billing/subscription", "200"),
]


async def test_openapi_lists_every_billing_route_with_its_statuses(gateway):
    spec = (await gateway.get("/api/v1/openapi.json")).json()
    for method, path, success in ROUTES:
        operation = spec["paths"][path][method]
        assert success in operation["responses"], (method, path)
        assert operation["summary"] and operation.get("description"), (method, path)
        if path != "/api/v1/webhooks/stripe":
            assert {"401", "403", "404"} <= set(operation["responses"]), (method, path)
    for method in ("patch", "delete"):
        operation = spec["paths"]["/api/v1/invoices/{id}"][method]
        assert "412" in operation["responses"] and "409" in operation["responses"]
        assert any(p["name"] == "If-Match" for p in operation["parameters"])
    webhook = spec["paths"]["/api/v1/webhooks/stripe"]["post"]
    assert {"400", "413"} <= set(webhook["responses"])
    assert "401" not in webhook["responses"]
    assert any(p["name"] == "Stripe-Signature" for p in webhook["parameters"])
    pdf = spec["paths"]["/api/v1/invoices/{id}/pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in pdf["content"]
    listing = {p["name"] for p in spec["paths"]["/api/v1/invoices"]["get"]["parameters"]}
    assert listing == {"status", "project_id", "client_id", "date_from", "date_to", "limit",
                       "cursor"}


async def test_openapi_writes_money_as_strings_and_takes_decimals_either_way(gateway):
    schemas = (await gateway.get("/api/v1/openapi.json")).json()["components"]["schemas"]
    public = schemas["InvoicePublic"]["properties"]
    for money in ("subtotal", "tax_amount", "total", "amount_paid", "amount_due"):
        assert public[money]["type"] == "string", money
    item = schemas["InvoiceItemCreate"]["properties"]
    for decimal in ("quantity", "unit_price"):
        assert {kind["type"] for kind in item[decimal]["anyOf"]} == {"string", "number"}
    assert schemas["InvoiceCreate"]["additionalProperties"] is False
    assert schemas["InvoiceUpdate"]["minProperties"] == 1
    assert set(schemas["PaymentCreate"]["required"]) == {"amount", "method"}
    group_by = schemas["InvoiceGenerate"]["properties"]["group_by"]
    assert group_by["default"] == "project"
    assert set(group_by["enum"]) == {"task", "person", "date", "project", "none"}
    assert schemas["InvoiceGenerate"]["properties"]["include_expenses"]["default"] is True


async def test_every_route_needs_a_caller_but_the_webhook(gateway, billing):
    for method, path, _ in ROUTES:
        if "webhooks" in path:
            continue
        url = path.replace("{id}", INVOICE_ID)
        response = await gateway.request(method.upper(), url, json={} if method != "get" else None)
        assert response.status_code == 401, (method, path)
    assert billing.requests == {}


# Invoices


async def test_a_manual_invoice_sends_its_decimals_exactly_and_answers_the_rest_object(
        gateway, billing, token):
    raw = ('{"client_id": "' + CLIENT_ID + '", "items": [{"description": "Workshop", '
           '"quantity": 1.50, "unit_price": "1200.10"}], "tax_rate": 7.5, "currency": "eur", '
           '"payment_terms_days": 14}')
    response = await gateway.post("/api/v1/invoices", content=raw, headers={
        **token(), "content-type": "application/json", "Idempotency-Key": "inv-1"})
    assert response.status_code == 201, response.text
    sent = billing.only("CreateInvoice")
    assert sent.client_id == CLIENT_ID and sent.project_id == ""
    assert (sent.items[0].quantity, sent.items[0].unit_price) == ("1.50", "1200.10")
    assert (sent.tax_rate, sent.currency, sent.payment_terms_days) == ("7.5", "EUR", 14)
    assert sent.HasField("payment_terms_days")
    assert billing.metadata["CreateInvoice"][0]["idempotency-key"] == "inv-1"
    assert response.headers["etag"] == '"v1"'
    body = response.json()
    assert body["status"] == "draft" and body["number"] is None
    assert body["subtotal"] == "900.00" and body["total"] == "1080.00"
    assert body["tax_rate"] == "20" and body["due_date"] == "2027-02-28"
    assert body["items"][0]["kind"] == "time" and body["items"][0]["quantity"] == 7.5
    assert body["items"][0]["time_entry_ids"] == [ENTRY_ID]
    assert body["stripe_invoice_id"] == "in_123"
    for unset in ("project_id", "issue_date", "period_start", "payment_url", "sent_at",
                  "paid_at", "voided_at"):
        assert body[unset] is None, unset
    assert body["created_at"].endswith("Z") or body["created_at"].endswith("+00:00")


async def test_without_payment_terms_none_are_sent(gateway, billing, token):
    response = await gateway.post("/api/v1/invoices", headers=token(),
                                  json={"project_id": PROJECT_ID})
    assert response.status_code == 201, response.text
    sent = billing.only("CreateInvoice")
    assert not sent.HasField("payment_terms_days") and list(sent.items) == []
    assert sent.project_id == PROJECT_ID and sent.tax_rate == "" and sent.currency == ""


async def test_an_invoice_needs_a_client_or_a_project(gateway, billing, token):
    response = await gateway.post("/api/v1/invoices", headers=token(), json={
        "items": [{"description": "x", "quantity": 1, "unit_price": 1}]})
    assert fields_named(response) == {"client_id", "project_id"}
    assert "CreateInvoice" not in billing.requests


@pytest.mark.parametrize(("body", "wrong"), [
    ({"client_id": CLIENT_ID, "amount_due": "5"}, {"amount_due"}),
    ({"client_id": CLIENT_ID, "items": [{"description": "x", "quantity": 1, "unit_price": 1,
                                         "tax": 1}]}, {"items.0.tax"}),
    ({"client_id": CLIENT_ID, "items": [{"quantity": 0, "unit_price": -1}]},
     {"items.0.description", "items.0.quantity", "items.0.unit_price"}),
    ({"client_id": CLIENT_ID, "items": [{"description": "x", "quantity": "1,5",
                                         "unit_price": "1.005"}]},
     {"items.0.quantity", "items.0.unit_price"}),
    ({"client_id": "acme", "tax_rate": "101", "currency": "XYZ", "due_date": "soon"},
     {"client_id", "tax_rate", "currency", "due_date"}),
    ({"client_id": CLIENT_ID, "due_date": "2027-03-01", "payment_terms_days": 30},
     {"payment_terms_days"}),
    ({"client_id": CLIENT_ID, "issue_date": "2027-03-01", "due_date": "2027-02-01"},
     {"due_date"}),
    ({"client_id": CLIENT_ID, "items": [{"description": "x", "quantity": True,
                                         "unit_price": 1}]}, {"items.0.quantity"}),
])
async def test_one_422_names_every_wrong_field_of_a_manual_invoice(gateway, billing, token,
                                                                   body, wrong):
    response = await gateway.post("/api/v1/invoices", headers=token(), json=body)
    assert fields_named(response) == wrong
    assert billing.requests == {}


async def test_generating_defaults_to_one_item_per_project_with_expenses(gateway, billing,
                                                                         token):
    response = await gateway.post("/api/v1/invoices/generate", headers=token(), json={
        "project_id": PROJECT_ID, "period_start": "2027-01-01", "period_end": "2027-01-31"})
    assert response.status_code == 201, response.text
    sent = billing.only("GenerateInvoice")
    assert sent.group_by == pb.GROUP_BY_PROJECT
    assert sent.HasField("include_expenses") and sent.include_expenses is True
    assert (sent.period_start, sent.period_end) == ("2027-01-01", "2027-01-31")
    assert response.json()["period_start"] == "2027-01-01"


async def test_generating_by_person_without_expenses(gateway, billing, token):
    response = await gateway.post("/api/v1/invoices/generate", headers=token(), json={
        "project_id": PROJECT_ID, "period_start": "2027-01-01", "period_end": "2027-01-31",
        "group_by": "person", "include_expenses": False, "tax_rate": "19",
        "payment_terms_days": 45})
    assert response.status_code == 201, response.text
    sent = billing.only("GenerateInvoice")
    assert sent.group_by == pb.GROUP_BY_PERSON and sent.include_expenses is False
    assert sent.HasField("include_expenses")
    assert (sent.tax_rate, sent.payment_terms_days) == ("19", 45)


@pytest.mark.parametrize(("body", "wrong"), [
    ({"project_id": PROJECT_ID, "period_start": "2027-01-31", "period_end": "2027-01-01",
      "group_by": "client"}, {"period_end", "group_by"}),
    ({"period_start": "January", "include_expenses": "yes"},
     {"project_id", "period_start", "period_end", "include_expenses"}),
    ({"project_id": PROJECT_ID, "period_start": "2027-01-01", "period_end": "2027-01-31",
      "group": "task"}, {"group"}),
])
async def test_one_422_names_every_wrong_field_of_a_generation(gateway, billing, token, body,
                                                               wrong):
    response = await gateway.post("/api/v1/invoices/generate", headers=token(), json=body)
    assert fields_named(response) == wrong
    assert billing.requests == {}


async def test_listing_passes_its_filters_and_pages(gateway, billing, token):
    response = await gateway.get("/api/v1/invoices", headers=token(), params={
        "status": "partially_paid", "project_id": PROJECT_ID, "client_id": CLIENT_ID,
        "date_from": "2027-01-01", "date_to": "2027-01-31", "limit": 10, "cursor": "c1"})
    assert response.status_code == 200, response.text
    sent = billing.only("ListInvoices")
    assert sent.status == pb.INVOICE_STATUS_PARTIALLY_PAID
    assert (sent.project_id, sent.client_id) == (PROJECT_ID, CLIENT_ID)
    assert (sent.date_from, sent.date_to, sent.page_size, sent.page_token) == (
        "2027-01-01", "2027-01-31", 10, "c1")
    page = response.json()
    assert page["next_cursor"] == "next" and page["invoices"][0]["id"] == INVOICE_ID


async def test_listing_without_filters_sends_none(gateway, billing, token):
    assert (await gateway.get("/api/v1/invoices", headers=token())).status_code == 200
    sent = billing.only("ListInvoices")
    assert sent == pb.ListInvoicesRequest(page_size=50)


@pytest.mark.parametrize(("params", "wrong"), [
    ({"status": "unpaid"}, {"status"}),
    ({"date_from": "2027-13-01"}, {"date_from"}),
    ({"date_from": "2027-02-01", "date_to": "2027-01-01"}, {"date_to"}),
    ({"limit": 501}, {"limit"}),
    ({"client_id": "acme"}, {"client_id"}),
])
async def test_bad_list_filters_are_422s_naming_them(gateway, billing, token, params, wrong):
    response = await gateway.get("/api/v1/invoices", headers=token(), params=params)
    assert fields_named(response) == wrong
    assert billing.requests == {}


async def test_reading_one_invoice_answers_its_etag(gateway, billing, token):
    response = await gateway.get(f"/api/v1/invoices/{INVOICE_ID}", headers=token())
    assert response.status_code == 200 and response.headers["etag"] == '"v1"'
    assert billing.only("GetInvoice").id == INVOICE_ID
    assert (await gateway.get("/api/v1/invoices/INV-0001", headers=token())).status_code == 422


async def test_a_client_reader_sees_no_stripe_id_and_no_time_entry_ids(gateway, token):
    response = await gateway.get(f"/api/v1/invoices/{INVOICE_ID}",
                                 headers=token("client", client_id=CLIENT_ID))
    assert response.status_code == 200, response.text
    body = response.json()
    assert "stripe_invoice_id" not in body
    assert "time_entry_ids" not in body["items"][0] and "expense_ids" not in body["items"][0]
    assert body["items"][0]["amount"] == "900.00"


async def test_patch_sends_the_fields_given_their_mask_and_if_match(gateway, billing, token):
    response = await gateway.patch(
        f"/api/v1/invoices/{INVOICE_ID}",
        headers={**token(), "If-Match": '"v1"'},
        json={"notes": "Thanks!", "tax_rate": 0, "due_date": "2027-03-31",
              "items": [{"description": "Build", "quantity": "10", "unit_price": 95.5}]})
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"v2"'
    sent = billing.only("UpdateInvoice")
    assert sent.id == INVOICE_ID and list(sent.if_match) == ["v1"]
    assert sorted(sent.update_mask.paths) == ["due_date", "items", "notes", "tax_rate"]
    assert (sent.notes, sent.tax_rate, sent.due_date) == ("Thanks!", "0", "2027-03-31")
    assert (sent.items[0].quantity, sent.items[0].unit_price) == ("10", "95.5")


@pytest.mark.parametrize(("body", "wrong"), [
    ({}, {"body"}),
    ({"notes": None}, {"notes"}),
    ({"number": "INV-0009"}, {"number"}),
    ({"status": "paid"}, {"status"}),
    ({"tax_rate": "abc", "issue_date": "2027-02-30"}, {"tax_rate", "issue_date"}),
])
async def test_a_patch_changes_only_what_a_draft_may(gateway, billing, token, body, wrong):
    response = await gateway.patch(f"/api/v1/invoices/{INVOICE_ID}", headers=token(), json=body)
    assert fields_named(response) == wrong
    assert billing.requests == {}


async def test_delete_is_204_with_if_match(gateway, billing, token):
    response = await gateway.delete(f"/api/v1/invoices/{INVOICE_ID}",
                                    headers={**token(), "If-Match": 'W/"v1"'})
    assert response.status_code == 204 and response.content == b""
    sent = billing.only("DeleteInvoice")
    assert sent.id == INVOICE_ID and list(sent.if_match) == ["v1"]


async def test_a_stale_if_match_is_412(gateway, billing, token):
    billing.refuse["UpdateInvoice"] = (grpc.StatusCode.ABORTED, "The invoice changed.")
    response = await gateway.patch(f"/api/v1/invoices/{INVOICE_ID}",
                                   headers={**token(), "If-Match": '"old"'}, json={"notes": "x"})
    assert response.status_code == 412, response.text


async def test_send_and_void_answer_the_invoice(gateway, billing, token):
    sent = await gateway.post(f"/api/v1/invoices/{INVOICE_ID}/send", headers=token())
    assert sent.status_code == 200, sent.text
    body = sent.json()
    assert (body["number"], body["status"], body["issue_date"]) == (
        "INV-0001", "sent", "2027-01-29")
    assert body["sent_at"] and body["payment_url"] == "https://pay.example/i/1"
    voided = await gateway.post(f"/api/v1/invoices/{INVOICE_ID}/void", headers=token())
    assert voided.status_code == 200 and voided.json()["status"] == "void"
    assert voided.json()["voided_at"] and voided.json()["number"] == "INV-0001"
    assert billing.only("SendInvoice").id == billing.only("VoidInvoice").id == INVOICE_ID


@pytest.mark.parametrize(("code", "status"), [
    (grpc.StatusCode.PERMISSION_DENIED, 403), (grpc.StatusCode.NOT_FOUND, 404),
    (grpc.StatusCode.FAILED_PRECONDITION, 409),
])
async def test_billings_refusals_keep_their_meaning(gateway, billing, token, code, status):
    billing.refuse["SendInvoice"] = (code, "No.")
    response = await gateway.post(f"/api/v1/invoices/{INVOICE_ID}/send",
                                  headers=token("member"))
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


# Payments


async def test_recording_a_payment_answers_the_payment(gateway, billing, token):
    response = await gateway.post(f"/api/v1/invoices/{INVOICE_ID}/payments", headers=token(),
                                  json={"amount": "500.10", "method": "bank_transfer",
                                        "paid_at": "2027-02-01T10:00:00+01:00",
                                        "reference": "SEPA 42"})
    assert response.status_code == 201, response.text
    sent = billing.only("RecordPayment")
    assert (sent.invoice_id, sent.amount, sent.method) == (
        INVOICE_ID, "500.10", pb.PAYMENT_METHOD_BANK_TRANSFER)
    assert sent.paid_at.ToDatetime(tzinfo=UTC) == datetime(2027, 2, 1, 9, tzinfo=UTC)
    body = response.json()
    assert {"id", "amount", "paid_at", "method", "reference"} <= set(body)
    assert (body["amount"], body["method"], body["reference"]) == (
        "500.10", "bank_transfer", "SEPA 42")
    assert body["paid_at"].startswith("2027-02-01T09:00:00")


async def test_a_payment_without_a_date_is_paid_now_by_the_service(gateway, billing, token):
    response = await gateway.post(f"/api/v1/invoices/{INVOICE_ID}/payments", headers=token(),
                                  json={"amount": "10", "method": "cash"})
    assert response.status_code == 201, response.text
    assert not billing.only("RecordPayment").HasField("paid_at")


@pytest.mark.parametrize(("body", "wrong"), [
    ({"amount": "10"}, {"method"}),
    ({"amount": 0, "method": "bitcoin"}, {"amount", "method"}),
    ({"amount": "12.345", "method": "card", "paid_at": "yesterday"}, {"amount", "paid_at"}),
    ({"amount": "10", "method": "card", "paid_at": "2027-02-01T10:00:00"}, {"paid_at"}),
    ({"amount": "10", "method": "card", "currency": "EUR"}, {"currency"}),
])
async def test_one_422_names_every_wrong_field_of_a_payment(gateway, billing, token, body, wrong):
    response = await gateway.post(f"/api/v1/invoices/{INVOICE_ID}/payments", headers=token(),
                                  json=body)
    assert fields_named(response) == wrong
    assert billing.requests == {}


async def test_an_overpayment_is_the_services_422_naming_amount(gateway, billing, token):
    billing.refuse["RecordPayment"] = InvalidArgument.on(
        "amount", "is more than the amount due (1080.00)")
    response = await gateway.post(f"/api/v1/invoices/{INVOICE_ID}/payments", headers=token(),
                                  json={"amount": "2000", "method": "card"})
    assert fields_named(response) == {"amount"}


async def test_nothing_to_bill_is_the_services_422_naming_period_start(gateway, billing, token):
    billing.refuse["GenerateInvoice"] = InvalidArgument.on(
        "period_start", "no billable, uninvoiced time or expenses in the period")
    response = await gateway.post("/api/v1/invoices/generate", headers=token(), json={
        "project_id": PROJECT_ID, "period_start": "2027-01-01", "period_end": "2027-01-31"})
    assert fields_named(response) == {"period_start"}


async def test_listing_payments(gateway, billing, token):
    response = await gateway.get(f"/api/v1/invoices/{INVOICE_ID}/payments", headers=token())
    assert response.status_code == 200, response.text
    [payment] = response.json()["payments"]
    assert (payment["amount"], payment["method"], payment["paid_at"]) == (
        "500.00", "bank_transfer", None)


# The PDF


async def test_the_pdf_is_the_services_bytes_as_an_attachment(gateway, billing, token):
    response = await gateway.get(f"/api/v1/invoices/{INVOICE_ID}/pdf", headers=token())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content == PDF and response.content.startswith(b"%PDF")
    assert 'filename="INV-0001.pdf"' in response.headers["content-disposition"]
    assert response.headers["x-content-type-options"] == "nosniff"


# Stripe's webhook


STRIPE_BODY = b'{\n  "id": "evt_1",  "type": "invoice.paid",\n  "data": {"object": {}}}\n'
SIGNATURE = "t=1800000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd"


async def test_the_webhook_forwards_the_exact_bytes_and_signature_without_a_token(
        gateway, billing):
    response = await gateway.post("/api/v1/webhooks/stripe", content=STRIPE_BODY, headers={
        "Stripe-Signature": SIGNATURE, "content-type": "application/json; charset=utf-8"})
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True}
    sent = billing.only("ReceiveStripeEvent")
    assert sent.payload == STRIPE_BODY and sent.signature == SIGNATURE
    assert "authorization" not in billing.metadata["ReceiveStripeEvent"][0]


async def test_the_webhook_never_forwards_a_bearer_sent_along(gateway, billing, token):
    response = await gateway.post("/api/v1/webhooks/stripe", content=b"not even json",
                                  headers={"Stripe-Signature": SIGNATURE, **token("owner")})
    assert response.status_code == 200, response.text
    assert billing.only("ReceiveStripeEvent").payload == b"not even json"
    assert "authorization" not in billing.metadata["ReceiveStripeEvent"][0]


async def test_a_missing_signature_is_400_without_asking_billing(gateway, billing):
    response = await gateway.post("/api/v1/webhooks/stripe", content=STRIPE_BODY)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "Stripe-Signature" in response.json()["detail"]
    assert billing.requests == {}


async def test_a_signature_billing_refuses_is_400(gateway, billing):
    billing.refuse["ReceiveStripeEvent"] = (grpc.StatusCode.INVALID_ARGUMENT,
                                            "signature: does not verify")
    response = await gateway.post("/api/v1/webhooks/stripe", content=STRIPE_BODY,
                                  headers={"Stripe-Signature": "t=1,v1=bad"})
    assert response.status_code == 400, response.text
    assert response.json()["reason"] == "STRIPE_SIGNATURE_INVALID"


async def test_billing_down_is_503_so_stripe_retries(gateway, billing):
    billing.refuse["ReceiveStripeEvent"] = (grpc.StatusCode.UNAVAILABLE, "down")
    response = await gateway.post("/api/v1/webhooks/stripe", content=STRIPE_BODY,
                                  headers={"Stripe-Signature": SIGNATURE})
    assert response.status_code == 503, response.text


async def test_a_webhook_body_over_1_mib_is_413(gateway, billing):
    body = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
    response = await gateway.post("/api/v1/webhooks/stripe", content=body,
                                  headers={"Stripe-Signature": SIGNATURE})
    assert response.status_code == 413, response.text
    assert billing.requests == {}


# The organization's plan


async def test_the_plan_is_read_and_changed(gateway, billing, token):
    read = await gateway.get("/api/v1/billing/subscription", headers=token("owner"))
    assert read.status_code == 200, read.text
    assert read.json()["plan"] == "free" and read.json()["stripe_subscription_id"] == "sub_1"
    changed = await gateway.post("/api/v1/billing/subscription", headers=token("owner"),
                                 json={"plan": "growth"})
    assert changed.status_code == 200, changed.text
    assert billing.only("ChangeSubscription").plan == pb.PLAN_GROWTH
    assert changed.json()["plan"] == "growth" and changed.json()["status"] == "pending"


@pytest.mark.parametrize(("body", "wrong"), [
    ({"plan": "enterprise"}, {"plan"}), ({}, {"plan"}), ({"plan": "scale", "seats": 5}, {"seats"}),
])
async def test_a_plan_is_one_of_four(gateway, billing, token, body, wrong):
    response = await gateway.post("/api/v1/billing/subscription", headers=token("owner"),
                                  json=body)
    assert fields_named(response) == wrong
    assert billing.requests == {}
