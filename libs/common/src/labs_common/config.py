"""Settings read from the environment once, in a service's main(), and passed down."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url

# Every service's gRPC port is LABS_PORT_BASE + its offset, so two copies of the suite can run
# side by side by changing one variable. The gateway's HTTP port is separate (LABS_GATEWAY_PORT).
SERVICE_PORT_OFFSETS: dict[str, int] = {
    "identity": 1,
    "projects": 2,
    "time": 3,
    "billing": 4,
    "capacity": 5,
    "forecasting": 6,
    "integrations": 7,
}
SERVICES: tuple[str, ...] = tuple(SERVICE_PORT_OFFSETS)

DEV_PLACEHOLDER = "dev-only-change-me"


class BaseLabsSettings(BaseSettings):
    """What every process (service or gateway) reads."""

    model_config = SettingsConfigDict(env_prefix="LABS_", extra="ignore", frozen=True)

    env: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"
    nats_url: str = "nats://127.0.0.1:4222"
    # A NATS .creds file (user JWT + nkey seed) or an nkey seed file this process authenticates
    # with (labs_common.events.connection); empty: none.
    nats_credentials_file: str = ""
    port_base: int = Field(50050, ge=1024, le=65000)
    # Where a service reaches another: host:port. Defaults derive from port_base on 127.0.0.1.
    identity_addr: str = ""
    projects_addr: str = ""
    time_addr: str = ""
    billing_addr: str = ""
    capacity_addr: str = ""
    forecasting_addr: str = ""
    integrations_addr: str = ""
    jwt_issuer: str = "labs-identity"
    jwt_audience: str = "labs"
    # Deadline for an outgoing gRPC call, in seconds.
    grpc_client_timeout: float = Field(5.0, gt=0)
    shutdown_grace_seconds: float = Field(5.0, ge=0)
    # The standard OpenTelemetry variables; traces are exported only when an endpoint is set.
    otel_exporter_otlp_endpoint: str = Field("", validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    otel_exporter_otlp_traces_endpoint: str = Field(
        "", validation_alias="OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    )
    # Spans of REST requests and gRPC calls: made by default only when something exports them,
    # since with no exporter they are a third of a read's CPU spent on nothing. True forces
    # them on (an in-process exporter, as the tracing tests use), False off.
    tracing: bool | None = None

    @property
    def tracing_enabled(self) -> bool:
        if self.tracing is not None:
            return self.tracing
        return bool(self.otel_exporter_otlp_endpoint or self.otel_exporter_otlp_traces_endpoint)

    @model_validator(mode="after")
    def _default_addresses(self) -> BaseLabsSettings:
        for name, offset in SERVICE_PORT_OFFSETS.items():
            if not getattr(self, f"{name}_addr"):
                object.__setattr__(self, f"{name}_addr", f"127.0.0.1:{self.port_base + offset}")
        return self

    def addr_of(self, service: str) -> str:
        return getattr(self, f"{service}_addr")


class ServiceSettings(BaseLabsSettings):
    """A domain service: its own database, its gRPC port, its stream."""

    service_name: str
    # Any PostgreSQL server. The database name in it is used unless LABS_DATABASE_NAME is set
    # (the local runner points every service at one server and names a database per service).
    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    database_name: str = ""
    database_pool_size: int = Field(10, ge=1)
    # A pooled connection unused this long is closed by the server (idle_session_timeout), so a
    # replica at rest holds the few connections it still uses, not its busiest minute's.
    database_idle_seconds: float = Field(60.0, gt=0)
    # Create the database when it is missing and run migrations on start (a Kubernetes Job may do
    # the migration instead and set this to false).
    migrate_on_start: bool = True
    grpc_host: str = "127.0.0.1"
    grpc_port: int = 0
    outbox_poll_seconds: float = Field(1.0, gt=0)
    # JetStream replicas of the service's stream: 1 locally, 3 on a production NATS cluster.
    stream_replicas: int = Field(1, ge=1, le=5)
    # Disk a service's stream and the dead-letter stream may take (oldest messages go first);
    # both also forget messages after 30 days (labs_common.events.streams).
    stream_max_bytes: int = Field(512 * 1024**2, gt=0)
    dead_letter_max_bytes: int = Field(128 * 1024**2, gt=0)
    # How long the platform tables keep rows (labs_common.pruning), and how often they are pruned.
    # Published outbox rows are only needed until JetStream has them.
    outbox_retention_days: float = Field(7.0, gt=0)
    # Longer than the streams keep an event (30 days): a redelivered or replayed one must still
    # find its id here, or its effect would be applied twice.
    inbox_retention_days: float = Field(45.0, gt=30)
    # API.md: an Idempotency-Key is remembered for at least 24 hours.
    idempotency_retention_hours: float = Field(48.0, ge=24)
    prune_every_seconds: float = Field(300.0, gt=0)
    # Shared by identity and the services that act as a member (integrations): what such a
    # service shows identity (`x-labs-service-credential`) to get a delegated access token
    # (IssueDelegatedToken, labs_common.auth.delegation). Empty: identity issues none.
    delegation_secret: SecretStr = SecretStr("")

    @model_validator(mode="after")
    def _service_defaults(self) -> ServiceSettings:
        if self.service_name not in SERVICE_PORT_OFFSETS:
            raise ValueError(f"unknown service {self.service_name!r}")
        if not self.grpc_port:
            port = self.port_base + SERVICE_PORT_OFFSETS[self.service_name]
            object.__setattr__(self, "grpc_port", port)
        if not self.database_name:
            name = make_url(self.database_url).database
            if not name or name == "postgres":
                name = f"labs_{self.service_name}"
            object.__setattr__(self, "database_name", name)
        return self

    @property
    def sqlalchemy_url(self) -> URL:
        return make_url(self.database_url).set(
            drivername="postgresql+asyncpg", database=self.database_name
        )

    @property
    def stream_name(self) -> str:
        return f"LABS_{self.service_name.upper()}"
