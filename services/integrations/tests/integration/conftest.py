"""Identity (for tokens and the members the read model hears) and integrations, each running in
this process on real PostgreSQL and NATS with its own database, once per session, with
integrations' consumers and workers running. The other services are not started: tests publish
their envelopes on their streams themselves, as those services' relays would.

They get a NATS server of their own: integrations' durable consumers would otherwise share (and
so split) the events of the suite that the end-to-end tests run on the same server.

Integrations runs with private webhook targets allowed (the tests' receivers listen on
localhost) and short sweeps and retries; a test that needs production's refusal flips the
running guard (`integrations.runtime.extras["parts"].webhook_targets.allow_private`)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import nats
import pytest

from labs.identity.v1 import identity_service_pb2_grpc as identity_grpc
from labs.integrations.v1 import integrations_service_pb2_grpc as pb_grpc
from labs_common.config import SERVICES
from labs_common.events.streams import ensure_stream
from labs_common.service import RunningService, start
from labs_common.testing.fake_github import FakeGitHub
from labs_common.testing.fake_slack import FakeSlack
from labs_common.testing.infrastructure import free_port, start_nats
from labs_identity.config import Settings as IdentitySettings
from labs_identity.main import DEFINITION as IDENTITY
from labs_integrations.config import Settings
from labs_integrations.main import DEFINITION


def _common(postgres_url: str, nats_url: str, name: str) -> dict:
    return {
        "database_url": postgres_url,
        "database_name": f"labs_{name}_integrations_test_{uuid.uuid4().hex[:8]}",
        "nats_url": nats_url,
        "grpc_port": free_port(),
        "env": "test",
        "shutdown_grace_seconds": 0,
    }


# Identity issues delegated tokens to integrations with it (Slack commands run as the member).
DELEGATION_SECRET = "integrations-test-delegation-secret"


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    """The fake Slack integrations' slack-sdk client talks to (LABS_SLACK_API_URL), whose
    signing secret integrations verifies slash commands with."""
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="session")
def fake_github() -> Iterator[FakeGitHub]:
    """The fake GitHub integrations' PyGithub talks to (LABS_GITHUB_API_URL), whose webhook
    secret integrations verifies deliveries with."""
    with FakeGitHub(webhook_secret="integration-github-secret") as fake:
        yield fake


@pytest.fixture(scope="session")
def integrations_nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = start_nats(Path(tmp_path_factory.mktemp("integrations_nats")))
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
async def integrations_js(integrations_nats_url: str):
    """JetStream on integrations' NATS, with every service's stream (their services would
    create them), so the tests can publish their events and integrations' consumers find them."""
    connection = await nats.connect(integrations_nats_url)
    js = connection.jetstream()
    for service in SERVICES:
        await ensure_stream(js, service)
    yield js
    await connection.drain()


@pytest.fixture(scope="session")
async def integrations_identity(
    postgres_url: str, integrations_nats_url: str, integrations_js
) -> AsyncIterator[RunningService]:
    settings = IdentitySettings(**_common(postgres_url, integrations_nats_url, "identity"),
                                delegation_secret=DELEGATION_SECRET)
    service = await start(IDENTITY, settings)
    yield service
    await service.stop()


@pytest.fixture(scope="session")
async def integrations(
    postgres_url: str, integrations_nats_url: str, integrations_identity: RunningService,
    integrations_js, fake_slack: FakeSlack, fake_github: FakeGitHub,
) -> AsyncIterator[RunningService]:
    settings = Settings(
        **_common(postgres_url, integrations_nats_url, "integrations"),
        identity_addr=integrations_identity.address,
        webhooks_allow_private_targets=True,
        sweep_seconds=0.2,
        webhook_retry_base_seconds=0.2,
        webhook_timeout_seconds=5.0,
        slack_api_url=fake_slack.api_url,
        slack_signing_secret=fake_slack.signing_secret,
        slack_retry_base_seconds=0.2,
        delegation_secret=DELEGATION_SECRET,
        github_api_url=fake_github.url,
        github_webhook_secret=fake_github.webhook_secret,
        github_push_retry_base_seconds=0.2,
    )
    service = await start(DEFINITION, settings)
    yield service
    await service.stop()


@pytest.fixture(scope="session")
async def identity_stub(integrations_identity: RunningService):
    async with grpc.aio.insecure_channel(integrations_identity.address) as channel:
        yield identity_grpc.IdentityServiceStub(channel)


@pytest.fixture(scope="session")
async def stub(integrations: RunningService) -> AsyncIterator[pb_grpc.IntegrationsServiceStub]:
    async with grpc.aio.insecure_channel(integrations.address) as channel:
        yield pb_grpc.IntegrationsServiceStub(channel)
