"""Billing's door to Stripe: customers, invoices and the org's subscription through the official
SDK (its async methods over httpx), pointed at `api_base` (LABS_STRIPE_API_BASE; a local fake in
tests), and the check of a webhook's signature.

Every write that must not happen twice carries an idempotency key derived from our own ids, so a
retry after a crash or a timeout gets Stripe's first answer back instead of a second document.
Stripe keeps idempotency keys for 24 hours: the retries this guards are the outbox's, which come
within minutes. Failures arrive as two exceptions only: `StripeUnavailable` (network, 5xx, 429:
try again later) and `StripeRefused` (any other 4xx: trying again won't help).
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import stripe

# The SDK (`import stripe`, a large share of billing's start-up and memory) is imported where it
# is first used: a replica without a Stripe key only ever needs it to check a webhook.

T = TypeVar("T")

DEFAULT_DAYS_UNTIL_DUE = 30

# Stripe's zero-decimal currencies: amounts are whole units (https://docs.stripe.com/currencies).
ZERO_DECIMAL = frozenset({
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
})
# Three-decimal currencies: thousandths, and Stripe wants the last digit 0 (whole hundredths).
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
# Two decimals in the API but only whole units are charged: a multiple of 100.
WHOLE_UNITS_IN_CENTS = frozenset({"ISK"})


class StripeUnavailable(Exception):
    """Stripe could not be reached or answered 5xx/429: retry later."""


class StripeRefused(Exception):
    """Stripe refused the request (4xx other than 429): retrying the same call won't help."""

    def __init__(self, message: str, *, code: str | None = None, param: str | None = None,
                 http_status: int | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.param, self.http_status = message, code, param, http_status


class BadSignature(ValueError):
    """A webhook whose Stripe-Signature is missing, wrong, or outside the time tolerance."""


@dataclass(frozen=True)
class StripeInvoice:
    id: str
    status: str  # draft, open, paid, void, uncollectible
    hosted_invoice_url: str | None
    amount_paid_minor: int
    currency: str
    metadata: dict[str, str] = field(default_factory=dict)
    amount_due_minor: int = 0
    number: str | None = None  # Stripe's own number (ours is metadata["number"])


@dataclass(frozen=True)
class StripeSubscription:
    id: str
    customer_id: str
    status: str  # active, trialing, past_due, canceled, incomplete, ...
    plan: str | None  # from the price's lookup key labs_<plan>
    price_id: str | None
    current_period_end: datetime | None
    metadata: dict[str, str] = field(default_factory=dict)


def minor_units(amount: Decimal, currency: str) -> int:
    """`amount` in the currency's minor units as Stripe counts them, rounded half away from
    zero: 12.34 EUR → 1234, 1234 JPY → 1234, 1.234 KWD → 1230."""
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if code in THREE_DECIMAL:
        return int(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 1000)
    if code in WHOLE_UNITS_IN_CENTS:
        return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP) * 100)
    return int(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)


def verify_event(payload: bytes, signature: str, secret: str, *, tolerance: int = 300,
                 now: float | None = None) -> dict:
    """The event a webhook carries, once its `Stripe-Signature` (t=<unix>,v1=<hex HMAC-SHA256 of
    "<t>.<payload>">) matches `secret` and t is within `tolerance` seconds of now, either side.
    The SDK only rejects old timestamps, so both bounds are checked here."""
    if not signature:
        raise BadSignature("no Stripe-Signature header")
    if not secret:
        raise BadSignature("no webhook secret configured")
    import stripe  # on first use: see the note at the top

    try:
        # The SDK's own check of the HMAC; tolerance None: the time is checked below, both ways.
        stripe.WebhookSignature.verify_header(payload, signature, secret, tolerance=None)
        timestamp = int(next(part.partition("=")[2] for part in signature.split(",")
                             if part.strip().partition("=")[0] == "t"))
    except (stripe.SignatureVerificationError, UnicodeDecodeError, StopIteration,
            ValueError) as error:
        raise BadSignature(str(error) or "bad signature") from None
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise BadSignature(f"the signature's timestamp is more than {tolerance}s from now")
    try:
        event = json.loads(payload)
    except ValueError:
        raise BadSignature("the payload is not JSON") from None
    if not isinstance(event, dict):
        raise BadSignature("the payload is not a JSON object")
    return event


