"""`python -m labs_local.fuzz` (`make fuzz`): schemathesis against the gateway's OpenAPI.

Starts the suite as `make up` does (fresh data directory, free loopback ports), signs up an owner,
and runs schemathesis 4 with that owner's token against `/api/v1/openapi.json`, bounded in time.
Fails on any 5xx (`not_a_server_error`) and on any answer that contradicts its documented schema
(`response_schema_conformance`). Schemathesis runs from PyPI in a throwaway environment
(`uv tool run`), like checkov in `make lint`, and in a temporary directory, so nothing it writes
lands in the checkout.

Environment: FUZZ_MAX_TIME (seconds of fuzzing, default 210), FUZZ_MAX_EXAMPLES (per operation,
default 25), FUZZ_SEED, SCHEMATHESIS (the requirement, default schemathesis==4.*), UV.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from rich.console import Console

from labs_common.testing.fake_asana import FakeAsana
from labs_common.testing.fake_figma import FakeFigma
from labs_common.testing.fake_github import FakeGitHub
from labs_common.testing.fake_harvest import FakeHarvest
from labs_common.testing.fake_jira import FakeJira
from labs_common.testing.fake_linear import FakeLinear
from labs_common.testing.fake_notion import FakeNotion
from labs_common.testing.fake_quickbooks import FakeQuickBooks
from labs_common.testing.fake_slack import FakeSlack
from labs_local import ports
from labs_local.suite import Suite

console = Console(highlight=False)

# Operations that end the fuzzer's own session or membership (log out, change the password,
# remove or demote a member, who may be the fuzzer itself): fuzzed, the rest of the run would
# test only 401s. Everything else is fuzzed.
EXCLUDED_PATHS = ("/api/v1/auth/logout", "/api/v1/auth/password")
EXCLUDED_PATH_PATTERNS = (r"^/api/v1/organizations/current/members/\{user_id\}$",)


def schemathesis_argv(schema_url: str, token: str, report_dir: Path) -> list[str]:
    uv = os.environ.get("UV", "uv")
    requirement = os.environ.get("SCHEMATHESIS", "schemathesis==4.*")
    argv = [
        uv, "tool", "run", "--python", "3.11", "--from", requirement, "schemathesis", "run",
        schema_url,
        "--header", f"Authorization: Bearer {token}",
        "--checks", "not_a_server_error,response_schema_conformance",
        "--max-time", os.environ.get("FUZZ_MAX_TIME", "210"),
        "--max-examples", os.environ.get("FUZZ_MAX_EXAMPLES", "25"),
        "--request-timeout", "15",
        # One worker: hypothesis' lambda descriptions call ast.parse, which CPython 3.11 breaks
        # under threads ("AST constructor recursion depth mismatch").
        "--workers", "1",
        "--generation-database", "none",
        "--report", "junit,ndjson",
        "--report-dir", str(report_dir),
        "--no-color",
    ]
    if seed := os.environ.get("FUZZ_SEED"):
        argv += ["--seed", seed]
    for path in EXCLUDED_PATHS:
        argv += ["--exclude-path", path]
    for pattern in EXCLUDED_PATH_PATTERNS:
        argv += ["--exclude-path-regex", pattern]
    return argv


async def run() -> int:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="labs-fuzz-"))
    report_dir = Path(os.environ.get("FUZZ_REPORT_DIR", work / "report"))
    log_path = work / "suite.log"
    log = log_path.open("w", encoding="utf-8")
    # The platforms integrations calls are local fakes (the machine may have no internet, and a
    # fuzzer's tokens are no business of GitHub's or Slack's): a generated token is refused
    # there, as the real platform would, instead of timing out.
    github, slack, harvest = FakeGitHub().start(), FakeSlack().start(), FakeHarvest().start()
    quickbooks = FakeQuickBooks().start()
    jira, asana = FakeJira().start(), FakeAsana().start()
    linear, figma, notion = FakeLinear().start(), FakeFigma().start(), FakeNotion().start()
    suite = Suite(data_dir=work / "data", port_base=ports.free_port_base(),
                  gateway_port=ports.free_port(), gateway_host="127.0.0.1",
                  # Without it nearly every generated request answers 429, testing nothing
                  # behind the limit (which gateway/tests/test_rate_limit.py covers).
                  extra_env={"LABS_RATE_LIMIT_ENABLED": "false",
                             "LABS_GITHUB_API_URL": github.url,
                             "LABS_GITHUB_OAUTH_URL": github.url,
                             "LABS_SLACK_API_URL": slack.api_url,
                             "LABS_SLACK_OAUTH_URL": slack.url,
                             "LABS_HARVEST_API_URL": harvest.url,
                             "LABS_HARVEST_OAUTH_URL": harvest.url,
                             "LABS_QUICKBOOKS_API_URL": quickbooks.url,
                             "LABS_QUICKBOOKS_OAUTH_URL": quickbooks.url,
                             "LABS_QUICKBOOKS_AUTHORIZE_URL": quickbooks.authorize_url,
                             "LABS_QUICKBOOKS_REVOKE_URL": quickbooks.revoke_url,
                             "LABS_JIRA_API_URL": jira.url,
                             "LABS_JIRA_OAUTH_URL": jira.url,
                             "LABS_ATLASSIAN_API_URL": jira.url,
                             "LABS_ASANA_API_URL": asana.url,
                             "LABS_ASANA_OAUTH_URL": asana.url,
                             "LABS_LINEAR_API_URL": linear.api_url,
                             "LABS_FIGMA_API_URL": figma.url,
                             "LABS_NOTION_API_URL": notion.url},
                  console=Console(file=log, width=200, color_system=None))
    status = 1
    try:
        console.print(f"starting the suite (logs {log_path})")
        await suite.start()
        api = f"{suite.gateway_url}/api/v1"
        async with httpx.AsyncClient(base_url=api, timeout=30, trust_env=False) as http:
            signup = await http.post("/auth/signup", json={
                "email": f"fuzz-{uuid.uuid4().hex[:8]}@example.com",
                "password": "fuzz-correct-horse-battery", "organization_name": "Fuzz Studio",
                "first_name": "Fuzz",
            })
            signup.raise_for_status()
            token = signup.json()["access_token"]
        argv = schemathesis_argv(f"{api}/openapi.json", token, report_dir)
        console.print("running " + " ".join(a if "Bearer" not in a else "'Authorization: "
                                            "Bearer …'" for a in argv))
        process = await asyncio.create_subprocess_exec(*argv, cwd=work)
        status = await process.wait()
    finally:
        await suite.stop()
        github.stop()
        slack.stop()
        harvest.stop()
        quickbooks.stop()
        jira.stop()
        asana.stop()
        for fake in (linear, figma, notion):
            fake.stop()
        log.close()
        console.print(f"fuzz: {'passed' if status == 0 else 'FAILED'} in "
                      f"{time.monotonic() - started:.0f} s; reports in {report_dir}"
                      + ("" if status == 0 else f", suite log {log_path}"))
        if status == 0 and "FUZZ_REPORT_DIR" not in os.environ:
            shutil.rmtree(work, ignore_errors=True)
    return status


def main() -> int:
    return asyncio.run(run())


if __name__ == "__main__":
    sys.exit(main())
