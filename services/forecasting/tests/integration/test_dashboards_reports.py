"""The dashboards and reports on real PostgreSQL: a forecasting service of this module's own
(its consumers off: the read model is seeded directly, as the projection would leave it), the
session's identity for tokens, and a fake capacity that answers the available hours and notes
whose token asked."""

from __future__ import annotations

import csv
import dataclasses
import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import grpc
import pytest
from sqlalchemy import text

from labs.capacity.v1 import capacity_service_pb2 as capacity_pb
from labs.capacity.v1 import capacity_service_pb2_grpc as capacity_grpc
from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs.forecasting.v1 import forecasting_service_pb2_grpc as pb_grpc
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs_common.service import RunningService, start
from labs_common.testing.infrastructure import free_port
from labs_forecasting.adapters import orm
from labs_forecasting.config import Settings
from labs_forecasting.main import DEFINITION

PASSWORD = "correct horse battery"
NOW = datetime.now(UTC)
TODAY = NOW.date()
# A past range for the reports: Monday 2 to Wednesday 11 November 2026 (one week and 3 days).
START, END = date(2026, 11, 2), date(2026, 11, 11)


class FakeCapacity(capacity_grpc.CapacityServiceServicer):
    """40 available hours a week for every resource it is told of."""

    def __init__(self) -> None:
        self.resources: dict[str, str] = {}
        self.asked: list[tuple[capacity_pb.GetCapacityOverviewRequest, str]] = []

    async def GetCapacityOverview(self, request, context):
        self.asked.append((request, dict(context.invocation_metadata()).get("authorization")))
        first = date.fromisoformat(request.start_week)
        return capacity_pb.GetCapacityOverviewResponse(weeks=[capacity_pb.CapacityWeek(
            week_start=(first + timedelta(weeks=n)).isoformat(),
            by_resource=[capacity_pb.ResourceWeek(resource_id=rid, name=name,
                                                  available_hours="40.00")
                         for rid, name in self.resources.items()])
            for n in range(request.weeks)])


@pytest.fixture(scope="module")
async def fake_capacity() -> AsyncIterator[tuple[FakeCapacity, str]]:
    server = grpc.aio.server()
    fake = FakeCapacity()
    capacity_grpc.add_CapacityServiceServicer_to_server(fake, server)
    address = f"127.0.0.1:{free_port()}"
    server.add_insecure_port(address)
    await server.start()
    yield fake, address
    await server.stop(0)


@pytest.fixture(scope="module")
async def reports_service(postgres_url, forecasting_nats_url, forecasting_identity,
                          fake_capacity) -> AsyncIterator[RunningService]:
    quiet = dataclasses.replace(DEFINITION, subscriptions=lambda _runtime: ())
    settings = Settings(
        database_url=postgres_url,
        database_name=f"labs_forecasting_reports_test_{uuid.uuid4().hex[:8]}",
        nats_url=forecasting_nats_url, grpc_port=free_port(), env="test",
        shutdown_grace_seconds=0, identity_addr=forecasting_identity.address,
        capacity_addr=fake_capacity[1])
    service = await start(quiet, settings)
    yield service
    await service.stop()


@pytest.fixture(scope="module")
async def reports(reports_service) -> AsyncIterator[pb_grpc.ForecastingServiceStub]:
    async with grpc.aio.insecure_channel(reports_service.address) as channel:
        yield pb_grpc.ForecastingServiceStub(channel)


@dataclasses.dataclass
class Org:
    id: uuid.UUID
    owner: str
    people: dict[str, str]

    def auth(self, who: str = "owner") -> tuple[tuple[str, str], ...]:
        token = self.owner if who == "owner" else self.people[who]
        return (("authorization", f"Bearer {token}"),)


async def an_org(identity_stub, *roles: str) -> Org:
    session = (await identity_stub.Signup(identity_pb.SignupRequest(
        email=f"owner-{uuid.uuid4().hex[:8]}@example.com", password=PASSWORD,
        organization_name="Agency"))).session
    owner = (("authorization", f"Bearer {session.access_token}"),)
    people = {}
    for role in roles:
        invited = await identity_stub.CreateInvitation(identity_pb.CreateInvitationRequest(
            email=f"{role}-{uuid.uuid4().hex[:8]}@example.com",
            role=identity_pb.Role.Value(f"ROLE_{role.upper()}")), metadata=owner)
        joined = await identity_stub.AcceptInvitation(identity_pb.AcceptInvitationRequest(
            token=invited.token, password=PASSWORD, first_name="Pat", last_name=role))
        people[role] = joined.session.access_token
    return Org(uuid.UUID(session.organization.id), session.access_token, people)


