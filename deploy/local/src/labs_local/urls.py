"""The addresses a running suite answers on."""

from __future__ import annotations

from dataclasses import dataclass

from labs_common.config import SERVICE_PORT_OFFSETS

# Hosts that mean "every interface": a client reaches them through loopback.
_WILDCARD_HOSTS = {"", "0.0.0.0", "::"}


def service_address(service: str, port_base: int) -> str:
    return f"127.0.0.1:{port_base + SERVICE_PORT_OFFSETS[service]}"


@dataclass(frozen=True)
class GatewayUrls:
    host: str
    port: int

    @property
    def _authority(self) -> str:
        host = "127.0.0.1" if self.host in _WILDCARD_HOSTS else self.host
        host = f"[{host}]" if ":" in host else host
        return f"{host}:{self.port}"

    @property
    def base(self) -> str:
        return f"http://{self._authority}"

    @property
    def api(self) -> str:
        return f"{self.base}/api/v1"

    @property
    def docs(self) -> str:
        return f"{self.api}/docs"

    @property
    def openapi(self) -> str:
        return f"{self.api}/openapi.json"

    @property
    def health(self) -> str:
        return f"{self.api}/health"

    @property
    def websocket(self) -> str:
        return f"ws://{self._authority}/api/v1/ws"
