"""Fixtures for gateway tests: locally signed tokens, a fake identity over real gRPC, a gateway
app (in-process over ASGI, or served by uvicorn on a free port for WebSocket tests)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import grpc
import httpx
import jwt
import nats
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from jwt.algorithms import OKPAlgorithm

from labs.identity.v1 import identity_service_pb2_grpc
from labs_common.auth.tokens import TokenVerifier
from labs_common.config import SERVICES
from labs_common.testing.infrastructure import free_port
from labs_gateway.app import create_app
from labs_gateway.config import GatewaySettings
from labs_gateway.main import _Server, uvicorn_config
from labs_gateway.upstream import Upstream

ISSUER, AUDIENCE = "labs-identity", "labs"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey

    @property
    def jwk(self) -> dict:
        public = json.loads(OKPAlgorithm.to_jwk(self.private.public_key()))
        return {**public, "kid": self.kid, "alg": "EdDSA", "use": "sig"}

    def sign(self, claims: dict, **header) -> str:
        return jwt.encode(claims, self.private, algorithm="EdDSA",
                          headers={"kid": self.kid, "typ": "at+jwt", **header})


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return SigningKey(kid="test-key-1", private=Ed25519PrivateKey.generate())


def claims_for(org_id: uuid.UUID, role: str = "member", user_id: uuid.UUID | None = None,
               expires_in: int = 300, **extra) -> dict:
    now = int(time.time())
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": str(user_id or uuid.uuid4()),
            "org": str(org_id), "role": role, "sid": str(uuid.uuid4()),
            "iat": now, "exp": now + expires_in, **extra}


@pytest.fixture
def make_claims() -> Callable[..., dict]:
    return claims_for


@pytest.fixture
def impostor_key(signing_key: SigningKey) -> SigningKey:
    """Same kid as the real key, different private key: its signatures must not verify."""
    return SigningKey(kid=signing_key.kid, private=Ed25519PrivateKey.generate())


@pytest.fixture
def issue_token(signing_key: SigningKey) -> Callable[..., str]:
    """A valid access token for an org (a fresh one unless given), signed with the test key."""
    def issue(org_id: uuid.UUID | None = None, role: str = "member", **kwargs) -> str:
        return signing_key.sign(claims_for(org_id or uuid.uuid4(), role, **kwargs))
    return issue


@pytest.fixture
def verifier(signing_key: SigningKey) -> TokenVerifier:
    async def fetch() -> list[dict]:
        return [signing_key.jwk]
    return TokenVerifier(fetch, ISSUER, AUDIENCE)


def gateway_settings(**overrides) -> GatewaySettings:
    """Settings whose services all live at addresses where nothing listens (unless overridden)."""
    addresses = {f"{name}_addr": f"127.0.0.1:{free_port()}" for name in SERVICES}
    return GatewaySettings(**{"env": "test", "nats_url": "nats://127.0.0.1:1",
                              "rate_limit": "10000/minute", **addresses, **overrides})


@pytest.fixture
async def make_client(verifier: TokenVerifier) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """Builds a gateway app from settings overrides and an HTTP client talking to it in-process."""
    opened: list[tuple[httpx.AsyncClient, Upstream]] = []

    def make(*, nats_connection=None, **overrides) -> httpx.AsyncClient:
        settings = gateway_settings(**overrides)
        upstream = Upstream.open(settings)
        app = create_app(settings, upstream, nats=nats_connection, verifier=verifier)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                   base_url="http://gateway.test")
        opened.append((client, upstream))
        return client

    yield make
    for client, upstream in opened:
        await client.aclose()
        await upstream.close()


@pytest.fixture
async def client(make_client) -> httpx.AsyncClient:
    return make_client()


@dataclass
class RunningGateway:
    base_url: str
    settings: GatewaySettings
    app: object = None  # the FastAPI app it serves, for tests that look inside

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/api/v1/ws"


@pytest.fixture
async def start_gateway(nats_url: str, verifier: TokenVerifier):
    """Starts real gateways (uvicorn on a free port, on the test NATS); stops them afterwards."""
    running: list[tuple[_Server, asyncio.Task, object, Upstream]] = []

    async def start(**overrides) -> RunningGateway:
        settings = gateway_settings(nats_url=nats_url, gateway_port=free_port(), **overrides)
        connection = await nats.connect(nats_url)
        upstream = Upstream.open(settings)
        app = create_app(settings, upstream, nats=connection, verifier=verifier)
        server = _Server(uvicorn_config(app, settings))
        task = asyncio.create_task(server.serve())
        running.append((server, task, connection, upstream))
        deadline = time.monotonic() + 10
        while not server.started:
            if task.done() or time.monotonic() > deadline:
                raise RuntimeError("gateway did not start")
            await asyncio.sleep(0.01)
        return RunningGateway(f"http://127.0.0.1:{settings.gateway_port}", settings, app)

    yield start
    for server, task, connection, upstream in running:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        await connection.close()
        await upstream.close()


@pytest.fixture
async def serve_identity() -> AsyncIterator[Callable]:
    """Starts gRPC servers on free ports speaking the standard health service (SERVING) and,
    when given one, an IdentityService servicer; answers the address."""
    started: list[grpc.aio.Server] = []

    async def start(identity_servicer=None) -> str:
        server = grpc.aio.server()
        health_servicer = health.aio.HealthServicer()
        await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
        health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
        if identity_servicer is not None:
            identity_service_pb2_grpc.add_IdentityServiceServicer_to_server(
                identity_servicer, server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        started.append(server)
        return f"127.0.0.1:{port}"

    yield start
    for server in started:
        await server.stop(None)


@pytest.fixture
async def serve_servicer() -> AsyncIterator[Callable]:
    """Starts a gRPC server on a free port for a fake servicer of a platform service:
    `await serve_servicer(add_XServiceServicer_to_server, fake)` answers its address."""
    started: list[grpc.aio.Server] = []

    async def start(add_to_server, servicer) -> str:
        server = grpc.aio.server()
        add_to_server(servicer, server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        started.append(server)
        return f"127.0.0.1:{port}"

    yield start
    for server in started:
        await server.stop(None)