class Seed:
    """Rows of the read model of one org, written as the system (past row-level security)."""

    def __init__(self, service: RunningService, org: Org) -> None:
        self.engine = service.runtime.engine
        self.org_id = org.id
        self.pending: list[tuple] = []

    def add(self, table, **values) -> uuid.UUID:
        if "id" in table.c and "id" not in values:
            values["id"] = uuid.uuid4()
        if "as_of" in table.c:
            values.setdefault("as_of", NOW)
        if "org_id" in table.c:
            values.setdefault("org_id", self.org_id)
        self.pending.append((table, values))
        return values.get("id") or values.get("project_id")

    def organization(self, currency="USD", rates=None, visible="manager") -> None:
        self.add(orm.organizations, id=self.org_id, currency=currency, timezone="UTC",
                 exchange_rates=rates or {}, financials_visible_to=visible)

    def project(self, name, *, currency="USD", status="active", budget_type="time_and_materials",
                budget=None, client_id=None, totals=None, trend_percent=None) -> uuid.UUID:
        pid = self.add(orm.projects, name=name, client_id=client_id, client_name=f"{name} Inc",
                       status=status, budget_type=budget_type,
                       budget_total=D(budget) if budget else None, currency=currency,
                       start_date=date(2026, 1, 1))
        sums = {"hours_logged": 0, "billable_hours": 0, "uncosted_hours": 0, "labor_cost": 0,
                "time_revenue": 0, "expense_cost": 0, "billable_expenses": 0, **(totals or {})}
        self.add(orm.project_totals, project_id=pid, updated_at=NOW, **sums)
        if trend_percent is not None:
            self.add(orm.daily_margins, project_id=pid, day=TODAY - timedelta(days=10),
                     revenue=1, cost=1, margin_dollar=0, margin_percent=D(trend_percent))
        return pid

    def entry(self, project_id, day, hours, *, rate="100", cost_rate="40", billable=True,
              resource_id=None, user_id=None, currency="USD", counted=True) -> uuid.UUID:
        return self.add(orm.entries, project_id=project_id, date_worked=day, hours=D(hours),
                        rounded_hours=D(hours), billable=billable, billable_rate=D(rate),
                        cost_rate=D(cost_rate) if cost_rate else None, currency=currency,
                        counted=counted, resource_id=resource_id, user_id=user_id)

    def expense(self, project_id, day, amount, *, billable=True, currency="USD") -> uuid.UUID:
        return self.add(orm.expenses, project_id=project_id, expense_date=day,
                        amount=D(amount), billable=billable, currency=currency, counted=True)

    async def commit(self) -> None:
        async with self.engine.begin() as db:
            await db.execute(text("SELECT set_config('labs.scope', 'system', true)"))
            for table, values in self.pending:
                await db.execute(table.insert().values(**values))
        self.pending.clear()


async def refused(call) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value.code()


