"""The drill's and the fuzzer's pure pieces: what fails a row, what the fuzzer is asked to check,
and a client that retries with one key until it is answered."""

from __future__ import annotations

import httpx

from labs_local.drill.__main__ import Row
from labs_local.drill.checks import Findings, dsn_for
from labs_local.drill.load import Client, Record
from labs_local.fuzz import schemathesis_argv


def test_a_clean_row_passes_and_any_finding_fails_it():
    assert Row("kill -9 time", findings=Findings(), recovery_s=3.0, dead_lettered=0).passed
    for finding in ("lost", "doubled", "double_billed", "unpublished", "missing_activity"):
        assert not Row("kill -9 time", findings=Findings(**{finding: 1}), recovery_s=3.0).passed
    assert not Row("kill -9 time", findings=Findings(), recovery_s=None).passed
    assert not Row("kill -9 time", findings=Findings(), recovery_s=1.0, fivexx_outside=1).passed
    assert not Row("x", skipped=True).passed


def test_only_the_poison_and_oversized_rows_may_park_dead_letters():
    assert not Row("NATS down 120 s", findings=Findings(), recovery_s=1.0,
                   dead_lettered=2).passed
    assert Row("poison events", findings=Findings(), recovery_s=1.0, dead_lettered=3).passed
    assert Row("oversized event", findings=Findings(), recovery_s=1.0, dead_lettered=1).passed


def test_a_database_url_is_pointed_at_another_database():
    url = "postgresql://postgres:@/postgres?host=/tmp/pg"
    assert dsn_for(url, "labs_time") == "postgresql://postgres:@/labs_time?host=/tmp/pg"


def test_the_fuzzer_fails_on_5xx_and_schema_mismatches_within_a_time_bound(tmp_path):
    argv = schemathesis_argv("http://127.0.0.1:1/api/v1/openapi.json", "tok", tmp_path)
    assert argv[argv.index("--checks") + 1] == "not_a_server_error,response_schema_conformance"
    assert float(argv[argv.index("--max-time") + 1]) <= 300
    assert "Authorization: Bearer tok" in argv


async def test_a_post_is_retried_with_the_same_key_until_it_is_acknowledged():
    keys, answers = [], iter([503, 502, 201])

    def handler(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers["Idempotency-Key"])
        status = next(answers)
        return httpx.Response(status, json={"id": "p1"} if status == 201 else {})

    record = Record()
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler),
                                 base_url="http://test") as http:
        client = Client(http, "a@example.com", None, record)
        client.token = "t"
        answer = await client.call("POST", "/projects", json={"name": "x"})
    assert answer["id"] == "p1"
    assert len(keys) == 3 and len(set(keys)) == 1
    assert [status for _, status, _ in record.statuses] == [503, 502, 201]
