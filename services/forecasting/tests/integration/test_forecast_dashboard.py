"""The forecast dashboard (GetForecastDashboard) on real PostgreSQL: a forecasting service of
this module's own (its consumers off: the read model is seeded directly, as the projection, the
forecast engine and the other consumers would leave it) and the session's identity for tokens.

Projects at risk come from the engine's `forecasts` row when there is one, else from the risk
assessed on the read model's figures; resource gaps from the allocations (tentative included)
against the resources' capacity by seniority."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import grpc
import pytest
from sqlalchemy import text

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
MONDAY = TODAY - timedelta(days=TODAY.weekday())


@pytest.fixture(scope="module")
async def dashboard_service(postgres_url, forecasting_nats_url, forecasting_identity
                            ) -> AsyncIterator[RunningService]:
    quiet = dataclasses.replace(DEFINITION, subscriptions=lambda _runtime: ())
    settings = Settings(
        database_url=postgres_url,
        database_name=f"labs_forecasting_dashboard_test_{uuid.uuid4().hex[:8]}",
        nats_url=forecasting_nats_url, grpc_port=free_port(), env="test",
        shutdown_grace_seconds=0, identity_addr=forecasting_identity.address)
    service = await start(quiet, settings)
    yield service
    await service.stop()


@pytest.fixture(scope="module")
async def forecasting_stub(dashboard_service) -> AsyncIterator[pb_grpc.ForecastingServiceStub]:
    async with grpc.aio.insecure_channel(dashboard_service.address) as channel:
        yield pb_grpc.ForecastingServiceStub(channel)


async def an_org(identity_stub, role: str) -> tuple[uuid.UUID, str, str]:
    """(org id, the owner's token, a `role` member's token)."""
    session = (await identity_stub.Signup(identity_pb.SignupRequest(
        email=f"owner-{uuid.uuid4().hex[:8]}@example.com", password=PASSWORD,
        organization_name="Agency"))).session
    owner = (("authorization", f"Bearer {session.access_token}"),)
    invited = await identity_stub.CreateInvitation(identity_pb.CreateInvitationRequest(
        email=f"{role}-{uuid.uuid4().hex[:8]}@example.com",
        role=identity_pb.Role.Value(f"ROLE_{role.upper()}")), metadata=owner)
    joined = await identity_stub.AcceptInvitation(identity_pb.AcceptInvitationRequest(
        token=invited.token, password=PASSWORD, first_name="Pat", last_name=role))
    return uuid.UUID(session.organization.id), session.access_token, joined.session.access_token


def auth(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


class Seed:
    """Rows of the read model of one org, written as the system (past row-level security)."""

    def __init__(self, service: RunningService, org_id: uuid.UUID) -> None:
        self.engine = service.runtime.engine
        self.org_id = org_id
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

    def project(self, name, *, status="active", budget="10000", start_days=60, end_days=10,
                revenue="0", cost="0", hours="0", margin_days_ago=None) -> uuid.UUID:
        pid = self.add(orm.projects, name=name, client_name=f"{name} Inc", status=status,
                       budget_type="time_and_materials", budget_total=D(budget),
                       currency="USD", start_date=TODAY - timedelta(days=start_days),
                       end_date=TODAY + timedelta(days=end_days))
        self.add(orm.project_totals, project_id=pid, updated_at=NOW, hours_logged=D(hours),
                 billable_hours=D(hours), uncosted_hours=0, labor_cost=D(cost),
                 time_revenue=D(revenue), expense_cost=0, billable_expenses=0)
        if margin_days_ago is not None:
            self.add(orm.daily_margins, project_id=pid, day=TODAY - timedelta(days=8),
                     revenue=1, cost=1, margin_dollar=0, margin_percent=D(margin_days_ago))
        return pid

    def resource(self, level, *, capacity="40", cost=None, bill=None) -> uuid.UUID:
        rid = self.add(orm.resources, name=f"{level} person", seniority_level=level,
                       capacity_hours_per_week=D(capacity), active=True)
        if cost is not None:
            self.add(orm.resource_rates, resource_id=rid,
                     effective_from=TODAY - timedelta(days=365), billing_rate=D(bill),
                     cost_rate=D(cost), currency="USD")
        return rid

    def allocation(self, project_id, resource_id, hours, weeks, *, tentative=False) -> None:
        self.add(orm.allocations, project_id=project_id, resource_id=resource_id,
                 allocated_hours=D(hours), start_date=MONDAY,
                 end_date=MONDAY + timedelta(weeks=weeks, days=-3), tentative=tentative,
                 counted=True)

    def forecast(self, project_id, *, score, low, recommendation) -> None:
        self.add(orm.forecasts, project_id=project_id, as_of=NOW, forecast_margin=D(low) + 8,
                 forecast_low=D(low), forecast_high=D(low) + 15, forecast_confidence=70,
                 method="ets", risk_score=score, risk_factors=[],
                 recommendation=recommendation, recommendations=[], currency="USD", model={})

    async def commit(self) -> None:
        async with self.engine.begin() as db:
            await db.execute(text("SELECT set_config('labs.scope', 'system', true)"))
            for table, values in self.pending:
                await db.execute(table.insert().values(**values))
        self.pending.clear()


async def test_projects_at_risk_and_resource_gaps(forecasting_stub, dashboard_service,
                                                  identity_stub):
    org_id, owner, _ = await an_org(identity_stub, "member")
    seed = Seed(dashboard_service, org_id)
    # 90 % of the budget used with 60 of 70 days gone; margin 11.11 %, 25 % a week ago.
    overrun = seed.project("Overrun", revenue="9000", cost="8000", hours="60",
                           margin_days_ago="25")
    healthy = seed.project("Healthy", budget="40000", revenue="4000", cost="2000", hours="40",
                           start_days=10, end_days=90, margin_days_ago="50")
    forecasted = seed.project("Forecasted", revenue="5000", cost="2000", hours="50")
    calm = seed.project("Calm", revenue="5000", cost="2000", hours="50")
    seed.project("Old", status="archived", revenue="100", cost="900")
    seed.forecast(forecasted, score=3, low="12", recommendation="Raise the rate")
    seed.forecast(calm, score=2, low="30", recommendation="")
    mid = seed.resource("mid", cost="60", bill="120")
    senior = seed.resource("senior", cost="90", bill="150")
    # The mid person: 30 h on Overrun + 20 h tentative on Healthy = 50 h of 40, for 8 weeks.
    seed.allocation(overrun, mid, "30", 8)
    seed.allocation(healthy, mid, "20", 8, tentative=True)
    seed.allocation(overrun, senior, "20", 8)
    seed.add(orm.invoices, project_id=overrun, status="sent", currency="USD", total=D("2000"),
             amount_paid=D("500"), issue_date=TODAY - timedelta(days=50),
             due_date=TODAY - timedelta(days=20))
    await seed.commit()

    found = await forecasting_stub.GetForecastDashboard(pb.GetForecastDashboardRequest(),
                                                        metadata=auth(owner))

    assert [p.name for p in found.projects_at_risk] == ["Overrun", "Forecasted"]
    first, second = found.projects_at_risk
    # burn 0.4 + trend 2.0 + margin under target 1.1 + over-allocation 0.5 + overdue 0.5 +
    # 10 days left 0.5 = 5.0: score 6.
    assert first.id == str(overrun) and first.risk_score == 6
    assert first.current_margin == "11.11" and first.days_remaining == 10
    assert (first.forecast_margin, first.forecast_low, first.forecast_high) == ("", "", "")
    # 20 h of senior work at 30/h less, over 30 x 120 + 20 x 150 = 6,600 a week: +9.1 points.
    assert first.recommendation == "Move 20 h/week of senior work to a mid-level person"
    assert (second.risk_score, second.forecast_low, second.recommendation) == (
        3, "12.00", "Raise the rate")
    assert second.forecast_margin == "20.00" and second.current_margin == "60.00"

    assert len(found.resource_gaps) == 1
    gap = found.resource_gaps[0]
    assert (gap.skill_level, gap.hours_needed, gap.hours_available, gap.gap_hours) == (
        "mid", "400.00", "480.00", "80.00")
    assert gap.hiring_recommendation == (
        "Hire a mid-level developer: 10 h/week short for 8 of the next 12 weeks")


async def test_the_forecast_dashboard_is_for_those_who_read_financials(
        forecasting_stub, identity_stub):
    _, _, member = await an_org(identity_stub, "member")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await forecasting_stub.GetForecastDashboard(pb.GetForecastDashboardRequest(),
                                                    metadata=auth(member))
    assert caught.value.code() is grpc.StatusCode.PERMISSION_DENIED