async def test_the_profitability_dashboard_converts_sorts_and_sums(
        reports, reports_service, identity_stub):
    org = await an_org(identity_stub, "member")
    seed = Seed(reports_service, org)
    seed.organization(rates={"GBP": "1.25"})
    client = uuid.uuid4()
    seed.project("Website", budget="5000", client_id=client, trend_percent="40",
                 totals={"time_revenue": D("1000"), "labor_cost": D("400")})
    seed.project("Brand", currency="GBP", budget_type="fixed_fee", budget="2000",
                 totals={"labor_cost": D("500"), "expense_cost": D("100")})
    seed.project("Zurich", currency="CHF", budget="100",
                 totals={"time_revenue": D("100"), "labor_cost": D("90")})
    seed.project("Idle", budget=None)
    seed.project("Old", status="archived", totals={"time_revenue": D("10")})
    await seed.commit()

    found = await reports.GetProfitabilityDashboard(pb.GetProfitabilityDashboardRequest(),
                                                    metadata=org.auth())
    rows = {r.name: r for r in found.projects}
    assert [r.name for r in found.projects] == ["Brand", "Website", "Zurich", "Idle"]
    website, brand, zurich = rows["Website"], rows["Brand"], rows["Zurich"]
    assert (website.budget, website.actuals, website.margin_dollar, website.margin_percent) == (
        "5000.00", "400.00", "600.00", "60.00")
    assert website.margin_trend == pb.TREND_UP and website.client_name == "Website Inc"
    assert not website.converted and website.currency == "USD" and website.status == "active"
    # 2000 GBP fixed fee, 600 GBP of cost, at 1.25 USD per GBP.
    assert (brand.budget, brand.actuals, brand.margin_dollar, brand.margin_percent) == (
        "2500.00", "750.00", "1750.00", "70.00")
    assert brand.converted and brand.currency == "GBP"
    assert not zurich.converted and zurich.actuals == "90.00"
    assert rows["Idle"].margin_percent == "" and rows["Idle"].forecast_margin == ""
    s = found.summary
    assert (s.currency, s.total_budget, s.total_actuals, s.total_margin) == (
        "USD", "7500.00", "1150.00", "2350.00")
    assert s.avg_margin_percent == "67.14"  # 2350 / (1000 + 2500)
    assert (s.top_project, s.bottom_project) == ("Brand", "Zurich")
    assert dict(s.converted_from) == {"GBP": "1.25"} and list(s.unconverted) == ["CHF"]

    by_name = await reports.GetProfitabilityDashboard(pb.GetProfitabilityDashboardRequest(
        sort_by="name", order="asc"), metadata=org.auth())
    assert [r.name for r in by_name.projects] == ["Brand", "Idle", "Website", "Zurich"]
    archived = await reports.GetProfitabilityDashboard(pb.GetProfitabilityDashboardRequest(
        status="archived"), metadata=org.auth())
    assert [r.name for r in archived.projects] == ["Old"]
    of_client = await reports.GetProfitabilityDashboard(pb.GetProfitabilityDashboardRequest(
        client_id=str(client)), metadata=org.auth())
    assert [r.name for r in of_client.projects] == ["Website"]

    assert await refused(reports.GetProfitabilityDashboard(pb.GetProfitabilityDashboardRequest(
        sort_by="profit"), metadata=org.auth())) is grpc.StatusCode.INVALID_ARGUMENT
    assert await refused(reports.GetProfitabilityDashboard(
        pb.GetProfitabilityDashboardRequest(), metadata=org.auth("member"))
    ) is grpc.StatusCode.PERMISSION_DENIED


async def test_metrics_count_this_week_this_month_and_what_is_owed(
        reports, reports_service, identity_stub):
    org = await an_org(identity_stub, "viewer")
    seed = Seed(reports_service, org)
    seed.organization(rates={"EUR": "1.10"})
    website = seed.project("Website")
    seed.project("Paused", status="on_hold")
    ana = seed.add(orm.resources, name="Ana", seniority_level="mid",
                   capacity_hours_per_week=D("40"), active=True)
    seed.add(orm.resources, name="Ben", seniority_level="mid", capacity_hours_per_week=D("40"),
             active=False)
    seed.entry(website, TODAY, "6", resource_id=ana)
    seed.entry(website, TODAY, "2", billable=False, resource_id=ana)
    seed.entry(website, TODAY, "5", counted=False, resource_id=ana)  # deleted: not counted
    seed.entry(website, TODAY - timedelta(days=40), "3", resource_id=ana)  # neither
    seed.expense(website, TODAY, "50.00")
    seed.expense(website, TODAY, "20.00", billable=False)
    for status, total, paid, due in (
            ("sent", "1000", "0", TODAY + timedelta(days=10)),
            ("partially_paid", "500", "200", TODAY - timedelta(days=1)),
            ("overdue", "100", "0", TODAY - timedelta(days=30)),
            ("paid", "700", "700", TODAY - timedelta(days=30)),
            ("draft", "900", "0", TODAY - timedelta(days=30))):
        seed.add(orm.invoices, status=status, currency="USD", total=D(total),
                 amount_paid=D(paid), due_date=due)
    seed.add(orm.invoices, status="sent", currency="EUR", total=D("100"), amount_paid=D("0"),
             due_date=TODAY + timedelta(days=5))
    await seed.commit()

    m = await reports.GetMetrics(pb.GetMetricsRequest(), metadata=org.auth())
    assert (m.active_projects, m.hours_this_week, m.billable_hours_this_week) == (
        1, "8.00", "6.00")
    assert m.utilization_percent == "20.00" and m.currency == "USD"
    assert m.revenue_mtd == "650.00"  # 6 h at 100 and a billable expense of 50
    # USD 1000 + 300 + 100 owed, and EUR 100 at 1.10.
    assert (m.outstanding_amount, m.overdue_invoices) == ("1510.00", 2)

    as_viewer = await reports.GetMetrics(pb.GetMetricsRequest(), metadata=org.auth("viewer"))
    assert as_viewer.active_projects == 1 and as_viewer.hours_this_week == "8.00"
    assert (as_viewer.revenue_mtd, as_viewer.outstanding_amount) == ("", "")


