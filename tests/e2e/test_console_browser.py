"""The console in Debian's Chromium against the whole suite, at a phone's 390x844 and a laptop's
1440x900 (#18): an agency owner signs up, creates a project, logs time, watches its margin
change live, generates, sends and is paid an invoice; a client sees its portal and nothing of the
agency's figures; every view fits the screen without a console error (a CSP violation is one)."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from e2e_helpers import PASSWORD, auth, eventually, join_as, sign_up
from playwright.async_api import Page, expect

pytestmark = pytest.mark.e2e

VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "laptop": {"viewport": {"width": 1440, "height": 900}},
}
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".data" / "screenshots"
BILLING_RATE, COST_RATE = "150.00", "60.00"


@pytest.fixture(params=list(VIEWPORTS))
async def page(request, chromium, suite):
    context = await chromium.new_context(base_url=suite.gateway_url, **VIEWPORTS[request.param])
    page = await context.new_page()
    # What the browser reported: uncaught errors and console errors (a CSP violation is one),
    # and every answer of 400 and up, told apart from the "failed to load" line each one logs.
    page.problems = []
    page.failures = []
    page.on("pageerror", lambda error: page.problems.append(f"uncaught: {error}"))
    page.on("console", lambda m: m.type == "error" and not m.text.startswith(
        "Failed to load resource") and page.problems.append(m.text))
    page.on("response", lambda r: r.status >= 400 and page.failures.append(
        f"{r.status} {r.request.method} {r.url.split('/api/v1', 1)[-1]}"))
    page.scripts = []
    page.on("response", lambda r: r.url.endswith(".js") and page.scripts.append(r.url))
    page.viewport_name = request.param
    yield page
    await context.close()


# Answers that say "none yet", as API.md has them: no running timer, no forecast for a project
# too young for one.
NONE_YET = (re.compile(r"404 GET /timers/current$"),
            re.compile(r"404 GET /projects/[^/]+/forecast$"))


def no_problems(page: Page) -> None:
    assert not page.problems, page.problems
    unexpected = [f for f in page.failures if not any(p.match(f) for p in NONE_YET)]
    assert not unexpected, unexpected


async def fits_the_screen(page: Page, view: str) -> None:
    """No horizontal scroll of the page itself; and a screenshot to look at."""
    await page.wait_for_load_state("networkidle")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{view} scrolls sideways: {width}px"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SCREENSHOTS / f"{view}-{page.viewport_name}.png", full_page=True)


async def nav(page: Page, name: str) -> None:
    await page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


async def nav_more(page: Page, name: str) -> None:
    """A view a phone's full bar keeps behind More (the sidebar shows every view)."""
    main = page.get_by_role("navigation", name="Main")
    if not await main.get_by_role("link", name=name).is_visible():
        await main.get_by_role("button", name="More").click()
    await main.get_by_role("link", name=name).click()


async def sign_up_in_the_browser(page: Page) -> str:
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    await page.goto("/")
    await expect(page).to_have_url(re.compile(r"/login"))
    await page.get_by_role("link", name="Create an account").click()
    await page.get_by_label("Agency name").fill(f"Studio {uuid.uuid4().hex[:4]}")
    await page.get_by_label("First name").fill("Olive")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    return await page.evaluate("JSON.parse(localStorage.getItem('labs.session')).access_token")