def _translate(error: stripe.StripeError) -> Exception:
    import stripe  # loaded already: the error is one of its own

    if isinstance(error, stripe.APIConnectionError):
        return StripeUnavailable(f"Stripe unreachable: {error.user_message or error}")
    status = error.http_status
    message = error.user_message or str(error) or type(error).__name__
    if status is None or status >= 500 or status == 429:
        return StripeUnavailable(f"Stripe answered {status}: {message}")
    return StripeRefused(message, code=error.code, param=getattr(error, "param", None),
                         http_status=status)


async def _call(request: Awaitable[T]) -> T:
    import stripe  # loaded already: a gateway made the request

    try:
        return await request
    except stripe.StripeError as error:
        raise _translate(error) from error


def _as_invoice(obj: Any) -> StripeInvoice:
    data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    return StripeInvoice(
        id=data["id"],
        status=data.get("status") or "draft",
        hosted_invoice_url=data.get("hosted_invoice_url"),
        amount_paid_minor=int(data.get("amount_paid") or 0),
        currency=(data.get("currency") or "").upper(),
        metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
        amount_due_minor=int(data.get("amount_due") or 0),
        number=data.get("number"),
    )


def _plan_of(lookup_key: str | None) -> str | None:
    if lookup_key and lookup_key.startswith("labs_"):
        return lookup_key.removeprefix("labs_")
    return None


def _as_subscription(obj: Any) -> StripeSubscription:
    data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    items = (data.get("items") or {}).get("data") or []
    item = items[0] if items else {}
    price = item.get("price") or {}
    # Since API 2025-03-31 the billing period is the item's; older versions had it on the
    # subscription.
    period_end = item.get("current_period_end") or data.get("current_period_end")
    metadata = {str(k): str(v) for k, v in (data.get("metadata") or {}).items()}
    return StripeSubscription(
        id=data["id"],
        customer_id=data.get("customer") if isinstance(data.get("customer"), str)
        else (data.get("customer") or {}).get("id", ""),
        status=data.get("status") or "",
        plan=_plan_of(price.get("lookup_key")) or metadata.get("plan"),
        price_id=price.get("id"),
        current_period_end=datetime.fromtimestamp(period_end, UTC) if period_end else None,
        metadata=metadata,
    )


def _due_timestamp(due: date) -> int:
    """The end of the due day (UTC), never in the past: Stripe refuses a past due date."""
    end_of_day = datetime(due.year, due.month, due.day, tzinfo=UTC) + timedelta(days=1, seconds=-1)
    today_end = datetime.now(UTC).replace(hour=23, minute=59, second=59, microsecond=0)
    return int(max(end_of_day, today_end).timestamp())


