"""Asana's client and side against the fake Asana on this machine (no PostgreSQL, no NATS): a
project's tasks read 100 a page by following next_page.offset, with the fields an import needs;
a 429 waited out for its Retry-After; a refused token named as the field to fix, a project the
token cannot read named as the `source`."""

from __future__ import annotations

import uuid

import pytest

from labs_common.errors import InvalidArgument, Unavailable
from labs_common.testing.fake_asana import FakeAsana
from labs_integrations.adapters.asana_api import AsanaApi
from labs_integrations.adapters.asana_side import AsanaSide
from labs_integrations.adapters.issue_sources import asana_tasks
from labs_integrations.config import Settings


@pytest.fixture(scope="module")
def asana():
    with FakeAsana() as fake:
        yield fake


def user_of(fake: FakeAsana) -> tuple[str, dict]:
    token = f"2/{uuid.uuid4().hex}"
    gid = fake.add_user("Ana Lima", f"ana-{uuid.uuid4().hex[:6]}@acme.test", token=token)
    return gid, {"access_token": token, "kind": "token"}


def api_for(fake: FakeAsana, **options) -> AsanaApi:
    return AsanaApi(Settings(asana_api_url=fake.url), **options)


async def test_every_page_is_read_by_following_next_page_offset(asana):
    _gid, secret = user_of(asana)
    project = asana.add_project("Website")
    for n in range(150):
        asana.add_task(project, f"Task {n}")
    pages = [page async for page in api_for(asana).project_tasks(secret, project)]
    assert [len(page) for page in pages] == [100, 50]
    assert len({task["gid"] for page in pages for task in page}) == 150
    asked = asana.calls(f"/projects/{project}/tasks")
    assert [c.params.get("offset") is None for c in asked] == [True, False]
    assert asked[0].params["limit"] == "100"
    assert {"assignee.email", "memberships.section.name", "completed", "notes",
            "custom_fields.number_value"} <= set(asked[0].params["opt_fields"].split(","))
    assert asked[0].headers["authorization"] == f"Bearer {secret['access_token']}"


async def test_the_source_reads_tasks_as_labs_will_hold_them(asana):
    gid, secret = user_of(asana)
    project = asana.add_project("Website", sections=("To do", "In progress", "Done"))
    asana.add_task(project, "Home page", section="In progress", assignee=gid,
                   estimate_minutes=150)
    asana.add_task(project, "Launch", completed=True, estimate_hours=1)
    (page,) = [page async for page in asana_tasks(api_for(asana))(secret, project)]
    home, launch = page
    assert (home.status, home.assignee_email, str(home.estimated_hours)) == \
        ("in_progress", asana.users[gid]["email"], "2.50")
    assert (launch.status, launch.assignee_email, str(launch.estimated_hours)) == \
        ("done", None, "1.00")


async def test_a_429_is_waited_out_for_its_retry_after(asana):
    _gid, secret = user_of(asana)
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    asana.throttle(1, retry_after=30)
    me = await api_for(asana, sleep=sleep).me(secret)
    assert me["name"] == "Ana Lima" and waited == [30.0]


async def test_the_side_names_the_account_and_refuses_what_asana_refuses(asana):
    gid, secret = user_of(asana)
    side = AsanaSide(Settings(asana_api_url=asana.url))
    account = await side.identify(secret)
    assert (account.name, account.external_id) == ("Ana Lima", gid)
    with pytest.raises(InvalidArgument) as refused:
        await side.identify({"access_token": "2/not-a-token"})
    assert [e.field for e in refused.value.field_errors] == ["access_token"]
    with pytest.raises(Unavailable):
        await AsanaSide(Settings(asana_api_url="http://127.0.0.1:9")).identify(secret)


async def test_a_project_the_token_cannot_read_is_named_as_the_source(asana):
    _gid, secret = user_of(asana)
    for project in ("1999999999999999", "not-an-id"):
        with pytest.raises(InvalidArgument) as refused:
            [page async for page in api_for(asana).project_tasks(secret, project)]
        assert [e.field for e in refused.value.field_errors] == ["source"]