async def test_an_owner_runs_a_project_from_signup_to_a_paid_invoice(page, http):
    token = await sign_up_in_the_browser(page)
    headers = auth(token)
    # The owner as a person with rates, on the capacity screen: 150 billed, 60 cost.
    await nav(page, "Capacity")
    await page.get_by_role("button", name="Add person").click()
    person = page.get_by_role("form", name="Add person")
    await person.get_by_label("Name").fill("Olive")
    await person.get_by_label("Seniority").select_option("senior")
    await person.get_by_label("Billing rate").fill(BILLING_RATE)
    await person.get_by_label("Cost rate").fill(COST_RATE)
    await person.get_by_label("Link to member").select_option(index=1)
    await person.get_by_role("button", name="Save person").click()
    await expect(page.get_by_text("Olive added.")).to_be_visible()

    # A project, through its form.
    name = f"Website {uuid.uuid4().hex[:4]}"
    await nav(page, "Projects")
    await page.get_by_role("button", name="New project").click()
    form = page.get_by_role("region", name="New project")
    await form.get_by_label("Project name").fill(name)
    await form.get_by_label("Client", exact=True).select_option(label="New client…")
    await form.get_by_label("New client name").fill("Acme")
    await form.get_by_label("Budget type").select_option("time_and_materials")
    await form.get_by_label("Budget total").fill("10000")
    await form.get_by_label("Start date").fill((date.today() - timedelta(days=14)).isoformat())
    await form.get_by_label("End date").fill((date.today() + timedelta(days=30)).isoformat())
    await form.get_by_label("Status").select_option("active")
    await form.get_by_role("button", name="Create project").click()
    await expect(page.get_by_role("heading", name=name)).to_be_visible()
    project_id = page.url.rstrip("/").split("/projects/")[1].split("/")[0]

    # Three hours on it, through the week's form; the grid counts them.
    await nav(page, "Time")
    form = page.get_by_role("form", name="Add time")
    await form.get_by_label("Project").select_option(label=name)
    await form.get_by_label("Hours").fill("3")
    await form.get_by_label("Notes").fill("Home page layout")
    await form.get_by_role("button", name="Add time").click()
    await expect(page.get_by_text("Home page layout")).to_be_visible()

    # The dashboard shows its margin: 3 h billed at 150, costed at 60 → 60 %.
    await nav(page, "Dashboard")
    bar = page.get_by_role("button", name=f"{name}: margin 60.0 %", exact=False)
    await expect(bar).to_be_visible(timeout=15_000)
    # Two unbilled hours logged elsewhere (another device, the API) move it live, no reload:
    # revenue 450, cost 180 + 120 → 33.3 %.
    logged = await http.post(f"/projects/{project_id}/time-entries", headers=headers, json={
        "hours": 2, "date_worked": date.today().isoformat(), "billable": False})
    assert logged.status_code == 201, logged.text
    await expect(page.get_by_role("button", name=f"{name}: margin 33.3 %", exact=False)) \
        .to_be_visible(timeout=15_000)

    # An invoice of the billable hours, sent and paid.
    await nav(page, "Invoices")
    await page.get_by_role("button", name="Generate invoice").click()
    generate = page.get_by_role("form", name="Generate invoice")
    await generate.get_by_label("Project").select_option(project_id)
    await generate.get_by_label("Period start").fill((date.today() - timedelta(days=7)).isoformat())
    await generate.get_by_label("Period end").fill(date.today().isoformat())
    await generate.get_by_role("button", name="Generate draft").click()
    await expect(page.get_by_role("heading", name="Draft invoice")).to_be_visible()
    await page.get_by_role("button", name="Send invoice").click()
    await expect(page.get_by_role("heading", name="Invoice INV-0001")).to_be_visible()
    payment = page.get_by_role("form", name="Record payment")
    await expect(payment.get_by_label("Amount")).to_have_value("450.00")
    await payment.get_by_role("button", name="Record payment").click()
    await expect(page.get_by_text("Paid", exact=True).first).to_be_visible()
    no_problems(page)


async def test_the_dashboard_after_login_is_within_the_javascript_budget(page, http):
    """#18: the first screen loads at most 250 KB of JavaScript, gzipped: every script the
    browser fetched from login to a drawn dashboard, at the size the gateway sends it."""
    await sign_up_in_the_browser(page)
    await expect(page.get_by_role("heading", name="Trend and forecast")).to_be_visible()
    await page.wait_for_load_state("networkidle")
    sent = 0
    for url in set(page.scripts):
        answer = await http.get(url, headers={"Accept-Encoding": "gzip"})  # absolute
        assert answer.headers["content-encoding"] == "gzip", url
        sent += int(answer.headers["content-length"])
    assert 0 < sent <= 250 * 1024, f"{sent / 1024:.0f} KB of JavaScript, gzipped"


