"""Jira's client and side against the fake Jira site on this machine (no PostgreSQL, no NATS):
the enhanced search read a page of 100 at a time by following nextPageToken until isLast, with
the fields an import needs; a 429 waited out for its Retry-After; an API token signing in as
email:token, a refused one named as the field to fix, a query Jira refuses named as `source`;
an unset site, an unreachable one."""

from __future__ import annotations

import uuid

import pytest

from labs_common.errors import Conflict, InvalidArgument, Unavailable
from labs_common.testing.fake_jira import FakeJira
from labs_integrations.adapters.issue_sources import jira_issues
from labs_integrations.adapters.jira_api import JiraApi
from labs_integrations.adapters.jira_side import JiraSide
from labs_integrations.config import Settings


@pytest.fixture(scope="module")
def jira():
    with FakeJira() as fake:
        yield fake


def user_of(fake: FakeJira, **options):
    email = f"ana-{uuid.uuid4().hex[:6]}@acme.test"
    user = fake.add_user(email, token=f"jira-{uuid.uuid4().hex}", name="Ana Lima", **options)
    return user, {"access_token": user.token, "account_id": email, "kind": "token"}


def project_key() -> str:
    return "P" + uuid.uuid4().hex[:5].upper()


async def test_every_page_is_read_by_following_next_page_token(jira):
    _user, secret = user_of(jira)
    key = project_key()
    for n in range(150):
        jira.add_issue(key, f"Issue {n}")
    pages = [page async for page in JiraApi(Settings(jira_api_url=jira.url)).search(
        secret, f"project = {key}")]
    assert [len(page) for page in pages] == [100, 50]
    assert len({issue["id"] for page in pages for issue in page}) == 150
    asked = [c for c in jira.calls("/rest/api/3/search/jql") if key in c.params.get("jql", "")]
    assert [c.params.get("nextPageToken") is None for c in asked] == [True, False]
    assert asked[0].params["maxResults"] == "100"
    assert asked[0].params["fields"].split(",") == [
        "summary", "description", "status", "assignee", "timeoriginalestimate", "updated"]
    assert asked[0].headers["authorization"].startswith("Basic ")


async def test_the_source_reads_issues_as_tasks_will_hold_them(jira):
    user, secret = user_of(jira)
    key = project_key()
    jira.add_issue(key, "Home page", status="In Progress", assignee=user,
                   estimate_seconds=7200, description="Hero\nand footer")
    (page,) = [page async for page in jira_issues(JiraApi(Settings(jira_api_url=jira.url)))(
        secret, f"project = {key}")]
    (found,) = page
    assert (found.reference, found.status, found.assignee_email, str(found.estimated_hours),
            found.description) == (f"{key}-1", "in_progress", user.email, "2.00",
                                   "Hero\nand footer")


async def test_a_429_is_waited_out_for_its_retry_after(jira):
    _user, secret = user_of(jira)
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    jira.throttle(2, retry_after=7)
    me = await JiraApi(Settings(jira_api_url=jira.url), sleep=sleep).myself(secret)
    assert me["emailAddress"] == secret["account_id"]
    assert waited == [7.0, 7.0]


async def test_a_jira_that_keeps_throttling_fails_the_call(jira):
    _user, secret = user_of(jira)

    async def sleep(_seconds: float) -> None:
        return None

    jira.throttle(5)
    try:
        with pytest.raises(Unavailable, match="429"):
            await JiraApi(Settings(jira_api_url=jira.url, import_max_throttles=3),
                          sleep=sleep).myself(secret)
    finally:
        jira.throttle(0)


async def test_the_side_names_the_account_and_refuses_what_jira_refuses(jira):
    user, secret = user_of(jira)
    side = JiraSide(Settings(jira_api_url=jira.url))
    account = await side.identify(secret)
    assert (account.name, account.external_id) == ("Ana Lima", user.account_id)
    for wrong, field in [({"access_token": "not-the-token"}, "access_token"),
                         ({"account_id": "someone@else.test"}, "access_token"),
                         ({"account_id": ""}, "account_id"),
                         ({"account_id": "not an email"}, "account_id")]:
        with pytest.raises(InvalidArgument) as refused:
            await side.identify({**secret, **wrong})
        assert [e.field for e in refused.value.field_errors] == [field], wrong


async def test_a_query_jira_refuses_is_named_as_the_source(jira):
    _user, secret = user_of(jira)
    with pytest.raises(InvalidArgument) as refused:
        [page async for page in JiraApi(Settings(jira_api_url=jira.url)).search(
            secret, "sprint = 4")]
    assert [e.field for e in refused.value.field_errors] == ["source"]
    assert "Field 'sprint' does not exist" in refused.value.detail


async def test_an_unset_or_unreachable_site_is_no_token_refusal():
    secret = {"access_token": "t", "account_id": "ana@acme.test"}
    with pytest.raises(Conflict, match="LABS_JIRA_API_URL"):
        await JiraSide(Settings(jira_api_url="")).identify(secret)
    with pytest.raises(Unavailable):
        await JiraSide(Settings(jira_api_url="http://127.0.0.1:9")).identify(secret)
