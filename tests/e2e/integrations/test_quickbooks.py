"""QuickBooks Online through the gateway, against a fake QuickBooks that answers, refuses and
loses answers as Intuit's does: an owner connects a company by OAuth (Intuit's realmId carried
in the callback); an invoice generated from tracked time and sent appears in QuickBooks once,
numbered as in Labs, with a customer for its client, even when QuickBooks' first answer is lost;
a payment of it in QuickBooks marks it paid in Labs at the next sync, and the sync after records
nothing more; a push QuickBooks refuses is in the sync log and goes again with the next sync;
only admins connect, and another org's connection is not found.

Run them alone with `-k quickbooks`."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from e2e_helpers import auth, database_of, eventually, join_as, sign_up

pytestmark = pytest.mark.e2e
query = database_of("integrations")
REDIRECT = "https://console.example/integrations/quickbooks/back"
MONDAY = date.today() - timedelta(days=date.today().weekday() + 7)  # last week's


async def connect(http, headers, fake, name: str = "Acme Books") -> tuple[dict, str]:
    """OAuth as a browser goes through it: Labs' authorization URL, Intuit's consent (the
    company chosen), the redirect's code, state and realmId handed to the callback."""
    realm = str(uuid.uuid4().int % 10**15)
    fake.add_company(realm, name)
    fake.consent_realm = realm
    started = await http.post("/integrations/quickbooks/auth", headers=headers,
                              json={"redirect_url": REDIRECT})
    assert started.status_code == 200, started.text
    auth_url, state = started.json()["auth_url"], started.json()["state"]
    assert auth_url.startswith(fake.authorize_url)
    asked = parse_qs(urlsplit(auth_url).query)
    assert asked["scope"] == ["com.intuit.quickbooks.accounting"]
    assert (asked["redirect_uri"], asked["state"]) == ([REDIRECT], [state])
    async with httpx.AsyncClient() as browser:
        consent = await browser.get(auth_url, follow_redirects=False)
    assert consent.status_code == 302, consent.text
    back = parse_qs(urlsplit(consent.headers["location"]).query)
    assert back["realmId"] == [realm]
    done = await http.post("/integrations/quickbooks/callback", headers=headers, json={
        "code": back["code"][0], "state": back["state"][0], "realm_id": back["realmId"][0]})
    assert done.status_code == 200, done.text
    return done.json(), realm


async def sync(http, headers, connection_id: str) -> dict:
    """Asks for a sync and answers its log once it has finished."""
    job = await http.post(f"/integrations/{connection_id}/sync", headers=headers)
    assert job.status_code == 202, job.text

    async def finished():
        logs = await http.get(f"/integrations/{connection_id}/sync-logs", headers=headers)
        assert logs.status_code == 200, logs.text
        found = [log for log in logs.json()["sync_logs"] if log["id"] == job.json()["job_id"]]
        return found[0] if found and found[0]["status"] != "in_progress" else None

    return await eventually(finished, "the QuickBooks sync finished", timeout=60)


async def first_sync_done(http, headers, connection_id: str) -> None:
    """A new connection syncs once on its own: the tests start once it has."""
    async def idle():
        status = await http.get(f"/integrations/{connection_id}/sync-status", headers=headers)
        assert status.status_code == 200, status.text
        return status.json()["status"] in ("success", "failed")

    await eventually(idle, "the first QuickBooks sync finished", timeout=60)