async def test_a_client_sees_its_portal_and_none_of_the_agencys_figures(page, http):
    owner = await sign_up(http)
    headers = auth(owner["access_token"])
    client = (await http.post("/clients", headers=headers, json={"name": "Acme"})).json()
    project = await http.post("/projects", headers=headers, json={
        "name": "Acme relaunch", "client_id": client["id"], "status": "active",
        "budget_type": "fixed_fee", "budget_total": "24000.00", "budget_currency": "USD",
        "start_date": date.today().isoformat(),
        "end_date": (date.today() + timedelta(days=60)).isoformat()})
    assert project.status_code == 201, project.text
    other = await http.post("/projects", headers=headers, json={
        "name": "Someone else's", "client_name": "Other", "budget_type": "fixed_fee",
        "budget_total": "1000.00", "budget_currency": "USD"})
    assert other.status_code == 201, other.text
    invited = await http.post("/organizations/current/invitations", headers=headers, json={
        "email": f"client-{uuid.uuid4().hex[:8]}@example.com", "role": "client",
        "client_id": client["id"]})
    assert invited.status_code == 201, invited.text

    # The invitation's link, as its email carries it: the client picks a password and is in.
    await page.goto(f"/accept-invitation?token={invited.json()['token']}")
    await page.get_by_label("First name").fill("Carla")
    await page.get_by_label("Choose a password").fill(PASSWORD)
    await page.get_by_role("button", name="Join").click()
    await expect(page.get_by_role("heading", name="Your projects")).to_be_visible()
    await expect(page.get_by_text("Acme relaunch")).to_be_visible()
    body = await page.locator("main").inner_text()
    assert "Someone else's" not in body
    assert "24,000" not in body and "24000" not in body  # the agency's budget is its own
    links = await page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts()
    assert len(links) == 1 and "Your projects" in links[0]
    # The staff screens are not there for a client: any other path lands on the portal.
    await page.goto("/invoices")
    await expect(page).to_have_url(re.compile(r"/portal$"))
    for staff_only in ("/activity", "/reports", "/time/expenses"):
        await page.goto(staff_only)
        await expect(page).to_have_url(re.compile(r"/portal$"))
    assert not await page.get_by_role("search").count()
    await fits_the_screen(page, "portal")
    no_problems(page)


VIEWS = ["/", "/projects", "/time", "/time/expenses", "/invoices", "/capacity", "/alerts",
         "/activity", "/reports", "/integrations", "/organization", "/organization/clients",
         "/organization/settings"]


async def agency_with_a_month_of_work(http, token: str) -> str:
    """Something on every screen: a person with rates and an allocation, two projects (one with
    time, a task and an invoice), an alert subscription. Answers the busy project's id."""
    headers = auth(token)
    me = (await http.get("/auth/me", headers=headers)).json()
    person = (await http.post("/resources", headers=headers, json={
        "name": "Olive", "user_id": me["user"]["id"], "seniority_level": "senior",
        "billing_rate": BILLING_RATE, "cost_rate": COST_RATE, "currency": "USD"})).json()
    busy, _ = [(await http.post("/projects", headers=headers, json={
        "name": name, "client_name": "Acme", "status": "active", "budget_type": kind,
        "budget_total": budget, "budget_currency": "USD",
        "start_date": (date.today() - timedelta(days=20)).isoformat(),
        "end_date": (date.today() + timedelta(days=40)).isoformat()})).json()["id"]
        for name, kind, budget in (("Website relaunch", "time_and_materials", "9000.00"),
                                   ("Brand refresh", "fixed_fee", "12000.00"))]
    for days_ago, hours in ((1, 6), (2, 4.5), (3, 7)):
        logged = await http.post(f"/projects/{busy}/time-entries", headers=headers, json={
            "hours": hours, "date_worked": (date.today() - timedelta(days=days_ago)).isoformat(),
            "notes": "Templates and review"})
        assert logged.status_code == 201, logged.text
    assert (await http.post(f"/projects/{busy}/tasks", headers=headers, json={
        "title": "Home page hero", "status": "in_progress"})).status_code == 201
    assert (await http.post("/allocations", headers=headers, json={
        "resource_id": person["id"], "project_id": busy, "allocated_hours": 44,
        "start_date": date.today().isoformat(),
        "end_date": (date.today() + timedelta(days=28)).isoformat()})).status_code == 201
    invoice = await http.post("/invoices/generate", headers=headers, json={
        "project_id": busy, "period_start": (date.today() - timedelta(days=7)).isoformat(),
        "period_end": date.today().isoformat()})
    assert invoice.status_code == 201, invoice.text
    assert (await http.post("/alerts/subscribe", headers=headers, json={
        "alert_type": "margin_threshold", "delivery_method": "in_app",
        "threshold_value": "50"})).status_code in (200, 201)
    return busy