class StripeGateway:
    def __init__(self, api_key: str, api_base: str | None = None, timeout: float = 10.0, *,
                 max_network_retries: int = 2) -> None:
        import stripe  # on first use: see the note at the top

        self._http = stripe.HTTPXClient(timeout=timeout)
        base_addresses: dict[str, str] = {"api": api_base.rstrip("/")} if api_base else {}
        self._client = stripe.StripeClient(
            api_key,
            base_addresses=base_addresses,  # type: ignore[arg-type]
            http_client=self._http,
            max_network_retries=max_network_retries,
        )
        self._v1 = self._client.v1

    async def aclose(self) -> None:
        await self._http.close_async()

    async def __aenter__(self) -> StripeGateway:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    # customers

    async def ensure_customer(self, *, org_id: str, client_id: str, name: str,
                              email: str = "") -> str:
        """The Stripe customer for an org's client; the same one on a retry."""
        params: dict[str, Any] = {"name": name,
                                  "metadata": {"org_id": org_id, "client_id": client_id}}
        if email:
            params["email"] = email
        customer = await _call(self._v1.customers.create_async(
            params,  # type: ignore[arg-type]
            {"idempotency_key": f"labs-customer-{org_id}-{client_id}"},
        ))
        return customer.id

    async def ensure_org_customer(self, *, org_id: str, name: str, email: str = "") -> str:
        """The Stripe customer an org pays its Labs plan as; the same one on a retry."""
        params: dict[str, Any] = {"name": name, "metadata": {"org_id": org_id, "kind": "org"}}
        if email:
            params["email"] = email
        customer = await _call(self._v1.customers.create_async(
            params,  # type: ignore[arg-type]
            {"idempotency_key": f"labs-org-customer-{org_id}"},
        ))
        return customer.id

    # invoices

    async def push_invoice(self, *, customer_id: str, invoice_id: str, org_id: str, number: str,
                           currency: str, items: list[tuple[str, int]], due_date: date | None,
                           tax_minor: int) -> StripeInvoice:
        """Our issued invoice as a finalized Stripe invoice (send_invoice: Stripe collects
        through its hosted page, `hosted_invoice_url`): a draft, its items attached to it
        (descriptions and amounts in minor units, the tax as one more item), then finalized.
        Each step's idempotency key comes from `invoice_id`, so a retry of the whole call
        returns the same document."""
        key = f"labs-invoice-{invoice_id}"
        code = currency.lower()
        params: dict[str, Any] = {
            "customer": customer_id,
            "currency": code,
            "collection_method": "send_invoice",
            # Items are attached to this invoice by id: none pending elsewhere get swept in.
            "pending_invoice_items_behavior": "exclude",
            # We finalize it ourselves, now; Stripe must not advance (or email) it on its own.
            "auto_advance": False,
            "metadata": {"org_id": org_id, "invoice_id": invoice_id, "number": number},
        }
        if due_date is not None:
            params["due_date"] = _due_timestamp(due_date)
        else:
            params["days_until_due"] = DEFAULT_DAYS_UNTIL_DUE
        draft = await _call(self._v1.invoices.create_async(
            params,  # type: ignore[arg-type]
            {"idempotency_key": f"{key}-create"},
        ))
        lines = list(items)
        if tax_minor:
            lines.append(("Tax", tax_minor))
        for index, (description, amount) in enumerate(lines):
            await _call(self._v1.invoice_items.create_async(
                {
                    "customer": customer_id,
                    "invoice": draft.id,
                    "currency": code,
                    "amount": amount,
                    "description": description,
                    "metadata": {"invoice_id": invoice_id, "index": str(index)},
                },
                {"idempotency_key": f"{key}-item-{index}"},
            ))
        await _call(self._v1.invoices.finalize_invoice_async(
            draft.id, {"auto_advance": False}, {"idempotency_key": f"{key}-finalize"},
        ))
        # Read back rather than trust the finalize answer: on a retry that answer is the
        # first one replayed, and the invoice may have been paid or voided since.
        return await self.retrieve_invoice(draft.id)

    async def retrieve_invoice(self, stripe_invoice_id: str) -> StripeInvoice:
        return _as_invoice(await _call(self._v1.invoices.retrieve_async(stripe_invoice_id)))

    async def void_invoice(self, stripe_invoice_id: str) -> StripeInvoice:
        """The invoice voided; one already void is answered as it is."""
        current = await self.retrieve_invoice(stripe_invoice_id)
        if current.status == "void":
            return current
        voided = await _call(self._v1.invoices.void_invoice_async(
            stripe_invoice_id, None, {"idempotency_key": f"labs-void-{stripe_invoice_id}"},
        ))
        return _as_invoice(voided)

    # the org's plan

    async def change_subscription(self, *, customer_id: str, subscription_id: str | None,
                                  plan: str, org_id: str) -> StripeSubscription:
        """The org's subscription on the price with lookup key `labs_<plan>`: its item's price
        changed (Stripe prorates), or a new subscription when it has none. Without an id, the
        customer's live subscription is reused if it has one, so a retry never makes a second."""
        lookup_key = f"labs_{plan}"
        prices = await _call(self._v1.prices.list_async(
            {"lookup_keys": [lookup_key], "active": True, "limit": 1}))
        if not prices.data:
            raise StripeRefused(f"Stripe has no active price with lookup key {lookup_key}",
                                code="resource_missing", param="lookup_keys")
        price_id = prices.data[0].id
        metadata = {"org_id": org_id, "plan": plan}
        if subscription_id is None:
            live = await _call(self._v1.subscriptions.list_async(
                {"customer": customer_id, "status": "active", "limit": 1}))
            if live.data:
                subscription_id = live.data[0].id
        if subscription_id is None:
            created = await _call(self._v1.subscriptions.create_async(
                {"customer": customer_id, "items": [{"price": price_id}], "metadata": metadata},
                {"idempotency_key": f"labs-subscription-{customer_id}-{price_id}"},
            ))
            return _as_subscription(created)
        current = await _call(self._v1.subscriptions.retrieve_async(subscription_id))
        items = current.to_dict().get("items", {}).get("data") or []
        if items and items[0]["price"]["id"] == price_id and current.status != "canceled":
            return _as_subscription(current)
        item: dict[str, Any] = {"price": price_id}
        if items:
            item["id"] = items[0]["id"]
        # Setting the same price twice is harmless, so no idempotency key of ours: a plan
        # changed back and forth must not replay an earlier answer.
        updated = await _call(self._v1.subscriptions.update_async(
            subscription_id, {"items": [item], "metadata": metadata},  # type: ignore[typeddict-item]
        ))
        return _as_subscription(updated)