async def issued_invoice(http, owner: dict, headers, client_name: str, **generate) -> dict:
    """A client, a project, the owner as a resource with rates, 2.5 h logged last Monday,
    generated into an invoice and sent."""
    person = await http.post("/resources", headers=headers, json={
        "name": "Olive Owner", "user_id": owner["user"]["id"], "seniority_level": "senior",
        "billing_rate": "150.00", "cost_rate": "60.00", "currency": "USD"})
    assert person.status_code == 201, person.text
    client = await http.post("/clients", headers=headers, json={"name": client_name})
    assert client.status_code == 201, client.text
    project = await http.post("/projects", headers=headers, json={
        "name": f"Site {uuid.uuid4().hex[:6]}", "client_id": client.json()["id"],
        "status": "active", "budget_type": "time_and_materials", "budget_total": "10000.00",
        "budget_currency": "USD"})
    assert project.status_code == 201, project.text
    entry = await http.post(f"/projects/{project.json()['id']}/time-entries", headers=headers,
                            json={"hours": 2.5, "date_worked": MONDAY.isoformat(),
                                  "billable": True, "notes": "Design review"})
    assert entry.status_code == 201, entry.text
    assert entry.json()["billable_rate"] == "150.00"
    generated = await http.post("/invoices/generate", headers=headers, json={
        "project_id": project.json()["id"], "period_start": MONDAY.isoformat(),
        "period_end": (MONDAY + timedelta(days=6)).isoformat(), **generate})
    assert generated.status_code == 201, generated.text
    sent = await http.post(f"/invoices/{generated.json()['id']}/send", headers=headers)
    assert sent.status_code == 200, sent.text
    return sent.json()


async def push_settled(suite, invoice_id: str) -> str:
    async def settled():
        rows = await query(suite, "SELECT status, last_error FROM quickbooks_pushes "
                           "WHERE invoice_id = :id AND kind = 'invoice'", id=invoice_id)
        return rows[0].status if rows and rows[0].status != "pending" else None

    return await eventually(settled, "the invoice's push settled", timeout=60)


async def test_quickbooks_invoices_go_out_once_and_payments_come_back(http, suite,
                                                                      fake_quickbooks):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    connection, realm = await connect(http, headers, fake_quickbooks)
    assert (connection["platform"], connection["status"], connection["account_name"]) == (
        "quickbooks", "connected", "Acme Books")
    await first_sync_done(http, headers, connection["id"])
    client_name = f"Globex {uuid.uuid4().hex[:6]}"

    fake_quickbooks.drop_answers("invoice")  # QuickBooks makes it, its answer never arrives
    invoice = await issued_invoice(http, owner, headers, client_name, tax_rate="20")
    number = invoice["number"]
    assert Decimal(invoice["total"]) == Decimal("450.00")  # 2.5 h at 150, and 20 % tax
    assert await push_settled(suite, invoice["id"]) == "done"
    [pushed] = fake_quickbooks.invoices(realm, number)
    [customer] = fake_quickbooks.customers(realm, client_name)
    assert pushed["CustomerRef"]["value"] == customer["Id"]
    assert (pushed["TxnDate"], pushed["DueDate"]) == (invoice["issue_date"],
                                                      invoice["due_date"])
    assert Decimal(str(pushed["TotalAmt"])) == Decimal("450.00")
    assert pushed["Line"][0]["SalesItemLineDetail"]["Qty"] == 2.5
    creations = fake_quickbooks.calls("POST", f"/v3/company/{realm}/invoice")
    assert [c.status for c in creations] == [502]  # the retry found it: no second creation

    fake_quickbooks.add_payment(realm, pushed["Id"])  # the whole balance, today
    first = await sync(http, headers, connection["id"])
    assert (first["status"], first["records_synced"]) == ("success", 1), first
    paid = await http.get(f"/invoices/{invoice['id']}", headers=headers)
    assert paid.json()["status"] == "paid", paid.text
    payments = (await http.get(f"/invoices/{invoice['id']}/payments", headers=headers)).json()
    [payment] = payments["payments"]
    assert Decimal(payment["amount"]) == Decimal("450.00")
    assert payment["method"] == "bank_transfer"
    assert payment["reference"].startswith("QuickBooks payment ")

    again = await sync(http, headers, connection["id"])
    assert (again["status"], again["records_synced"]) == ("success", 0), again
    payments = (await http.get(f"/invoices/{invoice['id']}/payments", headers=headers)).json()
    assert len(payments["payments"]) == 1
    assert len(fake_quickbooks.invoices(realm, number)) == 1