async def test_every_view_fits_the_screen_without_a_browser_error(page, http):
    token = await sign_up_in_the_browser(page)
    project_id = await agency_with_a_month_of_work(http, token)
    for path in [*VIEWS, f"/projects/{project_id}", f"/projects/{project_id}/board",
                 f"/projects/{project_id}/sprints", f"/projects/{project_id}/files"]:
        await page.goto(path)
        await expect(page.locator("main h1").first).to_be_visible()
        view = path.strip("/").replace(project_id, "p").replace("/", "-") or "dashboard"
        await fits_the_screen(page, view)
    for path in ["/login", "/signup"]:
        await page.evaluate("localStorage.clear()")
        await page.goto(path)
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await fits_the_screen(page, path.strip("/"))
    no_problems(page)


async def test_the_timer_stays_in_step_across_two_devices(page, http):
    token = await sign_up_in_the_browser(page)
    headers = auth(token)
    project = await http.post("/projects", headers=headers, json={
        "name": "Support", "client_name": "Acme", "status": "active", "budget_type": "retainer",
        "budget_total": "2000.00", "budget_currency": "USD",
        "start_date": date.today().isoformat()})
    assert project.status_code == 201, project.text
    # The other device starts a timer; this one shows it running, then stopped, without a reload.
    started = await http.post("/timers/start", headers=headers,
                              json={"project_id": project.json()["id"]})
    assert started.status_code == 201, started.text
    stop = page.get_by_role("button", name="Stop timer")
    await expect(stop).to_be_visible(timeout=10_000)
    stopped = await http.post("/timers/stop", headers=headers)
    assert stopped.status_code == 200, stopped.text
    await expect(stop).to_be_hidden(timeout=10_000)
    no_problems(page)


async def test_after_a_lost_connection_the_screen_catches_up(page, http):
    """Events sent while the browser was offline are not replayed: back online, the socket
    reconnects and the views fetch again what they show."""
    token = await sign_up_in_the_browser(page)
    headers = auth(token)
    project = await http.post("/projects", headers=headers, json={
        "name": "Offline check", "client_name": "Acme", "status": "active",
        "budget_type": "fixed_fee", "budget_total": "5000.00", "budget_currency": "USD",
        "start_date": date.today().isoformat()})
    assert project.status_code == 201, project.text
    await nav(page, "Projects")
    cards = page.get_by_role("list", name="Projects")
    await expect(cards.get_by_role("link", name="Offline check")).to_be_visible()
    live = page.get_by_role("status", name=re.compile("Live updates"))
    await expect(live).to_have_attribute("aria-label", "Live updates: Live")

    await page.context.set_offline(True)
    await expect(live).not_to_have_attribute("aria-label", "Live updates: Live", timeout=15_000)
    created = await http.post("/projects", headers=headers, json={
        "name": "Made while offline", "client_name": "Acme", "budget_type": "fixed_fee",
        "budget_total": "100.00", "budget_currency": "USD"})
    assert created.status_code == 201, created.text
    await page.context.set_offline(False)
    await expect(live).to_have_attribute("aria-label", "Live updates: Live", timeout=15_000)
    await expect(cards.get_by_role("link", name="Made while offline")).to_be_visible()
    no_problems(page)


def this_week() -> tuple[str, str]:
    monday = date.today() - timedelta(days=date.today().weekday())
    return monday.isoformat(), (monday + timedelta(days=6)).isoformat()


