"""A fake Stripe API for tests, at its HTTP boundary: the official SDK (or anything else) talks to
it as to api.stripe.com, and it answers in Stripe's JSON, keeping customers, invoice items,
invoices, prices and subscriptions in memory.

    with FakeStripe() as fake:              # or fake.start() ... fake.stop()
        gateway = StripeGateway("sk_test_x", api_base=fake.url)
        fake.webhook_url, fake.webhook_secret = receiver_url, "whsec_test"
        fake.pay_invoice("in_...")          # → invoice.paid, invoice.payment_succeeded, signed

What it speaks like Stripe: form-encoded requests (`metadata[k]=v`, `items[0][price]=...`),
`Authorization: Bearer sk_test_...` (a live key or none is a 401), objects with `object` and ids
prefixed cus_/ii_/in_/il_/price_/prod_/sub_/si_/evt_, `{"error": {type, message, param, code}}`
errors, the `Idempotency-Key` header (the same key answers the first response again, with
`Idempotent-Replayed: true`; with other parameters it is an idempotency_error), invoices created
with `pending_invoice_items_behavior` (`exclude`, the default since API 2022-08-01, or `include`:
the customer's pending items attach), webhooks signed as Stripe signs them
(`Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<payload>")>`).

Test controls: `down` (every API request answers 503), `requests` (the log), `events` (every
event made), `deliveries` (every webhook attempt), `pay_invoice`, `event`, `signed`, `add_price`,
`wait_delivered` / `flush`. The hosted invoice page, `hosted_invoice_url`, is served too
(GET /i/<id>; POST /i/<id>/pay pays it as a customer would).
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import json
import queue
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from labs_common.testing.fake_server import ServerThread

API_VERSION = "2026-10-28.endive"
DEFAULT_PRICES = {"labs_free": 0, "labs_starter": 2900, "labs_growth": 9900, "labs_scale": 29900}
MONTH = 30 * 24 * 3600
_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    return f"{prefix}_{''.join(secrets.choice(_ALPHABET) for _ in range(24))}"


def sign(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header value for `payload`, as Stripe computes it."""
    body = payload.encode() if isinstance(payload, str) else payload
    t = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(secret.encode(), str(t).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


class StripeFailure(Exception):
    """An error answer in Stripe's shape."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error",
                 code: str | None = None, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = (
            status, message, type, code, param)

    def body(self) -> dict:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
        if self.param:
            error["param"] = self.param
        return {"error": error}


def _missing(param: str) -> StripeFailure:
    return StripeFailure(400, f"Missing required param: {param}.", code="parameter_missing",
                         param=param)


def _no_such(kind: str, object_id: str) -> StripeFailure:
    return StripeFailure(404, f"No such {kind}: '{object_id}'", code="resource_missing",
                         param="id")


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's bracket encoding back to nested values: `a[b][0][c]=v` → {"a": {"b": [{"c": v}]}}
    (indexed or `[]` keys make lists)."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        parts = [head] + ([p for p in rest.rstrip("]").split("][")] if rest else [])
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if part == "":  # key[] appends
                part = str(len(node))
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _listify(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def _int(params: dict, name: str, *, required: bool = False) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise _missing(name)
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StripeFailure(400, f"Invalid integer: {value}", code="parameter_invalid_integer",
                            param=name) from None


def _bool(params: dict, name: str, default: bool) -> bool:
    value = params.get(name)
    if value is None or value == "":
        return default
    if value in ("true", "false"):
        return value == "true"
    raise StripeFailure(400, f"Invalid boolean: {value}", code="parameter_invalid_boolean",
                        param=name)


def _metadata(params: dict, current: dict[str, str] | None = None) -> dict[str, str]:
    """Metadata merged as Stripe merges it: a key set to "" is removed."""
    merged = dict(current or {})
    given = params.get("metadata")
    if given == "":
        return {}
    if isinstance(given, dict):
        for key, value in given.items():
            if value == "":
                merged.pop(key, None)
            else:
                merged[key] = str(value)
    return merged


@dataclass
class LoggedRequest:
    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]
    status: int = 0
    replayed: bool = False

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


@dataclass
class Delivery:
    event_id: str
    type: str
    url: str
    attempt: int
    object_id: str | None = None  # the id of the event's data.object
    status: int | None = None  # None: the receiver could not be reached
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class _Store:
    customers: dict[str, dict] = field(default_factory=dict)
    invoice_items: dict[str, dict] = field(default_factory=dict)
    invoices: dict[str, dict] = field(default_factory=dict)
    prices: dict[str, dict] = field(default_factory=dict)
    subscriptions: dict[str, dict] = field(default_factory=dict)


class FakeStripe:
    def __init__(self, *, webhook_url: str | None = None,
                 webhook_secret: str = "whsec_test_fake") -> None:
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        # While True every API request answers 503 (Stripe down): logged, never executed.
        self.down = False
        self.api_version = API_VERSION
        self.webhook_attempts = 3  # deliveries of one event before giving up
        self.webhook_retry_delay = 0.2
        self.requests: list[LoggedRequest] = []
        self.events: list[dict] = []
        self.deliveries: list[Delivery] = []
        self.store = _Store()
        self._lock = threading.RLock()
        self._idempotent: dict[tuple[str, str], tuple[tuple, int, dict]] = {}
        self._numbers: dict[str, int] = {}
        self._outbox: queue.Queue[dict | None] = queue.Queue()
        self._pending = 0
        self._delivery_thread: threading.Thread | None = None
        for lookup_key, amount in DEFAULT_PRICES.items():
            self.add_price(lookup_key, amount)
        self.app = Starlette(routes=self._routes())
        self._http = ServerThread(self.app, name="fake-stripe")

    # lifecycle

    @property
    def url(self) -> str:
        if not self._http.started:
            raise RuntimeError("FakeStripe is not started")
        return self._http.url

    def start(self) -> FakeStripe:
        self._delivery_thread = threading.Thread(target=self._deliver_forever,
                                                 name="fake-stripe-webhooks", daemon=True)
        self._delivery_thread.start()
        try:
            self._http.start()
        except RuntimeError:
            self._stop_delivery()
            raise RuntimeError("FakeStripe did not start") from None
        return self

    def stop(self) -> None:
        self._http.stop()
        self._stop_delivery()

    def _stop_delivery(self) -> None:
        if self._delivery_thread is not None:
            self._outbox.put(None)
            self._delivery_thread.join(timeout=10)
            self._delivery_thread = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # test controls

    def add_price(self, lookup_key: str, unit_amount: int, currency: str = "usd",
                  interval: str = "month") -> dict:
        with self._lock:
            price = {
                "id": new_id("price"), "object": "price", "active": True,
                "billing_scheme": "per_unit", "created": int(time.time()),
                "currency": currency, "livemode": False, "lookup_key": lookup_key,
                "metadata": {}, "nickname": lookup_key, "product": new_id("prod"),
                "recurring": {"interval": interval, "interval_count": 1,
                              "usage_type": "licensed"},
                "tax_behavior": "unspecified", "type": "recurring",
                "unit_amount": unit_amount, "unit_amount_decimal": str(unit_amount),
            }
            self.store.prices[price["id"]] = price
            return price

    def price(self, lookup_key: str) -> dict:
        with self._lock:
            return next(p for p in self.store.prices.values() if p["lookup_key"] == lookup_key)

    def calls(self, method: str, path: str) -> list[LoggedRequest]:
        """The logged requests to `path` (exact) with `method`."""
        return [r for r in list(self.requests) if r.method == method and r.path == path]

    def invoices_of(self, customer_id: str) -> list[dict]:
        with self._lock:
            return [copy.deepcopy(i) for i in self.store.invoices.values()
                    if i["customer"] == customer_id]

    def pay_invoice(self, invoice_id: str) -> dict:
        """The open invoice paid (as its customer paying the hosted page would), then
        `invoice.paid` and `invoice.payment_succeeded` sent to `webhook_url`."""
        with self._lock:
            return self._pay(self._invoice(invoice_id))

    def event(self, type: str, obj: dict, *, previous_attributes: dict | None = None,
              deliver: bool = True) -> dict:
        """An API-shaped event of `type` about `obj` (recorded in `events`; sent to
        `webhook_url`, signed with `webhook_secret`, if set and `deliver`)."""
        data: dict[str, Any] = {"object": copy.deepcopy(obj)}
        if previous_attributes is not None:
            data["previous_attributes"] = previous_attributes
        event = {
            "id": new_id("evt"), "object": "event", "api_version": self.api_version,
            "created": int(time.time()), "data": data, "livemode": False,
            "pending_webhooks": 1 if self.webhook_url and deliver else 0,
            "request": {"id": None, "idempotency_key": None}, "type": type,
        }
        with self._lock:
            self.events.append(event)
            if self.webhook_url and deliver:
                self._pending += 1
                self._outbox.put(event)
        return event

    def signed(self, payload: bytes | str, secret: str | None = None,
               t: int | float | None = None) -> str:
        """The `Stripe-Signature` header for `payload` (with `webhook_secret` unless given, at
        time `t`, now unless given)."""
        return sign(payload, self.webhook_secret if secret is None else secret,
                    None if t is None else int(t))

    def payload(self, event: dict) -> bytes:
        """The body a webhook of `event` carries."""
        return json.dumps(event, indent=2).encode()

    def flush(self, timeout: float = 10.0) -> None:
        """Wait (blocking) until every queued webhook has been delivered or given up on."""
        deadline = time.monotonic() + timeout
        while self._pending:
            if time.monotonic() > deadline:
                raise AssertionError("webhooks still pending at the deadline")
            time.sleep(0.02)

    async def wait_delivered(self, type: str, object_id: str | None = None,
                             timeout: float = 10.0) -> Delivery:
        """The first successful delivery of an event of `type` (about `object_id`, if given),
        waiting for it (async)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for delivery in list(self.deliveries):
                if (delivery.type == type and delivery.ok
                        and object_id in (None, delivery.object_id)):
                    return delivery
            await asyncio.sleep(0.02)
        raise AssertionError(f"no successful delivery of {type} before the deadline")

    # webhooks

    def _deliver_forever(self) -> None:
        with httpx.Client(timeout=5.0) as client:
            while (event := self._outbox.get()) is not None:
                try:
                    self._deliver(client, event)
                finally:
                    with self._lock:
                        self._pending -= 1

    def _deliver(self, client: httpx.Client, event: dict) -> None:
        url = self.webhook_url
        if not url:
            return
        body = self.payload(event)
        for attempt in range(1, self.webhook_attempts + 1):
            delivery = Delivery(event["id"], event["type"], url, attempt,
                                event["data"]["object"].get("id"))
            headers = {"Content-Type": "application/json; charset=utf-8",
                       "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                       "Stripe-Signature": self.signed(body)}  # signed at each attempt
            try:
                delivery.status = client.post(url, content=body, headers=headers).status_code
            except httpx.HTTPError as error:
                delivery.error = repr(error)
            self.deliveries.append(delivery)
            if delivery.ok:
                return
            time.sleep(self.webhook_retry_delay)

    # the HTTP API

    def _routes(self) -> list[Route]:
        api = self._api
        return [
            Route("/v1/customers", api(self._create_customer), methods=["POST"]),
            Route("/v1/customers", api(self._list_customers), methods=["GET"]),
            Route("/v1/customers/{id}", api(self._get_customer), methods=["GET"]),
            Route("/v1/customers/{id}", api(self._update_customer), methods=["POST"]),
            Route("/v1/invoiceitems", api(self._create_invoice_item), methods=["POST"]),
            Route("/v1/invoiceitems", api(self._list_invoice_items), methods=["GET"]),
            Route("/v1/invoiceitems/{id}", api(self._get_invoice_item), methods=["GET"]),
            Route("/v1/invoices", api(self._create_invoice), methods=["POST"]),
            Route("/v1/invoices", api(self._list_invoices), methods=["GET"]),
            Route("/v1/invoices/{id}", api(self._get_invoice), methods=["GET"]),
            Route("/v1/invoices/{id}", api(self._update_invoice), methods=["POST"]),
            Route("/v1/invoices/{id}/finalize", api(self._finalize_invoice), methods=["POST"]),
            Route("/v1/invoices/{id}/void", api(self._void_invoice), methods=["POST"]),
            Route("/v1/invoices/{id}/pay", api(self._pay_invoice), methods=["POST"]),
            Route("/v1/invoices/{id}/mark_uncollectible", api(self._mark_uncollectible),
                  methods=["POST"]),
            Route("/v1/prices", api(self._list_prices), methods=["GET"]),
            Route("/v1/prices/{id}", api(self._get_price), methods=["GET"]),
            Route("/v1/subscriptions", api(self._create_subscription), methods=["POST"]),
            Route("/v1/subscriptions", api(self._list_subscriptions), methods=["GET"]),
            Route("/v1/subscriptions/{id}", api(self._get_subscription), methods=["GET"]),
            Route("/v1/subscriptions/{id}", api(self._update_subscription), methods=["POST"]),
            Route("/v1/subscriptions/{id}", api(self._cancel_subscription), methods=["DELETE"]),
            Route("/v1/{rest:path}", api(self._unknown),
                  methods=["GET", "POST", "DELETE", "PUT", "PATCH"]),
            Route("/i/{id}", self._hosted_page, methods=["GET"]),
            Route("/i/{id}/pay", self._hosted_pay, methods=["POST"]),
        ]

    def _api(self, handler):
        async def endpoint(request: Request) -> Response:
            body = await request.body()
            pairs = parse_qsl(request.url.query, keep_blank_values=True)
            if body:
                pairs += parse_qsl(body.decode(), keep_blank_values=True)
            params = decode_form(pairs)
            logged = LoggedRequest(request.method, request.url.path, params,
                                   {k.lower(): v for k, v in request.headers.items()})
            self.requests.append(logged)
            request_id = new_id("req")
            headers = {"Request-Id": request_id, "Stripe-Version": self.api_version}
            if self.down:
                logged.status = 503
                failure = StripeFailure(503, "The fake Stripe is down (FakeStripe.down).",
                                        type="api_error")
                return JSONResponse(failure.body(), 503, headers=headers)
            try:
                self._authorize(request.headers.get("authorization", ""))
            except StripeFailure as failure:
                logged.status = failure.status
                return JSONResponse(failure.body(), failure.status, headers=headers)
            key = request.headers.get("idempotency-key") if request.method == "POST" else None
            fingerprint = (request.method, request.url.path, sorted(pairs))
            scope = (request.headers.get("authorization", ""), key or "")
            with self._lock:
                if key and scope in self._idempotent:
                    first_fingerprint, status, answer = self._idempotent[scope]
                    if first_fingerprint != fingerprint:
                        failure = StripeFailure(
                            400, "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with. Try using a key other than "
                            f"'{key}' if you meant to execute a different request.",
                            type="idempotency_error")
                        logged.status = 400
                        return JSONResponse(failure.body(), 400, headers=headers)
                    logged.status, logged.replayed = status, True
                    return JSONResponse(answer, status,
                                        headers={**headers, "Idempotent-Replayed": "true"})
                try:
                    status, answer = 200, handler(params, **request.path_params)
                except StripeFailure as failure:
                    status, answer = failure.status, failure.body()
                # A key remembers the first successful answer; after an error the request may
                # be retried with the same key (Stripe keeps some errors too: not needed here).
                if key and status < 400:
                    self._idempotent[scope] = (fingerprint, status, answer)
                logged.status = status
                return JSONResponse(answer, status, headers=headers)

        return endpoint

    @staticmethod
    def _authorize(header: str) -> None:
        scheme, _, api_key = header.partition(" ")
        if scheme.lower() != "bearer" or not api_key:
            raise StripeFailure(401, "You did not provide an API key. You need to provide your "
                                "API key in the Authorization header, using Bearer auth.")
        if not api_key.startswith(("sk_test_", "rk_test_")):
            raise StripeFailure(401, f"Invalid API Key provided: {api_key[:8]}****; the fake "
                                "Stripe takes test keys (sk_test_...) only.",
                                code="api_key_invalid")

    def _unknown(self, params: dict, rest: str) -> dict:
        raise StripeFailure(404, f"Unrecognized request URL: /v1/{rest}. The fake Stripe "
                            "serves customers, invoiceitems, invoices, prices and subscriptions.")

    @staticmethod
    def _list(items: list[dict], url: str, params: dict) -> dict:
        limit = _int(params, "limit") or 10
        return {"object": "list", "data": [copy.deepcopy(i) for i in items[:limit]],
                "has_more": len(items) > limit, "url": url}

    # customers

    def _customer(self, customer_id: str) -> dict:
        if customer_id not in self.store.customers:
            raise _no_such("customer", customer_id)
        return self.store.customers[customer_id]

    def _create_customer(self, params: dict) -> dict:
        customer = {
            "id": new_id("cus"), "object": "customer", "address": None, "balance": 0,
            "created": int(time.time()), "currency": params.get("currency"),
            "default_source": None, "delinquent": False,
            "description": params.get("description"), "email": params.get("email"),
            "invoice_prefix": "".join(secrets.choice(string.ascii_uppercase) for _ in range(8)),
            "invoice_settings": {"custom_fields": None, "default_payment_method": None,
                                 "footer": None, "rendering_options": None},
            "livemode": False, "metadata": _metadata(params), "name": params.get("name"),
            "phone": params.get("phone"), "preferred_locales": [], "shipping": None,
            "tax_exempt": "none", "test_clock": None,
        }
        self.store.customers[customer["id"]] = customer
        return copy.deepcopy(customer)

    def _get_customer(self, params: dict, id: str) -> dict:
        return copy.deepcopy(self._customer(id))

    def _update_customer(self, params: dict, id: str) -> dict:
        customer = self._customer(id)
        for name in ("name", "email", "description", "phone"):
            if name in params:
                customer[name] = params[name] or None
        customer["metadata"] = _metadata(params, customer["metadata"])
        return copy.deepcopy(customer)

    def _list_customers(self, params: dict) -> dict:
        found = [c for c in reversed(self.store.customers.values())
                 if not params.get("email") or c["email"] == params["email"]]
        return self._list(found, "/v1/customers", params)

    # invoice items

    def _invoice_item(self, item_id: str) -> dict:
        if item_id not in self.store.invoice_items:
            raise _no_such("invoiceitem", item_id)
        return self.store.invoice_items[item_id]

    def _create_invoice_item(self, params: dict) -> dict:
        customer_id = params.get("customer") or ""
        if not customer_id:
            raise _missing("customer")
        self._customer(customer_id)
        currency = (params.get("currency") or "").lower()
        if not currency:
            raise _missing("currency")
        amount = _int(params, "amount")
        if amount is None:
            price_id = (params.get("pricing") or {}).get("price") or params.get("price")
            if not price_id:
                raise _missing("amount")
            price = self.store.prices.get(price_id)
            if price is None:
                raise _no_such("price", price_id)
            amount = price["unit_amount"] * (_int(params, "quantity") or 1)
        invoice = None
        if invoice_id := params.get("invoice"):
            invoice = self._invoice(invoice_id)
            if invoice["status"] != "draft":
                raise StripeFailure(400, f"You can only add invoice items to draft invoices; "
                                    f"invoice {invoice_id} is {invoice['status']}.",
                                    code="invoice_not_editable", param="invoice")
            if invoice["customer"] != customer_id:
                raise StripeFailure(400, "The invoice's customer is not the item's customer.",
                                    param="invoice")
            if invoice["currency"] != currency:
                raise StripeFailure(400, f"The currency of the invoice item ({currency}) must "
                                    f"match the invoice's ({invoice['currency']}).",
                                    param="currency")
        now = int(time.time())
        item = {
            "id": new_id("ii"), "object": "invoiceitem", "amount": amount,
            "currency": currency, "customer": customer_id, "date": now,
            "description": params.get("description"), "discountable": True, "discounts": [],
            "invoice": None, "livemode": False, "metadata": _metadata(params),
            "parent": None, "period": {"start": now, "end": now}, "pricing": None,
            "proration": False, "quantity": _int(params, "quantity") or 1, "tax_rates": [],
            "test_clock": None,
        }
        self.store.invoice_items[item["id"]] = item
        if invoice is not None:
            self._attach(invoice, item)
        return copy.deepcopy(item)

    def _get_invoice_item(self, params: dict, id: str) -> dict:
        return copy.deepcopy(self._invoice_item(id))

    def _list_invoice_items(self, params: dict) -> dict:
        pending = params.get("pending")
        found = [i for i in reversed(self.store.invoice_items.values())
                 if (not params.get("customer") or i["customer"] == params["customer"])
                 and (not params.get("invoice") or i["invoice"] == params["invoice"])
                 and (pending is None or (i["invoice"] is None) == (pending == "true"))]
        return self._list(found, "/v1/invoiceitems", params)

    # invoices

    def _invoice(self, invoice_id: str) -> dict:
        if invoice_id not in self.store.invoices:
            raise _no_such("invoice", invoice_id)
        return self.store.invoices[invoice_id]

    def _attach(self, invoice: dict, item: dict) -> None:
        item["invoice"] = invoice["id"]
        invoice["lines"]["data"].append({
            "id": new_id("il"), "object": "line_item", "amount": item["amount"],
            "currency": item["currency"], "description": item["description"],
            "discount_amounts": [], "discountable": True, "discounts": [],
            "invoice": invoice["id"], "livemode": False, "metadata": dict(item["metadata"]),
            "parent": {"type": "invoice_item_details", "subscription_item_details": None,
                       "invoice_item_details": {"invoice_item": item["id"],
                                                "proration": False,
                                                "proration_details": {"credited_items": None},
                                                "subscription": None}},
            "period": dict(item["period"]), "pricing": None, "quantity": item["quantity"],
            "taxes": [],
        })
        self._total(invoice)

    @staticmethod
    def _total(invoice: dict) -> None:
        lines = invoice["lines"]
        lines["total_count"] = len(lines["data"])
        total = sum(line["amount"] for line in lines["data"])
        invoice.update(subtotal=total, subtotal_excluding_tax=total, total=total,
                       total_excluding_tax=total, amount_due=total,
                       amount_remaining=total - invoice["amount_paid"])

    def _create_invoice(self, params: dict) -> dict:
        customer_id = params.get("customer") or ""
        if not customer_id:
            raise _missing("customer")
        customer = self._customer(customer_id)
        method = params.get("collection_method") or "charge_automatically"
        if method not in ("charge_automatically", "send_invoice"):
            raise StripeFailure(400, f"Invalid collection_method: {method}",
                                param="collection_method")
        now = int(time.time())
        days = _int(params, "days_until_due")
        due = _int(params, "due_date")
        if method == "send_invoice":
            if days is None and due is None:
                raise _missing("days_until_due")
            if due is not None and due < now:
                raise StripeFailure(400, "The due date must be in the future.",
                                    param="due_date")
            if due is None and days is not None:
                due = now + days * 86400
        elif days is not None or due is not None:
            raise StripeFailure(400, "days_until_due and due_date are only for send_invoice "
                                "invoices.", param="collection_method")
        behavior = params.get("pending_invoice_items_behavior") or "exclude"
        if behavior not in ("include", "exclude"):
            raise StripeFailure(400, f"Invalid pending_invoice_items_behavior: {behavior}",
                                param="pending_invoice_items_behavior")
        invoice_id = new_id("in")
        invoice = {
            "id": invoice_id, "object": "invoice", "account_country": "US",
            "account_name": "Fake Stripe", "amount_due": 0, "amount_overpaid": 0,
            "amount_paid": 0, "amount_remaining": 0, "amount_shipping": 0,
            "attempt_count": 0, "attempted": False,
            "auto_advance": _bool(params, "auto_advance", False),
            "automatic_tax": {"enabled": False, "liability": None, "status": None},
            "billing_reason": "manual", "collection_method": method, "created": now,
            "currency": (params.get("currency") or customer["currency"] or "usd").lower(),
            "customer": customer_id, "customer_email": customer["email"],
            "customer_name": customer["name"], "default_payment_method": None,
            "description": params.get("description"), "discounts": [], "due_date": due,
            "effective_at": None, "ending_balance": None, "footer": params.get("footer"),
            "hosted_invoice_url": None, "invoice_pdf": None, "last_finalization_error": None,
            "lines": {"object": "list", "data": [], "has_more": False, "total_count": 0,
                      "url": f"/v1/invoices/{invoice_id}/lines"},
            "livemode": False, "metadata": _metadata(params), "next_payment_attempt": None,
            "number": None, "parent": None, "period_end": now, "period_start": now,
            "starting_balance": 0, "status": "draft",
            "status_transitions": {"finalized_at": None, "marked_uncollectible_at": None,
                                   "paid_at": None, "voided_at": None},
            "subtotal": 0, "subtotal_excluding_tax": 0, "total": 0, "total_excluding_tax": 0,
            "webhooks_delivered_at": None,
        }
        self.store.invoices[invoice_id] = invoice
        if behavior == "include":
            for item in list(self.store.invoice_items.values()):
                if (item["customer"] == customer_id and item["invoice"] is None
                        and item["currency"] == invoice["currency"]):
                    self._attach(invoice, item)
        return copy.deepcopy(invoice)

    def _get_invoice(self, params: dict, id: str) -> dict:
        return copy.deepcopy(self._invoice(id))

    def _update_invoice(self, params: dict, id: str) -> dict:
        invoice = self._invoice(id)
        if invoice["status"] != "draft" and set(params) - {"metadata", "description"}:
            raise StripeFailure(400, "Only metadata and the description of a finalized "
                                "invoice can be changed.", code="invoice_not_editable")
        if "description" in params:
            invoice["description"] = params["description"] or None
        if "auto_advance" in params:
            invoice["auto_advance"] = _bool(params, "auto_advance", invoice["auto_advance"])
        invoice["metadata"] = _metadata(params, invoice["metadata"])
        return copy.deepcopy(invoice)

    def _list_invoices(self, params: dict) -> dict:
        found = [i for i in reversed(self.store.invoices.values())
                 if (not params.get("customer") or i["customer"] == params["customer"])
                 and (not params.get("status") or i["status"] == params["status"])]
        return self._list(found, "/v1/invoices", params)

    def _finalize_invoice(self, params: dict, id: str) -> dict:
        invoice = self._invoice(id)
        if invoice["status"] != "draft":
            raise StripeFailure(400, f"This invoice is already finalized; its status is "
                                f"{invoice['status']}.", code="invoice_not_editable")
        customer = self._customer(invoice["customer"])
        sequence = self._numbers[customer["id"]] = self._numbers.get(customer["id"], 0) + 1
        now = int(time.time())
        invoice.update(
            status="open", number=f"{customer['invoice_prefix']}-{sequence:04d}",
            effective_at=now, hosted_invoice_url=f"{self.url}/i/{id}",
            invoice_pdf=f"{self.url}/i/{id}/pdf",
            auto_advance=_bool(params, "auto_advance", invoice["auto_advance"]),
        )
        invoice["status_transitions"]["finalized_at"] = now
        if invoice["amount_due"] == 0:  # Stripe marks a zero invoice paid when it finalizes
            invoice["status"] = "paid"
            invoice["status_transitions"]["paid_at"] = now
        return copy.deepcopy(invoice)

    def _void_invoice(self, params: dict, id: str) -> dict:
        invoice = self._invoice(id)
        if invoice["status"] not in ("open", "uncollectible"):
            raise StripeFailure(400, f"You can only void open or uncollectible invoices; this "
                                f"one is {invoice['status']}.", code="invoice_not_open"
                                if invoice["status"] == "draft" else None)
        invoice.update(status="void", amount_remaining=0)
        invoice["status_transitions"]["voided_at"] = int(time.time())
        return copy.deepcopy(invoice)

    def _mark_uncollectible(self, params: dict, id: str) -> dict:
        invoice = self._invoice(id)
        if invoice["status"] != "open":
            raise StripeFailure(400, f"Only open invoices can be marked uncollectible; this "
                                f"one is {invoice['status']}.")
        invoice["status"] = "uncollectible"
        invoice["status_transitions"]["marked_uncollectible_at"] = int(time.time())
        return copy.deepcopy(invoice)

    def _pay_invoice(self, params: dict, id: str) -> dict:
        return self._pay(self._invoice(id))

    def _pay(self, invoice: dict) -> dict:
        if invoice["status"] not in ("open", "uncollectible"):
            raise StripeFailure(400, f"Invoice is {invoice['status']}; only open invoices can "
                                "be paid.", code="invoice_not_open" if invoice["status"] ==
                                "draft" else None)
        now = int(time.time())
        invoice.update(status="paid", amount_paid=invoice["amount_due"], amount_remaining=0,
                       attempted=True, attempt_count=invoice["attempt_count"] + 1)
        invoice["status_transitions"]["paid_at"] = now
        snapshot = copy.deepcopy(invoice)
        self.event("invoice.paid", snapshot)
        self.event("invoice.payment_succeeded", snapshot)
        return snapshot

    # the hosted invoice page

    async def _hosted_page(self, request: Request) -> Response:
        with self._lock:
            invoice = self.store.invoices.get(request.path_params["id"])
            if invoice is None or invoice["hosted_invoice_url"] is None:
                return HTMLResponse("<h1>Invoice not found</h1>", 404)
            return HTMLResponse(
                f"<h1>Invoice {invoice['number']}</h1><p>Status: {invoice['status']}</p>"
                f"<p>Amount due: {invoice['amount_remaining']} {invoice['currency']}</p>"
                f"<form method='post' action='/i/{invoice['id']}/pay'>"
                "<button>Pay</button></form>")

    async def _hosted_pay(self, request: Request) -> Response:
        with self._lock:
            try:
                paid = self._pay(self._invoice(request.path_params["id"]))
            except StripeFailure as failure:
                return HTMLResponse(f"<p>{failure.message}</p>", failure.status)
        return HTMLResponse(f"<p>Invoice {paid['number']} paid</p>")

    # prices

    def _list_prices(self, params: dict) -> dict:
        keys = params.get("lookup_keys")
        keys = [keys] if isinstance(keys, str) else keys
        active = params.get("active")
        found = [p for p in self.store.prices.values()
                 if (keys is None or p["lookup_key"] in keys)
                 and (active is None or p["active"] == (active == "true"))
                 and (not params.get("currency") or p["currency"] == params["currency"])]
        return self._list(found, "/v1/prices", params)

    def _get_price(self, params: dict, id: str) -> dict:
        if id not in self.store.prices:
            raise _no_such("price", id)
        return copy.deepcopy(self.store.prices[id])

    # subscriptions

    def _subscription(self, subscription_id: str) -> dict:
        if subscription_id not in self.store.subscriptions:
            raise _no_such("subscription", subscription_id)
        return self.store.subscriptions[subscription_id]

    def _subscription_item(self, subscription: dict, price_id: str) -> dict:
        price = self.store.prices.get(price_id)
        if price is None:
            raise _no_such("price", price_id)
        now = int(time.time())
        return {"id": new_id("si"), "object": "subscription_item", "created": now,
                "current_period_start": now, "current_period_end": now + MONTH,
                "discounts": [], "metadata": {}, "price": copy.deepcopy(price),
                "quantity": 1, "subscription": subscription["id"], "tax_rates": []}

    def _create_subscription(self, params: dict) -> dict:
        customer_id = params.get("customer") or ""
        if not customer_id:
            raise _missing("customer")
        self._customer(customer_id)
        items = params.get("items")
        if not isinstance(items, list) or not items:
            raise _missing("items")
        now = int(time.time())
        subscription_id = new_id("sub")
        subscription = {
            "id": subscription_id, "object": "subscription", "billing_cycle_anchor": now,
            "cancel_at": None, "cancel_at_period_end": False, "canceled_at": None,
            "collection_method": params.get("collection_method") or "charge_automatically",
            "created": now, "currency": None, "customer": customer_id,
            "days_until_due": _int(params, "days_until_due"), "default_payment_method": None,
            "discounts": [], "ended_at": None,
            "items": {"object": "list", "data": [], "has_more": False, "total_count": 0,
                      "url": f"/v1/subscription_items?subscription={subscription_id}"},
            "latest_invoice": None, "livemode": False, "metadata": _metadata(params),
            "start_date": now, "status": "active", "test_clock": None, "trial_end": None,
            "trial_start": None,
        }
        for given in items:
            if not isinstance(given, dict) or not given.get("price"):
                raise _missing("items[0][price]")
            subscription["items"]["data"].append(self._subscription_item(subscription,
                                                                         given["price"]))
        self._items_changed(subscription)
        self.store.subscriptions[subscription_id] = subscription
        self.event("customer.subscription.created", subscription)
        return copy.deepcopy(subscription)

    @staticmethod
    def _items_changed(subscription: dict) -> None:
        data = subscription["items"]["data"]
        subscription["items"]["total_count"] = len(data)
        subscription["currency"] = data[0]["price"]["currency"] if data else None

    def _update_subscription(self, params: dict, id: str) -> dict:
        subscription = self._subscription(id)
        if subscription["status"] == "canceled":
            raise StripeFailure(400, "A canceled subscription can only update its "
                                "cancellation_details and metadata.", param="items")
        previous: dict[str, Any] = {}
        before = copy.deepcopy(subscription)
        for given in params.get("items") or []:
            if not isinstance(given, dict):
                raise StripeFailure(400, "Invalid items", param="items")
            data = subscription["items"]["data"]
            if item_id := given.get("id"):
                item = next((i for i in data if i["id"] == item_id), None)
                if item is None:
                    raise _no_such("subscription_item", item_id)
                if _bool(given, "deleted", False):
                    data.remove(item)
                elif given.get("price"):
                    fresh = self._subscription_item(subscription, given["price"])
                    item["price"] = fresh["price"]
            elif given.get("price"):
                data.append(self._subscription_item(subscription, given["price"]))
        if params.get("items"):
            self._items_changed(subscription)
            previous["items"] = before["items"]
        if "cancel_at_period_end" in params:
            subscription["cancel_at_period_end"] = _bool(params, "cancel_at_period_end", False)
            previous["cancel_at_period_end"] = before["cancel_at_period_end"]
        if "metadata" in params:
            subscription["metadata"] = _metadata(params, subscription["metadata"])
            if subscription["metadata"] != before["metadata"]:
                previous["metadata"] = before["metadata"]
        self.event("customer.subscription.updated", subscription, previous_attributes=previous)
        return copy.deepcopy(subscription)

    def _cancel_subscription(self, params: dict, id: str) -> dict:
        subscription = self._subscription(id)
        if subscription["status"] == "canceled":
            raise StripeFailure(400, f"No such subscription: '{id}' (it is canceled)",
                                code="resource_missing")
        now = int(time.time())
        subscription.update(status="canceled", canceled_at=now, ended_at=now)
        self.event("customer.subscription.deleted", subscription)
        return copy.deepcopy(subscription)

    def _get_subscription(self, params: dict, id: str) -> dict:
        return copy.deepcopy(self._subscription(id))

    def _list_subscriptions(self, params: dict) -> dict:
        status = params.get("status")
        found = [s for s in reversed(self.store.subscriptions.values())
                 if (not params.get("customer") or s["customer"] == params["customer"])
                 and (status == "all" or (s["status"] == status if status
                                          else s["status"] != "canceled"))]
        return self._list(found, "/v1/subscriptions", params)