async def test_quickbooks_refusing_a_push_is_in_the_sync_log_and_goes_again(http, suite,
                                                                             fake_quickbooks):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    current = await http.get("/organizations/current", headers=headers)
    # Labs allows a 20-character prefix; QuickBooks' DocNumber holds 21 characters.
    prefixed = await http.patch("/organizations/current",
                                headers={**headers, "If-Match": current.headers["etag"]},
                                json={"settings": {"invoice_prefix": "ACMESTUDIO-2026-INV-"}})
    assert prefixed.status_code == 200, prefixed.text
    connection, realm = await connect(http, headers, fake_quickbooks, "Long Numbers Books")
    await first_sync_done(http, headers, connection["id"])
    invoice = await issued_invoice(http, owner, headers, f"Initech {uuid.uuid4().hex[:6]}")
    assert len(invoice["number"]) == 24
    assert await push_settled(suite, invoice["id"]) == "failed"

    logs = (await http.get(f"/integrations/{connection['id']}/sync-logs",
                           headers=headers)).json()["sync_logs"]
    [failed] = [log for log in logs if log["trigger"] == "invoice_push"]
    assert failed["status"] == "failed" and invoice["number"] in failed["error_message"]
    assert "21" in failed["error_message"] or "longer" in failed["error_message"]
    assert not fake_quickbooks.invoices(realm)

    retried = await sync(http, headers, connection["id"])
    assert retried["status"] == "failed"
    assert "Sent again now." in retried["error_message"]
    # Sent again, refused again: a second entry, the push failed once more.
    assert await push_settled(suite, invoice["id"]) == "failed"

    async def logged_twice():
        logs = (await http.get(f"/integrations/{connection['id']}/sync-logs",
                               headers=headers)).json()["sync_logs"]
        return len([log for log in logs if log["trigger"] == "invoice_push"]) == 2

    await eventually(logged_twice, "the second refusal logged")


async def test_quickbooks_roles_and_other_tenants(http, fake_quickbooks):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    connection, _realm = await connect(http, headers, fake_quickbooks, "Roles Books")
    manager = auth((await join_as(http, owner, "manager"))["access_token"])
    refused = await http.post("/integrations/quickbooks/auth", headers=manager,
                              json={"redirect_url": REDIRECT})
    assert refused.status_code == 403, refused.text
    assert (await http.post("/integrations/quickbooks/callback", headers=manager, json={
        "code": "c", "state": "s", "realm_id": "1"})).status_code == 403
    assert (await http.post(f"/integrations/{connection['id']}/sync", headers=manager)
            ).status_code == 403
    assert (await http.get("/integrations", headers=manager)).status_code == 200

    # QuickBooks has OAuth only; a callback without the company is refused by name.
    tokens = await http.post("/integrations/quickbooks/auth", headers=headers,
                             json={"access_token": "qb-personal-token"})
    assert tokens.status_code == 422
    assert [e["field"] for e in tokens.json()["errors"]] == ["access_token"]
    started = await http.post("/integrations/quickbooks/auth", headers=headers,
                              json={"redirect_url": REDIRECT})
    no_realm = await http.post("/integrations/quickbooks/callback", headers=headers, json={
        "code": fake_quickbooks.authorize(_realm), "state": started.json()["state"]})
    assert no_realm.status_code == 422, no_realm.text
    assert [e["field"] for e in no_realm.json()["errors"]] == ["realm_id"]

    other = auth((await sign_up(http, "Other Agency"))["access_token"])
    for method, path in (("POST", f"/integrations/{connection['id']}/sync"),
                         ("GET", f"/integrations/{connection['id']}/sync-status"),
                         ("GET", f"/integrations/{connection['id']}/sync-logs"),
                         ("DELETE", f"/integrations/{connection['id']}")):
        answer = await http.request(method, path, headers=other)
        assert answer.status_code == 404, (method, path, answer.text)
    assert (await http.get("/integrations", headers=headers)).json()["integrations"][0][
        "id"] == connection["id"]