async def test_a_manager_runs_the_week_board_timer_and_approvals(page, http):
    """#18's project manager: drags a task across the board, runs the timer
    from the time screen, and approves a member's submitted week."""
    token = await sign_up_in_the_browser(page)
    headers = auth(token)
    project = (await http.post("/projects", headers=headers, json={
        "name": "Checkout flow", "client_name": "Acme", "status": "active",
        "budget_type": "time_and_materials", "budget_total": "8000.00",
        "budget_currency": "USD", "start_date": (date.today() - timedelta(days=7)).isoformat(),
        "end_date": (date.today() + timedelta(days=30)).isoformat()})).json()

    # The board: a task added in its form, then dragged to "To do" (on a laptop).
    await page.goto(f"/projects/{project['id']}/board")
    await page.get_by_role("button", name="New task").click()
    await page.get_by_label("Title").fill("Payment step")
    await page.get_by_role("button", name="Add task").click()
    handle = page.get_by_role("button", name="Drag Payment step")
    await expect(handle).to_be_visible()
    target = page.get_by_role("region", name=re.compile("^To do"))
    if page.viewport_name == "phone":
        # One column fills a phone's width, To do lies off screen: the card's Status select
        # is the phone's way to move it.
        card = page.get_by_role("article", name="Payment step")
        await card.get_by_label("Status").select_option(label="To do")
    else:
        start, end = await handle.bounding_box(), await target.bounding_box()
        await page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
        await page.mouse.down()
        await page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 60, steps=12)
        await page.mouse.up()
    await expect(target.get_by_role("article", name="Payment step")).to_be_visible()

    async def moved():
        tasks = (await http.get(f"/projects/{project['id']}/tasks", headers=headers)).json()
        return [t for t in tasks["tasks"] if t["status"] == "todo"]

    [task] = await eventually(moved, "the task in To do", timeout=10)
    assert task["title"] == "Payment step"

    # The timer, started on the time screen, stopped from the top bar.
    await nav(page, "Time")
    await page.get_by_label("Working on").select_option(label="Checkout flow")
    await page.get_by_role("button", name="Start timer").click()
    stop = page.get_by_role("button", name="Stop timer")
    await expect(stop).to_be_visible()
    await stop.click()
    await expect(stop).to_be_hidden()
    assert (await http.get("/timers/current", headers=headers)).status_code == 404

    # A member's submitted week, approved from the same screen.
    member = await join_as(http, {"access_token": token}, "member")
    member_headers = auth(member["access_token"])
    logged = await http.post(f"/projects/{project['id']}/time-entries", headers=member_headers,
                             json={"hours": 4, "date_worked": date.today().isoformat()})
    assert logged.status_code == 201, logged.text
    date_from, date_to = this_week()
    submitted = await http.post("/time-entries/submit", headers=member_headers,
                                json={"date_from": date_from, "date_to": date_to})
    assert submitted.status_code == 200, submitted.text
    await page.reload()
    sheet = page.get_by_role("article", name=re.compile("timesheet"))
    await sheet.get_by_role("button", name=re.compile("^Approve")).click()

    async def approved():
        entries = (await http.get("/time-entries", headers=headers,
                                  params={"user_id": member["user"]["id"]})).json()
        return all(e["status"] == "approved" for e in entries["time_entries"]) and entries
    await eventually(approved, "the member's week approved", timeout=10)
    no_problems(page)


