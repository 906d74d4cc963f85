"""The SSRF guard of outgoing webhooks: an endpoint's host must resolve to public addresses
only, checked when the endpoint is created and again before every attempt (a name may point
elsewhere later).

Refused: private (10/8, 172.16/12, 192.168/16, fc00::/7 ULA), loopback, link-local (169.254/16
— the cloud metadata address — and fe80::/10), multicast, reserved, unspecified, shared CGNAT
space (100.64/10), and those written as IPv4-mapped (::ffff:127.0.0.1), IPv4-compatible,
6to4 or NAT64 forms; unless the deployment allows private targets (development, tests).

DNS rebinding: the sender connects to an address this check answered (adapters/webhook_sender.py
`pinned`), never to a second lookup of the name. Redirects are never followed, so a public
endpoint cannot bounce a delivery inward."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from labs_common.errors import InvalidArgument

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
SIXTOFOUR = ipaddress.ip_network("2002::/16")
# Benchmarking, documentation and other special ranges `is_global` already rules out; named
# here for the few Python versions whose tables lag.
EXTRA_BLOCKED = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "192.0.0.0/24", "198.18.0.0/15", "240.0.0.0/4", "255.255.255.255/32",
    "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8", "100::/64",
))


class TargetRefused(InvalidArgument):
    """An endpoint URL whose host is (or resolves to) an address deliveries may not reach."""


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for: ::ffff:a.b.c.d, ::a.b.c.d, 6to4, NAT64."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    packed = int(address)
    if packed >> 32 == 0 and packed > 1:  # IPv4-compatible ::a.b.c.d (deprecated)
        return ipaddress.IPv4Address(packed)
    return None


def is_public(address: Address) -> bool:
    """Whether a delivery may go to `address`."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return False
        inner = embedded_ipv4(address)
        if inner is not None:
            return is_public(inner)
    if any(address in network for network in EXTRA_BLOCKED if network.version == address.version):
        return False
    if isinstance(address, ipaddress.IPv4Address) and address in CGNAT:
        return False
    return not (address.is_private or address.is_loopback or address.is_link_local
                or address.is_multicast or address.is_reserved or address.is_unspecified
                or not address.is_global)


def literal_address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def resolve(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to (a literal one is itself)."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused.on("url", f"the host {host!r} does not resolve") from error
    found: list[Address] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and len(sockaddr) >= 4 and sockaddr[3]:
            address = ipaddress.IPv6Address(f"{address}%{sockaddr[3]}")
        if address not in found:
            found.append(address)
    return found


class TargetGuard:
    """Checks an endpoint URL's host; `allow_private` (settings.webhooks_allow_private_targets)
    lets development and tests reach localhost."""

    def __init__(self, allow_private: bool = False) -> None:
        self.allow_private = allow_private

    async def check(self, url: str) -> list[Address]:
        """The host's addresses; TargetRefused (INVALID_ARGUMENT on `url`) when it does not
        resolve or any address is not public."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        literal = literal_address(host)
        if literal is None and "%" in host:
            raise TargetRefused.on("url", "must not carry an IPv6 zone")
        addresses = await resolve(host, port)
        if not addresses:
            raise TargetRefused.on("url", f"the host {host!r} does not resolve")
        if not self.allow_private:
            refused = [a for a in addresses if not is_public(a)]
            if refused:
                raise TargetRefused.on(
                    "url", "must reach a public address (not private, loopback, link-local "
                    f"or reserved): {host} is {refused[0]}")
        return addresses
