"""QuickBooks' client against the fake QuickBooks on this machine (no PostgreSQL, no NATS): never
more than 10 requests in flight per company, whatever the callers ask at once; a refused token
refreshed once through its source and the request sent again; 429 and 5xx as failures worth
asking again later, a validation fault with its code; CDC's changes, and its refusal of a
changedSince older than 30 days; Intuit's token endpoint through QuickBooksSide (HTTP Basic),
each refresh spending the refresh token it used."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from labs_common.errors import InvalidArgument
from labs_common.testing.fake_quickbooks import FakeQuickBooks
from labs_integrations.adapters.platforms import QuickBooksSide
from labs_integrations.adapters.quickbooks_api import QuickBooksApi, QuickBooksFailed, StaticToken
from labs_integrations.config import Settings

APP = ("qb-unit-client", "qb-unit-secret")


@pytest.fixture(scope="module")
def quickbooks():
    with FakeQuickBooks() as fake:
        fake.add_oauth_app(*APP)
        yield fake


def settings_for(fake: FakeQuickBooks, **extra) -> Settings:
    return Settings(quickbooks_api_url=fake.url, quickbooks_oauth_url=fake.url,
                    quickbooks_authorize_url=fake.authorize_url,
                    quickbooks_revoke_url=fake.revoke_url, quickbooks_client_id=APP[0],
                    quickbooks_client_secret=APP[1], **extra)


def a_company(fake: FakeQuickBooks) -> tuple[str, str]:
    realm = str(uuid.uuid4().int % 10**12)
    fake.add_company(realm, f"Books {realm[-4:]}")
    return realm, fake.token_for(realm, APP[0])["access_token"]


class Refreshing:
    """A token source whose refresh is a new token from the fake (counted)."""

    def __init__(self, fake: FakeQuickBooks, realm: str, token: str) -> None:
        self.fake, self.realm_id, self._token, self.refreshed_after = fake, realm, token, []

    async def token(self) -> str:
        return self._token

    async def refreshed(self, stale: str) -> str:
        self.refreshed_after.append(stale)
        self._token = self.fake.token_for(self.realm_id, APP[0])["access_token"]
        return self._token


async def test_never_more_than_ten_requests_are_in_flight_for_a_company(quickbooks):
    realm, token = a_company(quickbooks)
    api = QuickBooksApi(settings_for(quickbooks))
    source = StaticToken(realm, token)
    quickbooks.latency = 0.05
    try:
        answers = await asyncio.gather(*(api.company_info(source) for _ in range(35)))
    finally:
        quickbooks.latency = 0.0
    assert all(a["CompanyName"].startswith("Books") for a in answers)
    assert quickbooks.max_in_flight[realm] == 10
    asked = quickbooks.calls("GET", f"/v3/company/{realm}/companyinfo/{realm}")
    assert len(asked) == 35 and all(c.params["minorversion"] == "75" for c in asked)


async def test_a_lower_limit_is_kept_too(quickbooks):
    realm, token = a_company(quickbooks)
    api = QuickBooksApi(settings_for(quickbooks, quickbooks_max_concurrency=3))
    quickbooks.latency = 0.03
    try:
        await asyncio.gather(*(api.company_info(StaticToken(realm, token)) for _ in range(12)))
    finally:
        quickbooks.latency = 0.0
    assert quickbooks.max_in_flight[realm] == 3


async def test_a_refused_token_is_refreshed_once_and_the_request_sent_again(quickbooks):
    realm, token = a_company(quickbooks)
    api = QuickBooksApi(settings_for(quickbooks))
    source = Refreshing(quickbooks, realm, token)
    quickbooks.expire_access_tokens()
    info = await api.company_info(source)
    assert info["CompanyName"].startswith("Books") and source.refreshed_after == [token]
    # A token refused again once refreshed: QuickBooks' 401 is the answer, a refusal.
    hopeless = Refreshing(quickbooks, realm, "not-a-token")
    hopeless.fake = None

    async def no_better(stale: str) -> str:
        hopeless.refreshed_after.append(stale)
        return "still-not-a-token"

    hopeless.refreshed = no_better
    with pytest.raises(QuickBooksFailed) as refused:
        await api.company_info(hopeless)
    assert refused.value.auth and refused.value.status == 401
    assert "AuthenticationFailed" in refused.value.message
    assert hopeless.refreshed_after == ["not-a-token"]  # once, not again and again
    with pytest.raises(QuickBooksFailed) as static:
        await api.company_info(StaticToken(realm, "not-a-token"))
    assert static.value.auth
    # Another company's token: 403, a refusal too.
    other, _ = a_company(quickbooks)
    with pytest.raises(QuickBooksFailed) as foreign:
        await api.company_info(StaticToken(other, source._token))
    assert foreign.value.auth and foreign.value.status == 403


async def test_throttling_and_outages_are_worth_asking_again_a_fault_is_not(quickbooks):
    realm, token = a_company(quickbooks)
    api = QuickBooksApi(settings_for(quickbooks))
    source = StaticToken(realm, token)
    quickbooks.throttle(1)
    with pytest.raises(QuickBooksFailed) as throttled:
        await api.company_info(source)
    assert throttled.value.transient and throttled.value.status == 429
    assert throttled.value.code == "3001"
    await api.company_info(source)  # the next one goes through
    with pytest.raises(QuickBooksFailed) as fault:
        await api.create(source, "Invoice", {"CustomerRef": {"value": "nobody"}, "Line": []})
    assert not fault.value.transient and fault.value.code == "2500"
    assert fault.value.message.startswith("Invalid Reference Id")
    unreachable = QuickBooksApi(Settings(quickbooks_api_url="http://127.0.0.1:9"))
    with pytest.raises(QuickBooksFailed) as down:
        await unreachable.company_info(source)
    assert down.value.transient


async def test_queries_are_paged_by_startposition_and_maxresults(quickbooks):
    realm, token = a_company(quickbooks)
    api = QuickBooksApi(settings_for(quickbooks))
    source = StaticToken(realm, token)
    for n in range(5):
        await api.create(source, "Customer", {"DisplayName": f"Client {n}"})
    pages = [len(page) async for page in api.query_pages(source, "select * from Customer",
                                                          "Customer", page=2)]
    assert pages == [2, 2, 1]
    assert [q.split("STARTPOSITION")[1] for q in quickbooks.queries(realm)] == [
        " 1 MAXRESULTS 2", " 3 MAXRESULTS 2", " 5 MAXRESULTS 2"]


async def test_cdc_answers_changed_payments_and_refuses_more_than_thirty_days(quickbooks):
    realm, token = a_company(quickbooks)
    api = QuickBooksApi(settings_for(quickbooks))
    source = StaticToken(realm, token)
    customer = await api.create(source, "Customer", {"DisplayName": "Acme"})
    [item] = await api.query(source, "select * from Item where Name = 'Services'", "Item")
    invoice = await api.create(source, "Invoice", {
        "DocNumber": "INV-0001", "CustomerRef": {"value": customer["Id"]},
        "Line": [{"DetailType": "SalesItemLineDetail", "Amount": 100.0,
                  "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}}}]})
    since = datetime.now(UTC) - timedelta(minutes=5)
    payment = quickbooks.add_payment(realm, invoice["Id"])
    changed = await api.changed_payments(source, since)
    assert [p["Id"] for p in changed] == [payment["Id"]]
    assert changed[0]["Line"][0]["LinkedTxn"] == [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]
    quickbooks.delete_payment(realm, payment["Id"])
    assert [p.get("status") for p in await api.changed_payments(source, since)] == ["Deleted"]
    with pytest.raises(QuickBooksFailed) as refused:
        await api.changed_payments(source, datetime.now(UTC) - timedelta(days=31))
    assert not refused.value.transient and "30 days" in refused.value.message


async def test_intuits_tokens_come_by_basic_auth_and_each_refresh_spends_its_token(quickbooks):
    realm, _ = a_company(quickbooks)
    side = QuickBooksSide(settings_for(quickbooks))
    url = side.authorization_url("the-state", "https://labs.example/back")
    assert url.startswith(quickbooks.authorize_url + "?")
    assert "scope=com.intuit.quickbooks.accounting" in url and "response_type=code" in url
    secret = {**await side.exchange(quickbooks.authorize(realm), "https://labs.example/back"),
              "kind": "oauth", "account_id": realm}
    asked = quickbooks.calls("POST", "/oauth2/v1/tokens/bearer")[-1]
    assert asked.headers["authorization"].startswith("Basic ")
    assert "client_secret" not in asked.params
    assert secret["expires_at"] > datetime.now(UTC).timestamp() + 3500
    account = await side.identify(secret)
    assert (account.external_id, account.name) == (realm, f"Books {realm[-4:]}")

    fresh = await side.refresh(secret)
    assert fresh["refresh_token"] != secret["refresh_token"] and fresh["account_id"] == realm
    with pytest.raises(InvalidArgument):  # the spent one
        await side.refresh(secret)
    with pytest.raises(InvalidArgument) as tokens_only:
        await side.identify({"access_token": "x", "kind": "token"})
    assert tokens_only.value.field_errors[0].field == "access_token"
    with pytest.raises(InvalidArgument) as no_realm:
        await side.identify({**fresh, "account_id": ""})
    assert no_realm.value.field_errors[0].field == "realm_id"
    await side.revoke(fresh, {})
    assert fresh["refresh_token"] in quickbooks.revoked
    with pytest.raises(InvalidArgument):
        await side.identify(fresh)  # its access token ended with the grant