async def test_activity_is_live_expenses_are_added_and_reports_download(page, http):
    """#18's missing views: the activity feed shows a change made elsewhere without a reload, an
    expense is added from the time screen, the reports show the month and download as CSV, and
    the top bar's search finds the project."""
    token = await sign_up_in_the_browser(page)
    headers = auth(token)
    name = f"Website {uuid.uuid4().hex[:4]}"
    project = await http.post("/projects", headers=headers, json={
        "name": name, "client_name": "Acme", "status": "active",
        "budget_type": "time_and_materials", "budget_total": "9000.00", "budget_currency": "USD",
        "start_date": (date.today() - timedelta(days=10)).isoformat(),
        "end_date": (date.today() + timedelta(days=30)).isoformat()})
    assert project.status_code == 201, project.text
    project_id = project.json()["id"]

    # Activity: open, then two hours logged through the API appear at the top, no reload.
    await nav_more(page, "Activity")
    await expect(page.get_by_role("heading", name="Activity")).to_be_visible()
    feed = page.get_by_role("list", name="Activity")
    await expect(feed.get_by_text(f"created project {name}")).to_be_visible(timeout=15_000)
    await expect(page.get_by_role("status", name=re.compile("Live updates"))) \
        .to_have_attribute("aria-label", "Live updates: Live", timeout=15_000)
    logged = await http.post(f"/projects/{project_id}/time-entries", headers=headers, json={
        "hours": 2, "date_worked": date.today().isoformat(), "notes": "Layout"})
    assert logged.status_code == 201, logged.text
    newest = feed.get_by_role("listitem").first
    await expect(newest).to_contain_text(f"Olive logged 2 h on {name}", timeout=15_000)
    await expect(newest.get_by_text("New", exact=True)).to_be_visible()
    await fits_the_screen(page, "activity-live")

    # Expenses: the time screen's second section, on this project.
    await nav(page, "Time")
    sections = page.get_by_role("navigation", name="Time sections")
    await sections.get_by_role("link", name="Expenses").click()
    await page.get_by_label("Project", exact=True).select_option(label=name)
    form = page.get_by_role("form", name="Add expense")
    await form.get_by_label("Description").fill("Stock photos")
    await form.get_by_label("Amount").fill("89.90")
    await form.get_by_label("Category").select_option("software")
    await form.get_by_role("button", name="Add expense").click()
    await expect(page.get_by_role("cell", name="Stock photos", exact=True)).to_be_visible()
    expenses = (await http.get(f"/projects/{project_id}/expenses", headers=headers)).json()
    assert [(x["description"], x["amount"], x["category"], x["currency"])
            for x in expenses["expenses"]] == [("Stock photos", "89.90", "software", "USD")]
    await fits_the_screen(page, "time-expenses-added")

    # The project's page reads its feed when it opens, and the feed hears of the expense from
    # time's event: under a full suite's backlog that may be after the page has opened.
    async def expense_in_the_feed():
        feed = (await http.get("/activity", headers=headers,
                               params={"project_id": project_id})).json()
        return any(a["action"] == "expense.recorded" for a in feed["activities"])
    await eventually(expense_in_the_feed, "the expense in the project's activity", timeout=15)

    # Reports: this month's margin summary holds the project's hours; its CSV downloads.
    if page.viewport_name == "phone":
        await page.get_by_role("navigation", name="Main").get_by_role("button", name="More").click()
        await fits_the_screen(page, "nav-more")
    await nav_more(page, "Reports")
    margins = page.get_by_role("table", name="Margin by project")
    await expect(margins.get_by_role("link", name=name)).to_be_visible(timeout=15_000)
    await expect(margins.get_by_role("rowheader", name="Total")).to_be_visible()
    await expect(page.get_by_role("table", name="Utilization by person")
                 .or_(page.get_by_text("No one in capacity yet"))).to_be_visible()
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Download the margin summary as CSV").click()
    download = await downloading.value
    assert re.fullmatch(r"margin-summary-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv",
                        download.suggested_filename), download.suggested_filename
    saved = Path(await download.path())
    assert name in await asyncio.to_thread(saved.read_text)
    await fits_the_screen(page, "reports-month")

    # Search, from the top bar (behind its button on a phone), leads to the project.
    if page.viewport_name == "phone":
        await page.get_by_role("button", name="Search").click()
    await page.get_by_role("searchbox", name="Search Labs").fill(name)
    results = page.get_by_role("region", name="Search results")
    projects = results.get_by_role("region", name="Projects")
    await expect(projects.get_by_role("link", name=re.compile(name))).to_be_visible()
    await fits_the_screen(page, "search-results")
    await projects.get_by_role("link", name=re.compile(name)).click()
    await expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    recent = page.get_by_role("region", name="Recent activity")
    await expect(recent.get_by_role("listitem").filter(has_text=f"Olive logged 2 h on {name}")) \
        .to_be_visible()
    await expect(recent.get_by_role("listitem").first) \
        .to_contain_text("Olive recorded an expense of $89.90")
    await fits_the_screen(page, "project-recent-activity")
    no_problems(page)
