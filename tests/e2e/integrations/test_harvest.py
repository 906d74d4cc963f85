"""Harvest through the gateway, against a fake Harvest that pages, throttles and expires tokens
as Harvest does: two years of time arrive once with their rates (so margins are right), however
often it syncs; an edit in Harvest updates, a deletion goes, a locked entry stays; people nobody
in Labs is are named in the sync log; OAuth tokens are refreshed before they lapse."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from e2e_helpers import auth, eventually, join_as, sign_up

pytestmark = pytest.mark.e2e


async def sync(http, headers, connection_id: str) -> dict:
    """Asks for a sync and answers its log once it has finished."""
    job = await http.post(f"/integrations/{connection_id}/sync", headers=headers)
    assert job.status_code == 202, job.text

    async def finished():
        logs = await http.get(f"/integrations/{connection_id}/sync-logs", headers=headers)
        assert logs.status_code == 200, logs.text
        found = [log for log in logs.json()["sync_logs"] if log["id"] == job.json()["job_id"]]
        return found[0] if found and found[0]["status"] != "in_progress" else None

    return await eventually(finished, "the Harvest sync finished", timeout=60)


async def harvest_entries(http, headers) -> list[dict]:
    found, cursor = [], None
    while True:
        page = await http.get("/time-entries", headers=headers, params={
            "limit": 500, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        found += [e for e in body["time_entries"] if e["source"] == "harvest"]
        cursor = body.get("next_cursor")
        if not cursor:
            return found


def new_account(fake, org: str) -> tuple[object, str]:
    """A Harvest account and a personal access token for it."""
    account_id = str(uuid.uuid4().int % 10**7)
    token = f"pat-{uuid.uuid4().hex}"
    return fake.add_account(account_id, org, token=token), token


async def connect(http, headers, account, token: str) -> dict:
    refused = await http.post("/integrations/harvest/auth", headers=headers,
                              json={"access_token": "pat-not-harvests", "account_id": account.id})
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == ["access_token"]
    connected = await http.post("/integrations/harvest/auth", headers=headers,
                                json={"access_token": token, "account_id": account.id})
    assert connected.status_code == 201, connected.text
    assert connected.json()["account_name"] == account.name and token not in connected.text
    return connected.json()


async def test_two_years_of_harvest_time_arrive_once_with_their_margins(http, fake_harvest):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    email = f"ana-{uuid.uuid4().hex[:6]}@acme.test"
    person = await http.post("/resources", headers=headers, json={
        "name": "Ana Lima", "email": email, "seniority_level": "senior",
        "billing_rate": "150.00", "cost_rate": "60.00", "capacity_hours_per_week": 40})
    assert person.status_code == 201, person.text

    account, token = new_account(fake_harvest, "Acme Studio")
    ana = fake_harvest.add_user(account, "Ana", "Lima", email, cost_rate=60)
    stranger = fake_harvest.add_user(account, "Sam", "Nobody", "sam@elsewhere.test")
    site = fake_harvest.add_project(account, f"Website {uuid.uuid4().hex[:4]}", client="Acme")
    today = date.today()
    # Two years, a day a week: 104 entries of 2.5 h at 150 billed, 60 cost (Harvest's own).
    ids = [fake_harvest.add_entry(account, ana, site, (today - timedelta(days=7 * w)).isoformat(),
                                  2.5, notes=f"week {w}", billable_rate=150, cost_rate=60)
           for w in range(104)]
    approved_id = fake_harvest.add_entry(account, ana, site, today.isoformat(), 1.0,
                                         billable_rate=150, cost_rate=60,
                                         approval_status="approved")
    fake_harvest.add_entry(account, ana, site, today.isoformat(), 0.5, is_running=True)
    fake_harvest.add_entry(account, stranger, site, today.isoformat(), 3.0)
    connection = await connect(http, headers, account, token)

    first = await sync(http, headers, connection["id"])
    assert first["status"] == "success", first
    assert "sam@elsewhere.test" in (first["error_message"] or ""), first
    entries = await harvest_entries(http, headers)
    assert len(entries) == 105  # not the running timer, not the stranger's
    approved = [e for e in entries if e["hours"] == 1.0]
    assert len(approved) == 1 and approved[0]["status"] == "approved" and approved[0]["is_locked"]
    sample = next(e for e in entries if e["notes"] == "week 3")
    assert (sample["hours"], Decimal(sample["billable_rate"]), Decimal(sample["cost_rate"])) \
        == (2.5, Decimal("150"), Decimal("60"))
    assert sample["date_worked"] == (today - timedelta(days=21)).isoformat()

    projects = await http.get("/projects", headers=headers)
    (project,) = [p for p in projects.json()["projects"] if p["name"].startswith("Website")]

    async def margin():
        found = await http.get(f"/projects/{project['id']}", headers=headers)
        known = found.json().get("margin")
        return known if known and Decimal(str(known["revenue"])) == Decimal("39150") else None

    # 104 x 2.5 h + 1 h = 261 h: 39,150 billed, 15,660 cost, 60 %.
    known = await eventually(margin, "the margin counts every Harvest hour")
    assert Decimal(str(known["cost"])) == Decimal("15660")
    assert Decimal(str(known["margin_percent"])) == Decimal("60")

    # Ten syncs in all (the one a new connection gets on its own aside): nothing duplicated.
    for _ in range(9):
        again = await sync(http, headers, connection["id"])
        assert again["status"] == "success", again
    assert len(await harvest_entries(http, headers)) == 105

    # Changed in Harvest: updated in Labs; deleted in Harvest: gone (the reconcile).
    fake_harvest.edit_entry(account, ids[3], hours=4.0, notes="week 3, longer")
    fake_harvest.delete_entry(account, ids[5])
    await sync(http, headers, connection["id"])
    entries = await harvest_entries(http, headers)
    assert len(entries) == 104
    changed = [e for e in entries if e["notes"] == "week 3, longer"]
    assert [e["hours"] for e in changed] == [4.0]
    assert not [e for e in entries if e["notes"] == "week 5"]

    # It came approved, so it is locked in Labs: Harvest's later edit is left out, and said.
    fake_harvest.edit_entry(account, approved_id, hours=2.0)
    refused = await sync(http, headers, connection["id"])
    assert "approved and locked" in (refused["error_message"] or ""), refused
    assert [e["hours"] for e in await harvest_entries(http, headers) if e["is_locked"]] == [1.0]


async def test_harvest_asks_at_its_pace_and_waits_out_a_429(http, fake_harvest):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    account, token = new_account(fake_harvest, "Paced Studio")
    connection = await connect(http, headers, account, token)
    before = fake_harvest.throttled
    fake_harvest.limit, fake_harvest.window = 3, 2.0
    try:
        log = await sync(http, headers, connection["id"])
    finally:
        fake_harvest.limit, fake_harvest.window = 100, 15.0
    assert log["status"] == "success", log
    assert fake_harvest.throttled > before  # it was told to slow down, and did


async def test_only_admins_connect_and_sync_harvest_and_other_orgs_see_nothing(http, fake_harvest):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    account, token = new_account(fake_harvest, "Own Studio")
    connection = await connect(http, headers, account, token)
    manager = await join_as(http, owner, "manager")
    refused = await http.post(f"/integrations/{connection['id']}/sync",
                              headers=auth(manager["access_token"]))
    assert refused.status_code == 403, refused.text
    missing = await http.post("/integrations/harvest/auth", headers=headers,
                              json={"access_token": "pat-abc"})
    assert missing.status_code == 422, missing.text
    assert [e["field"] for e in missing.json()["errors"]] == ["account_id"]
    for account_id in ("12ab", "r~\u00e9"):  # Harvest's ids are numbers; a header is ASCII
        wrong = await http.post("/integrations/harvest/auth", headers=headers,
                                json={"access_token": "pat-abc", "account_id": account_id})
        assert wrong.status_code == 422, wrong.text
        assert [e["field"] for e in wrong.json()["errors"]] == ["account_id"]
    other = await sign_up(http, org="Other")
    hidden = await http.get(f"/integrations/{connection['id']}/sync-status",
                            headers=auth(other["access_token"]))
    assert hidden.status_code == 404, hidden.text


async def test_an_oauth_connection_is_refreshed_before_it_lapses(http, fake_harvest):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    account_id = str(uuid.uuid4().int % 10**7)
    fake_harvest.add_account(account_id, "OAuth Studio")
    started = await http.post("/integrations/harvest/auth", headers=headers,
                              json={"redirect_url": "https://console.example/back"})
    assert started.status_code in (200, 201), started.text
    assert started.json()["auth_url"].startswith(f"{fake_harvest.url}/oauth2/authorize?")
    lifetime = fake_harvest.token_lifetime
    fake_harvest.token_lifetime = 3600  # under a day: the sync refreshes it first
    try:
        code = fake_harvest.authorize(account_id)
        connected = await http.post("/integrations/harvest/callback", headers=headers,
                                    json={"code": code, "state": started.json()["state"]})
    finally:
        fake_harvest.token_lifetime = lifetime
    assert connected.status_code == 200, connected.text
    assert connected.json()["account_name"] == "OAuth Studio"
    refreshes = len([c for c in fake_harvest.requests if c.path == "/api/v2/oauth2/token"
                     and c.params.get("grant_type") == "refresh_token"])
    log = await sync(http, headers, connected.json()["id"])
    assert log["status"] == "success", log
    assert len([c for c in fake_harvest.requests if c.path == "/api/v2/oauth2/token"
                and c.params.get("grant_type") == "refresh_token"]) > refreshes
