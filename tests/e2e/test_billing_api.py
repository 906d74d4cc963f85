"""Billing through the gateway as an agency uses it, on the whole platform: manual invoices and
their gapless numbers, invoices generated from tracked time (and what generating, voiding and
deleting do to the entries), payments, the PDF, who may read invoices, Stripe's webhook, live
events, and numbering and generation under concurrency.

Run them alone with `-k billing` (the module's name)."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest
import websockets
from e2e_helpers import auth, join_as, receive_until, sign_up

pytestmark = pytest.mark.e2e

WEEK = {"period_start": "2026-03-02", "period_end": "2026-03-08"}


async def new_project(http, headers, rate: str = "150.00", **fields) -> dict:
    created = await http.post("/projects", headers=headers, json={
        "name": f"Site {uuid.uuid4().hex[:6]}", "status": "active",
        "client_name": f"Client {uuid.uuid4().hex[:6]}", "billing_rate_override": rate,
        "budget_currency": "EUR", **fields})
    assert created.status_code == 201, created.text
    return created.json()


async def log(http, headers, project_id: str, hours: float, day: str, **fields) -> dict:
    created = await http.post(f"/projects/{project_id}/time-entries", headers=headers,
                              json={"hours": hours, "date_worked": day, **fields})
    assert created.status_code == 201, created.text
    return created.json()


async def manual(http, headers, client_id: str, *items: tuple[str, str, str], **fields) -> dict:
    created = await http.post("/invoices", headers=headers, json={
        "client_id": client_id, "currency": "EUR",
        "items": [{"description": d, "quantity": q, "unit_price": p} for d, q, p in items],
        **fields})
    assert created.status_code == 201, created.text
    return created.json()


async def send(http, headers, invoice_id: str) -> dict:
    sent = await http.post(f"/invoices/{invoice_id}/send", headers=headers)
    assert sent.status_code == 200, sent.text
    return sent.json()


async def generate(http, headers, project_id: str, **fields):
    return await http.post("/invoices/generate", headers=headers,
                           json={"project_id": project_id, **WEEK, **fields})


async def new_client(http, headers) -> str:
    created = await http.post("/clients", headers=headers,
                              json={"name": f"Client {uuid.uuid4().hex[:6]}"})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def fields_named(response) -> set[str]:
    assert response.status_code == 422, response.text
    return {error["field"] for error in response.json()["errors"]}


async def entry(http, headers, entry_id: str) -> dict:
    found = await http.get(f"/time-entries/{entry_id}", headers=headers)
    assert found.status_code == 200, found.text
    return found.json()


async def test_billing_a_manual_invoice_is_numbered_when_sent(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    client_id = await new_client(http, headers)
    draft = await manual(http, headers, client_id, ("Workshop", "1.5", "1200.10"),
                         ("Travel", 1, 80), tax_rate="20")
    assert (draft["status"], draft["number"], draft["sent_at"]) == ("draft", None, None)
    assert draft["client_id"] == client_id and draft["project_id"] is None
    assert draft["currency"] == "EUR"
    assert Decimal(draft["subtotal"]) == Decimal("1880.15")
    assert Decimal(draft["tax_amount"]) == Decimal("376.03")
    assert Decimal(draft["total"]) == Decimal("2256.18") == Decimal(draft["amount_due"])
    assert [item["kind"] for item in draft["items"]] == ["manual", "manual"]
    assert all(isinstance(draft[m], str) for m in ("subtotal", "total", "amount_paid"))

    first = await send(http, headers, draft["id"])
    assert (first["number"], first["status"]) == ("INV-0001", "sent")
    assert first["sent_at"] and first["issue_date"]
    again = await send(http, headers, draft["id"])  # a repeat answers it unchanged
    assert again["number"] == "INV-0001"
    second = await send(http, headers, (await manual(
        http, headers, client_id, ("Support", "2", "90")))["id"])
    assert second["number"] == "INV-0002"

    listed = await http.get("/invoices", headers=headers, params={"status": "sent"})
    assert listed.status_code == 200, listed.text
    assert {i["number"] for i in listed.json()["invoices"]} == {"INV-0001", "INV-0002"}
    assert "next_cursor" in listed.json()
    # Issued invoices no longer change.
    refused = await http.patch(f"/invoices/{draft['id']}", headers=headers,
                               json={"notes": "late"})
    assert refused.status_code == 409, refused.text
    assert (await http.delete(f"/invoices/{draft['id']}", headers=headers)).status_code == 409


async def test_billing_a_draft_changes_with_if_match_and_names_what_is_wrong(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    client_id = await new_client(http, headers)
    missing = await http.post("/invoices", headers=headers, json={"items": []})
    assert fields_named(missing) == {"client_id", "project_id"}
    bad = await http.post("/invoices", headers=headers, json={
        "client_id": client_id, "items": [{"description": "", "quantity": 0,
                                           "unit_price": "-1"}], "discount": 5})
    assert fields_named(bad) == {"items.0.description", "items.0.quantity",
                                 "items.0.unit_price", "discount"}

    created = await http.post("/invoices", headers=headers, json={
        "client_id": client_id, "items": [{"description": "Audit", "quantity": 1,
                                           "unit_price": "500"}]})
    assert created.status_code == 201, created.text
    etag = created.headers["ETag"]
    invoice_id = created.json()["id"]
    patched = await http.patch(f"/invoices/{invoice_id}", headers={**headers, "If-Match": etag},
                               json={"notes": "Net 14", "tax_rate": 10,
                                     "items": [{"description": "Audit", "quantity": 2,
                                                "unit_price": "500"}]})
    assert patched.status_code == 200, patched.text
    assert patched.json()["notes"] == "Net 14"
    assert Decimal(patched.json()["total"]) == Decimal("1100.00")
    assert patched.headers["ETag"] != etag
    stale = await http.patch(f"/invoices/{invoice_id}", headers={**headers, "If-Match": etag},
                             json={"notes": "lost"})
    assert stale.status_code == 412, stale.text
    read = await http.get(f"/invoices/{invoice_id}", headers=headers)
    assert read.headers["ETag"] == patched.headers["ETag"] and read.json()["notes"] == "Net 14"


async def test_billing_an_invoice_generated_from_tracked_time(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = await new_project(http, headers, rate="150.00")
    entries = [await log(http, headers, project["id"], hours, day) for hours, day in
               ((2, "2026-03-02"), (1.5, "2026-03-03"), (3.25, "2026-03-05"))]
    outside = await log(http, headers, project["id"], 4, "2026-03-10")
    unbilled = await log(http, headers, project["id"], 1, "2026-03-04", billable=False)

    generated = await generate(http, headers, project["id"], group_by="none")
    assert generated.status_code == 201, generated.text
    invoice = generated.json()
    assert (invoice["status"], invoice["number"]) == ("draft", None)
    assert (invoice["project_id"], invoice["client_id"]) == (project["id"], project["client_id"])
    assert (invoice["period_start"], invoice["period_end"]) == tuple(WEEK.values())
    assert {item["kind"] for item in invoice["items"]} == {"time"}
    assert sorted(Decimal(str(i["quantity"])) for i in invoice["items"]) == sorted(
        Decimal(str(e["rounded_hours"])) for e in entries)
    assert {Decimal(i["unit_price"]) for i in invoice["items"]} == {Decimal("150.00")}
    assert Decimal(invoice["subtotal"]) == Decimal("1012.50")  # 6.75 h at 150
    billed_ids = [entry_id for i in invoice["items"] for entry_id in i["time_entry_ids"]]
    assert sorted(billed_ids) == sorted(e["id"] for e in entries)
    for billed in entries:
        assert (await entry(http, headers, billed["id"]))["invoice_id"] == invoice["id"]
    for left in (outside, unbilled):
        assert (await entry(http, headers, left["id"]))["invoice_id"] is None
    # An invoiced entry no longer changes.
    locked = await http.patch(f"/time-entries/{entries[0]['id']}", headers=headers,
                              json={"hours": 5})
    assert locked.status_code == 409, locked.text

    again = await generate(http, headers, project["id"])
    assert fields_named(again) == {"period_start"}

    one_item = await generate(http, headers, project["id"],
                              period_start="2026-03-09", period_end="2026-03-15")
    assert one_item.status_code == 201, one_item.text
    [item] = one_item.json()["items"]  # group_by defaults to project: one item
    assert Decimal(str(item["quantity"])) == Decimal(str(outside["rounded_hours"]))


async def test_billing_payments_partial_then_full(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    client_id = await new_client(http, headers)
    invoice = await send(http, headers, (await manual(
        http, headers, client_id, ("Retainer", "1", "1000.00")))["id"])
    url = f"/invoices/{invoice['id']}/payments"

    partial = await http.post(url, headers=headers, json={
        "amount": "400.00", "method": "bank_transfer", "reference": "SEPA 1",
        "paid_at": "2026-03-10T09:00:00Z"})
    assert partial.status_code == 201, partial.text
    payment = partial.json()
    assert {"id", "amount", "paid_at", "method", "reference"} <= set(payment)
    assert (Decimal(payment["amount"]), payment["method"], payment["reference"]) == (
        Decimal("400.00"), "bank_transfer", "SEPA 1")
    now = (await http.get(f"/invoices/{invoice['id']}", headers=headers)).json()
    assert now["status"] == "partially_paid"
    assert (Decimal(now["amount_paid"]), Decimal(now["amount_due"])) == (
        Decimal("400.00"), Decimal("600.00"))

    over = await http.post(url, headers=headers, json={"amount": "600.01", "method": "card"})
    assert fields_named(over) == {"amount"}
    no_method = await http.post(url, headers=headers, json={"amount": "1"})
    assert fields_named(no_method) == {"method"}

    rest = await http.post(url, headers=headers, json={"amount": 600, "method": "card"})
    assert rest.status_code == 201, rest.text
    paid = (await http.get(f"/invoices/{invoice['id']}", headers=headers)).json()
    assert paid["status"] == "paid" and Decimal(paid["amount_due"]) == 0 and paid["paid_at"]
    listed = await http.get(url, headers=headers)
    assert listed.status_code == 200, listed.text
    assert sorted(Decimal(p["amount"]) for p in listed.json()["payments"]) == [
        Decimal("400.00"), Decimal("600.00")]
    assert (await http.post(f"/invoices/{invoice['id']}/void", headers=headers)).status_code == 409


async def test_billing_voiding_releases_the_entries(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = await new_project(http, headers)
    logged = await log(http, headers, project["id"], 2, "2026-03-03")
    first = (await generate(http, headers, project["id"])).json()
    sent = await send(http, headers, first["id"])
    voided = await http.post(f"/invoices/{first['id']}/void", headers=headers)
    assert voided.status_code == 200, voided.text
    assert voided.json()["status"] == "void" and voided.json()["voided_at"]
    assert voided.json()["number"] == sent["number"]
    assert (await entry(http, headers, logged["id"]))["invoice_id"] is None
    again = await generate(http, headers, project["id"])
    assert again.status_code == 201, again.text
    assert again.json()["id"] != first["id"]


async def test_billing_deleting_a_draft_releases_the_entries(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = await new_project(http, headers)
    logged = await log(http, headers, project["id"], 2, "2026-03-03")
    draft = await generate(http, headers, project["id"])
    assert draft.status_code == 201, draft.text
    invoice_id = draft.json()["id"]
    assert (await entry(http, headers, logged["id"]))["invoice_id"] == invoice_id
    deleted = await http.delete(f"/invoices/{invoice_id}", headers=headers)
    assert deleted.status_code == 204, deleted.text
    assert (await http.get(f"/invoices/{invoice_id}", headers=headers)).status_code == 404
    assert (await entry(http, headers, logged["id"]))["invoice_id"] is None
    assert (await generate(http, headers, project["id"])).status_code == 201


async def test_billing_who_reads_invoices(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = await new_project(http, headers)
    other_client = await new_client(http, headers)
    ours_sent = await send(http, headers, (await manual(
        http, headers, project["client_id"], ("Design", "3", "100")))["id"])
    ours_draft = await manual(http, headers, project["client_id"], ("Later", "1", "100"))
    theirs = await send(http, headers, (await manual(
        http, headers, other_client, ("Other", "1", "100")))["id"])

    client = auth((await join_as(http, owner, "client",
                                 client_id=project["client_id"]))["access_token"])
    listed = await http.get("/invoices", headers=client)
    assert listed.status_code == 200, listed.text
    assert [i["id"] for i in listed.json()["invoices"]] == [ours_sent["id"]]
    shown = await http.get(f"/invoices/{ours_sent['id']}", headers=client)
    assert shown.status_code == 200, shown.text
    assert "stripe_invoice_id" not in shown.json()
    assert all("time_entry_ids" not in item for item in shown.json()["items"])
    assert (await http.get(f"/invoices/{ours_sent['id']}/pdf", headers=client)).status_code == 200
    for hidden in (ours_draft["id"], theirs["id"]):
        assert (await http.get(f"/invoices/{hidden}", headers=client)).status_code == 404
    assert (await http.post(f"/invoices/{ours_sent['id']}/void",
                            headers=client)).status_code in (403, 404)
    assert (await http.post("/invoices", headers=client, json={
        "client_id": project["client_id"]})).status_code == 403

    for role in ("member", "viewer"):
        staff = auth((await join_as(http, owner, role))["access_token"])
        assert (await http.get("/invoices", headers=staff)).status_code == 403, role
        assert (await http.get(f"/invoices/{ours_sent['id']}",
                               headers=staff)).status_code in (403, 404), role
    manager = auth((await join_as(http, owner, "manager"))["access_token"])
    everything = (await http.get("/invoices", headers=manager)).json()["invoices"]
    assert {i["id"] for i in everything} == {ours_sent["id"], ours_draft["id"], theirs["id"]}


async def test_billing_another_organizations_invoice_is_404(http):
    owner, stranger = await sign_up(http), await sign_up(http, org="Elsewhere")
    headers, theirs = auth(owner["access_token"]), auth(stranger["access_token"])
    invoice = await manual(http, headers, await new_client(http, headers), ("X", "1", "10"))
    url = f"/invoices/{invoice['id']}"
    for method, path, body in (("GET", url, None), ("PATCH", url, {"notes": "x"}),
                               ("DELETE", url, None), ("POST", f"{url}/send", None),
                               ("POST", f"{url}/void", None), ("GET", f"{url}/pdf", None),
                               ("GET", f"{url}/payments", None),
                               ("POST", f"{url}/payments", {"amount": "1", "method": "cash"})):
        response = await http.request(method, path, headers=theirs, json=body)
        assert response.status_code == 404, (method, path, response.text)
    assert (await http.get("/invoices", headers=theirs)).json()["invoices"] == []
    assert (await http.get(url, headers=headers)).json()["status"] == "draft"


async def test_billing_the_pdf(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    invoice = await send(http, headers, (await manual(
        http, headers, await new_client(http, headers), ("Design", "2", "150")))["id"])
    pdf = await http.get(f"/invoices/{invoice['id']}/pdf", headers=headers)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert invoice["number"] in pdf.headers["content-disposition"]


async def test_billing_stripes_webhook_refuses_a_bad_or_missing_signature(http):
    body = b'{"id": "evt_test", "type": "invoice.paid", "data": {"object": {}}}'
    missing = await http.post("/webhooks/stripe", content=body)
    assert missing.status_code == 400, missing.text
    forged = await http.post("/webhooks/stripe", content=body,
                             headers={"Stripe-Signature": "t=1,v1=deadbeef"})
    assert forged.status_code == 400, forged.text
    assert forged.headers["content-type"] == "application/problem+json"
    too_big = await http.post("/webhooks/stripe", content=b"x" * (1024 * 1024 + 1),
                              headers={"Stripe-Signature": "t=1,v1=deadbeef"})
    assert too_big.status_code == 413


async def test_billing_the_organizations_plan_is_readable(http):
    owner = await sign_up(http)
    read = await http.get("/billing/subscription", headers=auth(owner["access_token"]))
    assert read.status_code == 200, read.text
    assert read.json()["plan"] in {"free", "starter", "growth", "scale", None}
    refused = await http.post("/billing/subscription", headers=auth(owner["access_token"]),
                              json={"plan": "platinum"})
    assert fields_named(refused) == {"plan"}


async def test_billing_an_issued_invoice_reaches_its_clients_socket(http, suite):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    client_id = await new_client(http, headers)
    client = await join_as(http, owner, "client", client_id=client_id)
    ws_url = suite.gateway_url.replace("http://", "ws://") + "/api/v1/ws"
    async with websockets.connect(f"{ws_url}?token={client['access_token']}") as socket:
        await socket.send('{"type": "ping"}')
        await receive_until(socket, lambda m: m["type"] == "pong")
        invoice = await send(http, headers, (await manual(
            http, headers, client_id, ("Design", "1", "100")))["id"])
        issued = await receive_until(socket, lambda m: m["type"] == "invoice:issued")
    assert issued["data"]["id"] == invoice["id"]
    assert issued["data"]["number"] == invoice["number"]
    assert "stripe_invoice_id" not in issued["data"]


async def test_billing_parallel_sends_number_without_gaps(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    client_id = await new_client(http, headers)
    drafts = [await manual(http, headers, client_id, (f"Item {n}", "1", "10"))
              for n in range(10)]
    answers = await asyncio.gather(*(http.post(f"/invoices/{d['id']}/send", headers=headers)
                                     for d in drafts))
    assert [a.status_code for a in answers] == [200] * 10, [a.text for a in answers]
    sent = sorted((a.json() for a in answers), key=lambda i: i["number"])
    assert [i["number"] for i in sent] == [f"INV-{n:04d}" for n in range(1, 11)]
    # Numbers follow issue order.
    assert [i["sent_at"] for i in sent] == sorted(i["sent_at"] for i in sent)


async def test_billing_two_generations_at_once_bill_each_entry_once(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = await new_project(http, headers)
    for day in ("2026-03-02", "2026-03-03", "2026-03-04"):
        await log(http, headers, project["id"], 2, day)
    answers = await asyncio.gather(*(generate(http, headers, project["id"]) for _ in range(2)))
    assert sorted(a.status_code for a in answers) == [201, 422], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 422)
    assert fields_named(refused) == {"period_start"}
    created = next(a for a in answers if a.status_code == 201).json()
    assert Decimal(str(created["items"][0]["quantity"])) == Decimal("6")


async def test_billing_a_drafts_billed_items_keep_their_time_when_edited(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = await new_project(http, headers, rate="100.00")
    await log(http, headers, project["id"], 2, "2026-03-03")
    draft = (await generate(http, headers, project["id"])).json()
    [billed] = draft["items"]

    renamed = await http.patch(f"/invoices/{draft['id']}", headers=headers, json={"items": [
        {"id": billed["id"], "description": "Design sprint, week 10",
         "quantity": billed["quantity"], "unit_price": billed["unit_price"]},
        {"description": "Hosting", "quantity": 1, "unit_price": "30.00"}]})
    assert renamed.status_code == 200, renamed.text
    items = renamed.json()["items"]
    assert [i["description"] for i in items] == ["Design sprint, week 10", "Hosting"]
    assert items[0]["time_entry_ids"] == billed["time_entry_ids"]
    assert renamed.json()["subtotal"] == "230.00"

    dropped = await http.patch(f"/invoices/{draft['id']}", headers=headers, json={"items": [
        {"description": "Hosting", "quantity": 1, "unit_price": "30.00"}]})
    assert fields_named(dropped) == {"items"}
    rehoured = await http.patch(f"/invoices/{draft['id']}", headers=headers, json={"items": [
        {"id": billed["id"], "description": "More", "quantity": 9, "unit_price": "100.00"}]})
    assert fields_named(rehoured) == {"items[0].quantity"}


async def activity_until(http, headers, wanted: set[str], deadline_s: float = 20) -> list[dict]:
    deadline = asyncio.get_running_loop().time() + deadline_s
    while True:
        feed = (await http.get("/activity", headers=headers)).json()["activities"]
        if wanted <= {a["action"] for a in feed}:
            return feed
        if asyncio.get_running_loop().time() > deadline:
            return feed
        await asyncio.sleep(0.2)


async def test_billing_every_change_is_in_the_feed_and_a_client_sees_only_its_issued(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    project = await new_project(http, headers, rate="80.00")
    await log(http, headers, project["id"], 1, "2026-03-04")
    draft = (await generate(http, headers, project["id"])).json()
    sent = await send(http, headers, draft["id"])
    paid = await http.post(f"/invoices/{sent['id']}/payments", headers=headers,
                           json={"amount": sent["amount_due"], "method": "card"})
    assert paid.status_code == 201, paid.text

    wanted = {"invoice.created", "invoice.issued", "invoice.payment_recorded", "invoice.paid"}
    feed = await activity_until(http, headers, wanted)
    assert wanted <= {a["action"] for a in feed}
    issued = next(a for a in feed if a["action"] == "invoice.issued")
    assert (issued["entity_id"], issued["project_id"]) == (sent["id"], project["id"])

    client = auth((await join_as(http, owner, "client",
                                 client_id=project["client_id"]))["access_token"])
    theirs = {a["action"] for a in (await http.get("/activity", headers=client)).json()[
        "activities"] if a["source"] == "billing"}
    assert theirs == {"invoice.issued", "invoice.payment_recorded", "invoice.paid"}
    member = auth((await join_as(http, owner, "member"))["access_token"])
    assert not [a for a in (await http.get("/activity", headers=member)).json()["activities"]
                if a["source"] == "billing"]


async def test_billing_an_issued_invoice_past_due_reads_overdue_until_paid(http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    client_id = await new_client(http, headers)
    late = await send(http, headers, (await manual(
        http, headers, client_id, ("Retainer, January", "1", "900.00"),
        issue_date="2026-01-01", due_date="2026-01-31"))["id"])
    on_time = await send(http, headers, (await manual(
        http, headers, client_id, ("Retainer, December", "1", "900.00")))["id"])
    assert (late["status"], late["issue_date"], late["due_date"]) == (
        "overdue", "2026-01-01", "2026-01-31")
    assert on_time["status"] == "sent"

    def listed(status: str):
        return http.get("/invoices", headers=headers, params={"status": status})

    assert [i["id"] for i in (await listed("overdue")).json()["invoices"]] == [late["id"]]
    assert [i["id"] for i in (await listed("sent")).json()["invoices"]] == [on_time["id"]]
    # The sweep raises invoice.overdue (for alerts) once, for the late one only.
    feed = await activity_until(http, headers, {"invoice.overdue"})
    assert [a["entity_id"] for a in feed if a["action"] == "invoice.overdue"] == [late["id"]]
    part = await http.post(f"/invoices/{late['id']}/payments", headers=headers,
                           json={"amount": "400", "method": "bank_transfer"})
    assert part.status_code == 201, part.text
    assert (await http.get(f"/invoices/{late['id']}", headers=headers)).json()["status"] == (
        "overdue")
    rest = await http.post(f"/invoices/{late['id']}/payments", headers=headers,
                           json={"amount": "500.00", "method": "check", "reference": "#1042"})
    assert rest.status_code == 201, rest.text
    paid = (await http.get(f"/invoices/{late['id']}", headers=headers)).json()
    assert (paid["status"], paid["amount_due"], paid["amount_paid"]) == ("paid", "0.00", "900.00")
    assert (await listed("overdue")).json()["invoices"] == []
