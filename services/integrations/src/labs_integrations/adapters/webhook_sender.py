"""The HTTP side of outgoing webhooks: one POST of a delivery's body, signed, with httpx. Never
follows a redirect (a 3xx is a failed attempt), never raises: every failure is an Outcome.

The request goes to the address the target guard checked (`pinned`), not to whatever the name
resolves to a moment later: the URL carries that address, the Host header and TLS (SNI and
the certificate's name) keep the endpoint's name. So a name that answers a public address to
the check and a private one afterwards (DNS rebinding) still reaches the public one.

What an endpoint answered is not kept beyond its status: its body could be anything, and the
delivery log is read by people."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus

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


@dataclass(frozen=True)
class Pinned:
    url: httpx.URL
    host: str
    extensions: dict


def pinned(url: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> Pinned:
    """`url` aimed at `address`: the Host header (with a non-default port) and, over https, the
    TLS server name stay the URL's own."""
    given = httpx.URL(url)
    name = given.raw_host.decode("ascii")
    host = name if given.port is None else f"{name}:{given.port}"
    extensions = {"sni_hostname": name} if given.scheme == "https" else {}
    return Pinned(given.copy_with(host=str(address)), host, extensions)


def said(response: httpx.Response) -> str:
    """An answer that is not a 2xx, as the delivery log shows it: its status, never its body."""
    try:
        phrase = HTTPStatus(response.status_code).phrase
    except ValueError:
        phrase = ""
    text = f"HTTP {response.status_code}" + (f" {phrase}" if phrase else "")
    return text + (" (redirects are not followed)" if response.is_redirect else "")


class WebhookSender:
    def __init__(self, timeout_seconds: float, transport: httpx.AsyncBaseTransport | None = None
                 ) -> None:
        self._client = httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False,
                                         transport=transport, trust_env=False)

    async def send(self, url: str, delivery: WebhookDelivery, secret: str,
                   addresses: Sequence[ipaddress.IPv4Address | ipaddress.IPv6Address] = ()
                   ) -> Outcome:
        """POSTs to the first of `addresses` (what the guard checked) that takes a connection,
        else, without addresses, to the URL's host."""
        outcome = Outcome(None, "no address to reach")
        for address in addresses or (None,):
            outcome = await self._post(url, delivery, secret, address)
            if not outcome.unreachable:
                break
        return outcome

    async def _post(self, url: str, delivery: WebhookDelivery, secret: str,
                    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> Outcome:
        target = pinned(url, address) if address is not None else None
        headers = headers_for(delivery, secret)
        if target is not None:
            headers["Host"] = target.host
        try:
            response = await self._client.post(
                target.url if target is not None else url, content=delivery.body.encode(),
                headers=headers, extensions=target.extensions if target is not None else None)
        except httpx.ConnectError as error:
            return Outcome(None, f"ConnectError: {error}"[:MAX_ERROR_LENGTH], unreachable=True)
        except httpx.TimeoutException:
            return Outcome(None, "timed out")
        except httpx.HTTPError as error:
            return Outcome(None, f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH])
        if 200 <= response.status_code < 300:
            return Outcome(response.status_code)
        return Outcome(response.status_code, said(response)[:MAX_ERROR_LENGTH])

    async def aclose(self) -> None:
        await self._client.aclose()
