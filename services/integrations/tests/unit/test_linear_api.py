"""Linear's GraphQL client and side against the fake Linear on this machine (no PostgreSQL, no
NATS): a key is identified as its workspace, a refused one named by the field that carried it;
changed issues read a page at a time by following endCursor; the rate limit waited out; a query
Linear would not run refused as Linear refuses it; an issue's title and state changed."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from labs_common.errors import InvalidArgument
from labs_common.testing.fake_linear import FakeLinear
from labs_integrations.adapters.linear_api import LinearApi, LinearRefused, authorization
from labs_integrations.adapters.linear_side import LinearSide
from labs_integrations.config import Settings
from labs_integrations.domain import linear as ln


@pytest.fixture(scope="module")
def linear():
    with FakeLinear() as fake:
        yield fake


def key_of(fake: FakeLinear) -> dict:
    key = f"lin_api_{uuid.uuid4().hex}"
    fake.add_user("Ana Lima", f"ana-{uuid.uuid4().hex[:6]}@acme.test", api_key=key)
    return {"access_token": key, "kind": "token", "given_as": "api_key"}


def settings_for(fake: FakeLinear) -> Settings:
    return Settings(linear_api_url=fake.api_url)


async def test_a_key_is_identified_as_its_workspace_and_sent_without_bearer(linear):
    secret = key_of(linear)
    account = await LinearSide(settings_for(linear)).identify(secret)
    assert (account.name, account.external_id) == (linear.organization["name"],
                                                   linear.organization["id"])
    assert linear.calls()[-1].headers["authorization"] == secret["access_token"]
    assert authorization({"access_token": "lin_oauth_x", "kind": "oauth"}) == "Bearer lin_oauth_x"


async def test_a_refused_key_is_named_by_the_field_that_carried_it(linear):
    side = LinearSide(settings_for(linear))
    for given_as in ("api_key", "access_token"):
        with pytest.raises(InvalidArgument) as refused:
            await side.identify({"access_token": "lin_api_nope", "kind": "token",
                                 "given_as": given_as})
        assert [e.field for e in refused.value.field_errors] == [given_as]


async def test_changed_issues_are_read_a_page_at_a_time_by_end_cursor(linear):
    secret = key_of(linear)
    team = f"T{uuid.uuid4().hex[:4].upper()}"
    linear.add_team(team)
    other = linear.add_team(f"O{uuid.uuid4().hex[:4].upper()}")
    project = linear.add_project("Site")
    for n in range(60):
        linear.create_issue(team, f"Issue {n}", notify=False)
    linear.create_issue(other, "In a mapped project", project=project, notify=False)
    linear.create_issue(other, "Not asked for", notify=False)
    api = LinearApi(settings_for(linear))
    pages = [page async for page in api.issues(secret, None, [team], [project])]
    assert [len(page) for page in pages] == [50, 11]
    titles = {ln.IssueFacts.of(node).title for page in pages for node in page}
    assert "In a mapped project" in titles and "Not asked for" not in titles
    newest = max(ln.IssueFacts.of(n).updated_at for page in pages for n in page)
    later = [page async for page in api.issues(secret, newest - timedelta(milliseconds=1),
                                               [team], [project])]
    assert sum(len(page) for page in later) == 1


async def test_the_rate_limit_is_waited_out(linear):
    secret = key_of(linear)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    linear.throttle(2)
    found = await LinearApi(settings_for(linear), sleep=sleep).viewer(secret)
    assert found["organization"]["id"] == linear.organization["id"]
    assert len(waits) == 2 and all(0 <= w <= 2 for w in waits)


async def test_a_query_linear_would_not_run_is_refused_as_linear_refuses_it(linear):
    secret = key_of(linear)
    api = LinearApi(settings_for(linear))
    with pytest.raises(LinearRefused, match="Cannot query field"):
        await api.execute(secret, "query { viewer { id nickname } }")
    with pytest.raises(LinearRefused, match="Entity not found"):
        await api.update_issue(secret, str(uuid.uuid4()), title="x")
    assert await api.user_email(secret, str(uuid.uuid4())) is None


async def test_an_issue_s_title_and_state_are_changed(linear):
    secret = key_of(linear)
    team = f"U{uuid.uuid4().hex[:4].upper()}"
    team_id = linear.add_team(team)
    issue_id = linear.create_issue(team, "Login breaks", notify=False)
    api = LinearApi(settings_for(linear))
    states = [ln.State.of(s) for s in await api.team_states(secret, team_id)]
    done = ln.state_for(states, "done")
    changed = ln.IssueFacts.of(await api.update_issue(secret, issue_id, title="Login fixed",
                                                      state_id=done.id))
    assert (changed.title, changed.state.name) == ("Login fixed", "Done")
    assert linear.mutations[-1] == {"id": issue_id, "input": {"title": "Login fixed",
                                                              "stateId": done.id}}