async def test_the_margin_summary_counts_only_work_dated_in_the_range(
        reports, reports_service, identity_stub):
    org = await an_org(identity_stub, "member")
    seed = Seed(reports_service, org)
    seed.organization(rates={"GBP": "1.25"})
    client = uuid.uuid4()
    website = seed.project("=cmd", client_id=client)
    fee = seed.project("Brand", currency="GBP", budget_type="fixed_fee", budget="9000")
    idle = seed.project("Idle")
    seed.entry(website, START, "4", rate="150", cost_rate="60")
    seed.entry(website, END, "2", rate="150", cost_rate=None)  # uncosted
    seed.entry(website, END + timedelta(days=1), "8")  # after the range
    seed.entry(website, START, "1", billable=False, cost_rate="60")
    seed.expense(website, START, "30.00")
    seed.entry(fee, START + timedelta(days=2), "10", rate="100", cost_rate="50",
               currency="GBP")
    seed.entry(idle, START - timedelta(days=1), "3")
    await seed.commit()
    span = {"start_date": START.isoformat(), "end_date": END.isoformat()}

    found = await reports.GetMarginSummaryReport(pb.GetMarginSummaryReportRequest(**span),
                                                 metadata=org.auth())
    assert [r.name for r in found.projects] == ["=cmd", "Brand"]
    web, brand = found.projects
    assert (web.hours, web.revenue, web.cost, web.margin_dollar, web.margin_percent) == (
        "7.00", "930.00", "330.00", "600.00", "64.52")
    assert web.id == str(website) and web.client_name == "=cmd Inc" and web.currency == "USD"
    # The value of the work, not the fee (domain/reports.py).
    assert (brand.revenue, brand.cost, brand.currency) == ("1000.00", "500.00", "GBP")
    t = found.totals
    assert (found.currency, t.hours, t.revenue, t.cost, t.margin_dollar) == (
        "USD", "17.00", "2180.00", "955.00", "1225.00")

    of_client = await reports.GetMarginSummaryReport(pb.GetMarginSummaryReportRequest(
        **span, client_id=str(client)), metadata=org.auth())
    assert [r.name for r in of_client.projects] == ["=cmd"]

    assert await refused(reports.GetMarginSummaryReport(pb.GetMarginSummaryReportRequest(
        **span), metadata=org.auth("member"))) is grpc.StatusCode.PERMISSION_DENIED
    assert await refused(reports.GetMarginSummaryReport(pb.GetMarginSummaryReportRequest(
        start_date=END.isoformat(), end_date=START.isoformat()), metadata=org.auth())
    ) is grpc.StatusCode.INVALID_ARGUMENT
    assert await refused(reports.GetMarginSummaryReport(pb.GetMarginSummaryReportRequest(),
                                                        metadata=org.auth())
                         ) is grpc.StatusCode.INVALID_ARGUMENT

    as_csv = await reports.RenderReport(pb.RenderReportRequest(
        kind=pb.REPORT_KIND_MARGIN_SUMMARY, format=pb.REPORT_FORMAT_CSV, **span),
        metadata=org.auth())
    assert as_csv.content_type == "text/csv"
    assert as_csv.filename == "margin-summary-2026-11-02-2026-11-11.csv"
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8"))))
    assert rows[0][:3] == ["name", "client_name", "currency"]
    assert rows[1][:2] == ["'=cmd", "'=cmd Inc"] and rows[-1][0] == "Total"
    as_pdf = await reports.RenderReport(pb.RenderReportRequest(
        kind=pb.REPORT_KIND_MARGIN_SUMMARY, format=pb.REPORT_FORMAT_PDF, **span),
        metadata=org.auth())
    assert as_pdf.content.startswith(b"%PDF") and as_pdf.content_type == "application/pdf"
    assert as_pdf.filename == "margin-summary-2026-11-02-2026-11-11.pdf"


