"""The HTTP side of outgoing webhooks: one POST of a delivery's body, signed, with httpx. Never
follows a redirect (a 3xx is a failed attempt), never raises: every failure is an Outcome."""

from __future__ import annotations

import httpx

from labs_integrations.domain.webhooks import (
    MAX_ERROR_LENGTH,
    SIGNATURE_HEADER,
    USER_AGENT,
    Outcome,
    WebhookDelivery,
    signature_header,
)


def headers_for(delivery: WebhookDelivery, secret: str, timestamp: int | None = None
                ) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(secret, delivery.body, timestamp),
        "Labs-Event-Id": str(delivery.event_id),
        "Labs-Event-Type": delivery.event_type,
        "Labs-Delivery-Id": str(delivery.id),
        "User-Agent": USER_AGENT,
    }


class WebhookSender:
    def __init__(self, timeout_seconds: float, transport: httpx.AsyncBaseTransport | None = None
                 ) -> None:
        self._client = httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False,
                                         transport=transport, trust_env=False)

    async def send(self, url: str, delivery: WebhookDelivery, secret: str) -> Outcome:
        try:
            response = await self._client.post(url, content=delivery.body.encode(),
                                               headers=headers_for(delivery, secret))
        except httpx.TimeoutException:
            return Outcome(None, "timed out")
        except httpx.HTTPError as error:
            return Outcome(None, f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH])
        if 200 <= response.status_code < 300:
            return Outcome(response.status_code)
        # What the endpoint said, briefly (a 3xx: where it wanted us to go, not followed).
        said = response.headers.get("location") if response.is_redirect else response.text
        error = f"HTTP {response.status_code}" + (f": {said}" if said else "")
        return Outcome(response.status_code, error[:MAX_ERROR_LENGTH])

    async def aclose(self) -> None:
        await self._client.aclose()
