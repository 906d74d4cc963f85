"""The dashboards and reports as protobuf messages: decimals as strings, an absent figure (no
revenue, no capacity, withheld) as the empty string."""

from __future__ import annotations

from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs_forecasting.adapters.proto import TREND, number
from labs_forecasting.domain.reports import SummaryRow, UtilizationRow
from labs_forecasting.service_layer.dashboards import Metrics, Profitability
from labs_forecasting.service_layer.reports import MarginSummary, Utilization


def profitability(found: Profitability) -> pb.GetProfitabilityDashboardResponse:
    s = found.summary
    return pb.GetProfitabilityDashboardResponse(
        projects=[pb.ProfitabilityRow(
            id=str(r.id), name=r.name, client_name=r.client_name, budget=number(r.budget),
            actuals=number(r.actuals), margin_dollar=number(r.margin_dollar),
            margin_percent=number(r.margin_percent), margin_trend=TREND.to_proto(r.margin_trend),
            forecast_margin=number(r.forecast_margin),
            forecast_confidence=number(r.forecast_confidence),
            currency=r.currency, converted=r.converted, status=r.status,
        ) for r in found.rows],
        summary=pb.ProfitabilitySummary(
            currency=s.currency, total_budget=number(s.total_budget),
            total_actuals=number(s.total_actuals), total_margin=number(s.total_margin),
            avg_margin_percent=number(s.avg_margin_percent), top_project=s.top_project,
            bottom_project=s.bottom_project,
            converted_from={k: str(v) for k, v in s.converted_from.items()},
            unconverted=list(s.unconverted)))


def metrics(found: Metrics) -> pb.GetMetricsResponse:
    return pb.GetMetricsResponse(
        active_projects=found.active_projects, hours_this_week=number(found.hours_this_week),
        billable_hours_this_week=number(found.billable_hours_this_week),
        utilization_percent=number(found.utilization_percent),
        revenue_mtd=number(found.revenue_mtd),
        outstanding_amount=number(found.outstanding_amount),
        overdue_invoices=found.overdue_invoices, currency=found.currency)


def summary_row(r: SummaryRow) -> pb.MarginSummaryRow:
    return pb.MarginSummaryRow(
        id=str(r.id) if r.id else "", name=r.name, client_name=r.client_name,
        hours=number(r.hours), revenue=number(r.revenue), cost=number(r.cost),
        margin_dollar=number(r.margin_dollar), margin_percent=number(r.margin_percent),
        currency=r.currency)


def margin_summary(found: MarginSummary) -> pb.GetMarginSummaryReportResponse:
    return pb.GetMarginSummaryReportResponse(
        projects=[summary_row(r) for r in found.rows], totals=summary_row(found.totals),
        currency=found.totals.currency)


def utilization_row(r: UtilizationRow) -> pb.UtilizationRow:
    return pb.UtilizationRow(
        resource_id=str(r.resource_id), name=r.name, available_hours=number(r.available_hours),
        allocated_hours=number(r.allocated_hours), logged_hours=number(r.logged_hours),
        billable_hours=number(r.billable_hours),
        utilization_percent=number(r.utilization_percent),
        billable_utilization_percent=number(r.billable_utilization_percent))


def utilization(found: Utilization) -> pb.GetResourceUtilizationReportResponse:
    return pb.GetResourceUtilizationReportResponse(
        resources=[utilization_row(r) for r in found.rows])