async def test_utilization_asks_capacity_as_the_caller_and_is_for_staff(
        reports, reports_service, identity_stub, fake_capacity):
    fake, _ = fake_capacity
    org = await an_org(identity_stub, "viewer")
    seed = Seed(reports_service, org)
    seed.organization()
    website = seed.project("Website")
    archived = seed.project("Old", status="archived")
    ana_user = uuid.uuid4()
    ana = seed.add(orm.resources, name="Ana", user_id=ana_user, seniority_level="mid",
                   capacity_hours_per_week=D("40"), active=True)
    seed.entry(website, START, "6", resource_id=ana)
    seed.entry(website, START + timedelta(days=1), "4", billable=False, user_id=ana_user)
    seed.entry(website, END + timedelta(days=3), "8", resource_id=ana)  # outside
    seed.add(orm.allocations, project_id=website, resource_id=ana, allocated_hours=D("20"),
             start_date=date(2026, 11, 4), end_date=date(2026, 12, 31), tentative=False,
             counted=True)
    seed.add(orm.allocations, project_id=website, resource_id=ana, allocated_hours=D("10"),
             start_date=START, end_date=END, tentative=True, counted=True)
    seed.add(orm.allocations, project_id=archived, resource_id=ana, allocated_hours=D("10"),
             start_date=START, end_date=END, tentative=False, counted=True)
    await seed.commit()
    fake.resources = {str(ana): "Ana"}
    span = {"start_date": START.isoformat(), "end_date": END.isoformat()}

    found = await reports.GetResourceUtilizationReport(
        pb.GetResourceUtilizationReportRequest(**span), metadata=org.auth("viewer"))
    request, token = fake.asked[-1]
    assert (request.start_week, request.weeks) == ("2026-11-02", 2)
    assert token == f"Bearer {org.people['viewer']}"
    [row] = found.resources
    # 40 h of the first week, 3 of 5 working days of the second.
    assert (row.name, row.available_hours, row.logged_hours, row.billable_hours) == (
        "Ana", "64.00", "10.00", "6.00")
    # 20 h/week from Wednesday 4th: 3 days of the first week, 3 of the second.
    assert row.allocated_hours == "24.00"
    assert (row.utilization_percent, row.billable_utilization_percent) == ("15.63", "9.38")

    as_pdf = await reports.RenderReport(pb.RenderReportRequest(
        kind=pb.REPORT_KIND_RESOURCE_UTILIZATION, format=pb.REPORT_FORMAT_PDF, **span),
        metadata=org.auth("viewer"))
    assert as_pdf.content.startswith(b"%PDF")
    assert as_pdf.filename == "resource-utilization-2026-11-02-2026-11-11.pdf"


async def test_the_margin_detail_lists_every_line_for_managers_only(
        reports, reports_service, identity_stub):
    org = await an_org(identity_stub, "member")
    seed = Seed(reports_service, org)
    seed.organization(visible="member")
    website = seed.project("Website")
    ana = seed.add(orm.resources, name="-Ana", seniority_level="mid",
                   capacity_hours_per_week=D("40"), active=True)
    seed.entry(website, START, "2.5", rate="150", cost_rate="60", resource_id=ana)
    seed.entry(website, END, "1", billable=False, cost_rate=None, user_id=uuid.uuid4())
    seed.expense(website, START, "30.00")
    await seed.commit()

    found = await reports.RenderReport(pb.RenderReportRequest(
        kind=pb.REPORT_KIND_MARGIN_DETAIL, format=pb.REPORT_FORMAT_CSV,
        project_id=str(website)), metadata=org.auth())
    rows = list(csv.reader(io.StringIO(found.content.decode("utf-8"))))
    assert rows[0] == ["type", "date", "person", "hours", "rounded_hours", "billable",
                       "billable_rate", "cost_rate", "revenue", "cost", "currency"]
    assert rows[1] == ["time", START.isoformat(), "'-Ana", "2.50", "2.50", "true", "150.00",
                       "60.00", "375.00", "150.00", "USD"]
    # By date: the expense of the first day, then the second day's entry.
    assert rows[2][0] == "expense" and rows[2][-3:] == ["30.00", "30.00", "USD"]
    assert rows[3][0] == "time" and rows[3][7] == "" and rows[3][2].startswith("(unknown")
    assert rows[3][8:10] == ["0.00", ""]
    assert rows[4][0] == "Total" and rows[4][8:10] == ["405.00", "180.00"]
    assert found.filename.startswith(f"margin-detail-{website}-")

    # Members read this org's margins, never its cost rates.
    assert await refused(reports.RenderReport(pb.RenderReportRequest(
        kind=pb.REPORT_KIND_MARGIN_DETAIL, format=pb.REPORT_FORMAT_CSV,
        project_id=str(website)), metadata=org.auth("member"))
    ) is grpc.StatusCode.PERMISSION_DENIED
    assert await refused(reports.RenderReport(pb.RenderReportRequest(
        kind=pb.REPORT_KIND_MARGIN_DETAIL, project_id=str(uuid.uuid4())), metadata=org.auth())
    ) is grpc.StatusCode.NOT_FOUND
