"""Finding free ports, and telling the user early when the ones we need are taken."""

from __future__ import annotations

import random
import socket
from collections.abc import Iterable, Mapping

from labs_common.config import SERVICE_PORT_OFFSETS
from labs_local.settings import NATS_PORT_OFFSET

# A copy of the suite uses base + 1 .. base + NATS_PORT_OFFSET.
PORT_SPAN = NATS_PORT_OFFSET + 1


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        # Servers set SO_REUSEADDR too, so a port with connections in TIME_WAIT counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_port_base(attempts: int = 200) -> int:
    """A LABS_PORT_BASE whose service ports (and NATS port) are all free right now."""
    offsets = [*SERVICE_PORT_OFFSETS.values(), NATS_PORT_OFFSET]
    for _ in range(attempts):
        # Below the kernel's ephemeral range (32768+), where outgoing connections would collide.
        base = random.randrange(20000, 32000 - PORT_SPAN)
        if all(is_free(base + offset) for offset in offsets):
            return base
    raise RuntimeError("no free port range found")


def busy(ports: Mapping[str, int] | Iterable[tuple[str, int]]) -> dict[str, int]:
    """Those of `ports` (what → port) that something already listens on."""
    items = ports.items() if isinstance(ports, Mapping) else ports
    return {what: port for what, port in items if not is_free(port)}
