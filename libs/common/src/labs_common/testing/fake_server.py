"""What the fakes of third-party platforms (fake_stripe, fake_github, fake_slack) share: an ASGI
app served by uvicorn in a daemon thread on a free 127.0.0.1 port, and a request log.

    server = ServerThread(app, name="fake-x").start()
    server.url      # http://127.0.0.1:<port>
    server.stop()
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

import uvicorn


class ServerThread:
    """`app` served by uvicorn in a thread of its own, on a port the OS picks."""

    def __init__(self, app: Any, *, name: str = "fake-server") -> None:
        self.app = app
        self.name = name
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def started(self) -> bool:
        return self._socket is not None

    @property
    def url(self) -> str:
        if self._socket is None:
            raise RuntimeError(f"{self.name} is not started")
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def start(self, timeout: float = 10.0) -> ServerThread:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._socket]},
                                        name=self.name, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._server = None



class FakePlatform:
    """The lifecycle every fake platform shares: its app served by `_server` (a ServerThread),
    started and stopped, or used as a context manager."""

    _server: ServerThread

    @property
    def url(self) -> str:
        return self._server.url

    def start(self) -> Self:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@dataclass
class Call:
    """One request a fake received: `params` are the query's and the body's fields merged
    (JSON or form), `json` the JSON body if it had one."""

    method: str
    path: str
    params: dict[str, Any]
    headers: dict[str, str]
    body: bytes = b""
    json: Any = None
    status: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class CallLog(list[Call]):
    def calls(self, method: str, path: str) -> list[Call]:
        return [c for c in list(self) if c.method == method and c.path == path]


async def poll(check: Callable[[], Any], timeout: float, what: str,
               interval: float = 0.02) -> Any:
    """`check()`'s first truthy answer, asked every `interval` seconds until `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} before the deadline ({timeout} s)")
        await asyncio.sleep(interval)


def wait_until(check: Callable[[], Any], timeout: float, what: str,
               interval: float = 0.02) -> Any:
    """The blocking twin of `poll`."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} before the deadline ({timeout} s)")
        time.sleep(interval)
