"""10. Console: from pressing "Log in" to a drawn profitability dashboard (#18: within 1 s on
this machine), in Debian's Chromium at a laptop's size; against loading the login screen itself
(the same browser, gateway and static files, none of the API).

Each sample is a fresh browser context, so nothing is cached: what a person logging in on a new
device waits for. "Drawn" means the metric tiles and the first project's margin bar are on
screen, after the dashboard's chunk, its three API reads and their rendering. The organization
holds 12 projects with time logged on them, so there are margins to draw.
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import date, timedelta

import httpx

from bench.harness import PASSWORD, BenchResult, Row, auth, percentile, sign_up
from labs_local import Suite

TITLE = "Console: log in → dashboard drawn"
BASELINE = "the login screen's own load, same browser"
PROJECTS = 12
TARGET_MS = 1000.0


async def _agency(http: httpx.AsyncClient) -> dict:
    owner = await sign_up(http, "Console Bench")
    headers = auth(owner["access_token"])
    person = await http.post("/resources", headers=headers, json={
        "name": "Bench Owner", "user_id": owner["user"]["id"], "seniority_level": "senior",
        "billing_rate": "150.00", "cost_rate": "60.00", "currency": "USD"})
    person.raise_for_status()
    for i in range(PROJECTS):
        project = await http.post("/projects", headers=headers, json={
            "name": f"Project {i:02d}", "client_name": f"Client {i % 4}", "status": "active",
            "budget_type": "time_and_materials", "budget_total": "20000.00",
            "budget_currency": "USD", "start_date": (date.today() - timedelta(days=30)).isoformat(),
            "end_date": (date.today() + timedelta(days=60)).isoformat()})
        project.raise_for_status()
        logged = await http.post(f"/projects/{project.json()['id']}/time-entries",
                                 headers=headers, json={
                                     "hours": 2 + i % 5, "billable": i % 3 != 0,
                                     "date_worked": (date.today() - timedelta(days=1)).isoformat()})
        logged.raise_for_status()
    return owner


async def run(suite: Suite, samples: int = 10) -> BenchResult:
    result = BenchResult("console_render", TITLE, BASELINE)
    executable = os.environ.get("LABS_CHROMIUM") or shutil.which("chromium")
    if not executable:
        result.status = "skipped"
        result.notes.append("Debian's chromium is not installed (apt-get install chromium)")
        return result
    from playwright.async_api import async_playwright

    async with httpx.AsyncClient(base_url=f"{suite.gateway_url}/api/v1", timeout=30) as http:
        owner = await _agency(http)
    email = owner["user"]["email"]
    logins, screens = [], []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable)
        try:
            for _ in range(samples + 1):  # the first warms the gateway's and the OS's caches
                context = await browser.new_context(base_url=suite.gateway_url,
                                                    viewport={"width": 1440, "height": 900})
                page = await context.new_page()
                started = time.perf_counter()
                await page.goto("/login")
                await page.get_by_role("button", name="Log in").wait_for()
                screen = time.perf_counter() - started
                await page.get_by_label("Email").fill(email)
                await page.get_by_label("Password").fill(PASSWORD)
                pressed = time.perf_counter()
                await page.get_by_role("button", name="Log in").click()
                await page.get_by_role("group", name="Revenue this month").wait_for()
                await page.get_by_role("button", name="Project 00", exact=False).wait_for()
                drawn = time.perf_counter() - pressed
                await context.close()
                screens.append(screen)
                logins.append(drawn)
        finally:
            await browser.close()
    logins, screens = logins[1:], screens[1:]

    def ms(values: list[float], pct: float) -> float:
        return percentile(values, pct) * 1000

    result.rows = [
        Row("log in → dashboard p50", ms(logins, 50), ms(screens, 50), "ms"),
        Row("log in → dashboard p95", ms(logins, 95), ms(screens, 95), "ms"),
        Row(f"log in → dashboard p95 vs {TARGET_MS:g} ms target", ms(logins, 95), TARGET_MS,
            "ms"),
    ]
    result.details = {"samples": samples, "login_seconds": logins, "screen_seconds": screens}
    result.notes.append(
        f"N={samples} fresh contexts (no cache), 1440x900; {PROJECTS} projects with time; "
        "drawn = the metric tiles and the first margin bar visible")
    return result
