"""The platform with the integrations service talking to local fakes of its platforms (GitHub,
Slack, Harvest, QuickBooks, Jira, Asana, Linear), started once for the tests of this package and
stopped after them (not at the end of the session: its processes would load the machine for
every later module). GitHub's and Linear's signed webhooks and Slack's signed slash commands go
to this suite's gateway, and outgoing webhooks may target this machine
(a development setting; production refuses private addresses).

A suite of its own, like Stripe's: on the session's suite nothing is connected, and other
modules' exact expectations do not reckon with what integrations adds.

Figma and Notion are faked too (links' titles and thumbnails are read from them); Labs registers
its Figma webhooks with the fake, whose FILE_UPDATE and FILE_COMMENT come to this gateway."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from labs_common.testing.fake_asana import FakeAsana
from labs_common.testing.fake_figma import FakeFigma
from labs_common.testing.fake_github import FakeGitHub
from labs_common.testing.fake_harvest import FakeHarvest
from labs_common.testing.fake_jira import FakeJira
from labs_common.testing.fake_linear import FakeLinear
from labs_common.testing.fake_notion import FakeNotion
from labs_common.testing.fake_quickbooks import FakeQuickBooks
from labs_common.testing.fake_slack import FakeSlack
from labs_local import Suite, free_port, free_port_base

GITHUB_APP = ("Iv1.e2e-client", "e2e-client-secret")
SLACK_APP = ("e2e-slack-client", "e2e-slack-secret")
HARVEST_APP = ("e2e-harvest-client", "e2e-harvest-secret")
QUICKBOOKS_APP = ("e2e-quickbooks-client", "e2e-quickbooks-secret")
LINEAR_APP = ("e2e-linear-client", "e2e-linear-secret")
JIRA_APP = ("e2e-jira-client", "e2e-jira-secret")
ASANA_APP = ("e2e-asana-client", "e2e-asana-secret")
FIGMA_APP = ("e2e-figma-client", "e2e-figma-secret")
NOTION_APP = ("e2e-notion-client", "e2e-notion-secret")


@pytest.fixture(scope="package")
def fake_github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub(webhook_secret="e2e-github-webhook-secret").start()
    fake.add_oauth_app(*GITHUB_APP)
    yield fake
    fake.stop()


@pytest.fixture(scope="package")
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(signing_secret="e2e-slack-signing-secret").start()
    fake.add_oauth_app(*SLACK_APP)
    yield fake
    fake.stop()


@pytest.fixture(scope="package")
def fake_harvest() -> Iterator[FakeHarvest]:
    # Harvest's own pace (100 requests per 15 s) is above the syncer's (80): the tests that
    # want a 429 lower it.
    fake = FakeHarvest().start()
    fake.add_oauth_app(*HARVEST_APP)
    yield fake
    fake.stop()


@pytest.fixture(scope="package")
def fake_quickbooks() -> Iterator[FakeQuickBooks]:
    fake = FakeQuickBooks().start()
    fake.add_oauth_app(*QUICKBOOKS_APP)
    yield fake
    fake.stop()


@pytest.fixture(scope="package")
def fake_jira() -> Iterator[FakeJira]:
    fake = FakeJira().start()
    fake.oauth.add_app(*JIRA_APP)
    yield fake
    fake.stop()


@pytest.fixture(scope="package")
def fake_asana() -> Iterator[FakeAsana]:
    fake = FakeAsana().start()
    fake.oauth.add_app(*ASANA_APP)
    yield fake
    fake.stop()


@pytest.fixture(scope="package")
def fake_linear() -> Iterator[FakeLinear]:
    fake = FakeLinear(webhook_secret="e2e-linear-webhook-secret").start()
    fake.add_oauth_app(*LINEAR_APP)
    yield fake
    fake.stop()


@pytest.fixture(scope="package")
def fake_figma() -> Iterator[FakeFigma]:
    fake = FakeFigma().start()
    fake.oauth.add_app(*FIGMA_APP)
    yield fake
    fake.stop()


@pytest.fixture(scope="package")
def fake_notion() -> Iterator[FakeNotion]:
    fake = FakeNotion().start()
    fake.oauth.add_app(*NOTION_APP)
    yield fake
    fake.stop()


@pytest.fixture(scope="package")
async def suite(postgres_url: str, tmp_path_factory, smtp_sink, fake_github: FakeGitHub,
                fake_slack: FakeSlack, fake_harvest: FakeHarvest,
                fake_quickbooks: FakeQuickBooks, fake_jira: FakeJira,
                fake_asana: FakeAsana, fake_linear: FakeLinear, fake_figma: FakeFigma,
                fake_notion: FakeNotion) -> AsyncIterator[Suite]:
    key = base64.b64encode(os.urandom(32)).decode()
    # Known before the suite starts: integrations registers it as the Figma webhooks' endpoint.
    gateway_port = free_port()
    suite = Suite(
        data_dir=Path(tmp_path_factory.mktemp("integrations_suite")),
        port_base=free_port_base(),
        gateway_port=gateway_port,
        database_url=postgres_url,
        database_prefix=f"labs_e2e_int_{uuid.uuid4().hex[:6]}_",
        labs_env="test",
        log_format="json",
        shutdown_grace_seconds=1.0,
        startup_timeout=90.0,
        extra_env={
            "LABS_RATE_LIMIT": "100000/minute", "LABS_SMTP_URL": smtp_sink.url,
            "LABS_SWEEP_SECONDS": "0.5",
            "LABS_CREDENTIALS_KEYS": f"e2e-1:{key}",
            "LABS_GITHUB_API_URL": fake_github.url,
            "LABS_GITHUB_OAUTH_URL": fake_github.url,
            "LABS_GITHUB_CLIENT_ID": GITHUB_APP[0],
            "LABS_GITHUB_CLIENT_SECRET": GITHUB_APP[1],
            "LABS_GITHUB_WEBHOOK_SECRET": fake_github.webhook_secret,
            # The reconciler runs when a test asks (POST /integrations/{id}/sync), not on a clock.
            "LABS_RECONCILE_SECONDS": "3600",
            "LABS_SLACK_API_URL": fake_slack.api_url,
            "LABS_SLACK_OAUTH_URL": fake_slack.url,
            "LABS_SLACK_CLIENT_ID": SLACK_APP[0],
            "LABS_SLACK_CLIENT_SECRET": SLACK_APP[1],
            "LABS_SLACK_SIGNING_SECRET": fake_slack.signing_secret,
            "LABS_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
            "LABS_HARVEST_API_URL": fake_harvest.url,
            "LABS_HARVEST_OAUTH_URL": fake_harvest.url,
            "LABS_HARVEST_CLIENT_ID": HARVEST_APP[0],
            "LABS_HARVEST_CLIENT_SECRET": HARVEST_APP[1],
            # Every sync also reconciles (finds what was deleted in Harvest), not only nightly.
            "LABS_HARVEST_RECONCILE_SECONDS": "0.001",
            "LABS_QUICKBOOKS_API_URL": fake_quickbooks.url,
            "LABS_QUICKBOOKS_OAUTH_URL": fake_quickbooks.url,
            "LABS_QUICKBOOKS_AUTHORIZE_URL": fake_quickbooks.authorize_url,
            "LABS_QUICKBOOKS_REVOKE_URL": fake_quickbooks.revoke_url,
            "LABS_QUICKBOOKS_CLIENT_ID": QUICKBOOKS_APP[0],
            "LABS_QUICKBOOKS_CLIENT_SECRET": QUICKBOOKS_APP[1],
            # Payments are read when a test asks (POST /integrations/{id}/sync), and a push
            # QuickBooks did not take goes again half a second later.
            "LABS_QUICKBOOKS_SYNC_SECONDS": "3600",
            "LABS_QUICKBOOKS_PUSH_RETRY_BASE_SECONDS": "0.5",
            # The Jira Cloud site and Asana that imports read, and their OAuth: Atlassian's
            # consent, tokens and API gateway, Asana's app.asana.com, all on the fakes.
            "LABS_JIRA_API_URL": fake_jira.url,
            "LABS_ASANA_API_URL": fake_asana.url,
            "LABS_JIRA_OAUTH_URL": fake_jira.url,
            "LABS_ATLASSIAN_API_URL": fake_jira.url,
            "LABS_JIRA_CLIENT_ID": JIRA_APP[0],
            "LABS_JIRA_CLIENT_SECRET": JIRA_APP[1],
            "LABS_ASANA_OAUTH_URL": fake_asana.url,
            "LABS_ASANA_CLIENT_ID": ASANA_APP[0],
            "LABS_ASANA_CLIENT_SECRET": ASANA_APP[1],
            # Linear: its GraphQL API and OAuth on the fake, its webhooks signed with this
            # secret; the reconciler runs when a test asks, and a push Linear did not take goes
            # again half a second later.
            "LABS_LINEAR_API_URL": fake_linear.api_url,
            "LABS_LINEAR_WEBHOOK_SECRET": fake_linear.webhook_secret,
            "LABS_LINEAR_CLIENT_ID": LINEAR_APP[0],
            "LABS_LINEAR_CLIENT_SECRET": LINEAR_APP[1],
            "LABS_LINEAR_RECONCILE_SECONDS": "3600",
            "LABS_LINEAR_PUSH_RETRY_BASE_SECONDS": "0.5",
            # Figma and Notion, whose files and pages tasks and projects link; Figma's team
            # webhooks are registered with this suite's gateway as their endpoint.
            "LABS_FIGMA_API_URL": fake_figma.url,
            "LABS_NOTION_API_URL": fake_notion.url,
            # Their OAuth apps (Figma's consent page stays www.figma.com: nobody opens it here).
            "LABS_FIGMA_CLIENT_ID": FIGMA_APP[0],
            "LABS_FIGMA_CLIENT_SECRET": FIGMA_APP[1],
            "LABS_NOTION_CLIENT_ID": NOTION_APP[0],
            "LABS_NOTION_CLIENT_SECRET": NOTION_APP[1],
            "LABS_FIGMA_WEBHOOK_URL": f"http://127.0.0.1:{gateway_port}/api/v1/webhooks/figma",
            # Links are read again every 3 s (an hour by default), so a change is seen soon.
            "LABS_LINK_REFRESH_SECONDS": "3",
        },
    )
    fake_github.webhook_url = f"{suite.gateway_url}/api/v1/webhooks/github"
    fake_linear.webhook_url = f"{suite.gateway_url}/api/v1/webhooks/linear"
    await suite.start()
    yield suite
    await suite.stop()
