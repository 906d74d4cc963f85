"""Reading margins: one project's, many at once (a project list), and a project's daily
history. All read the read model only."""

from __future__ import annotations

from datetime import timedelta

from labs_common.errors import InvalidArgument, NotFound
from labs_common.zones import today_in
from labs_forecasting.domain import commands
from labs_forecasting.domain.model import DailyMargin, Margin
from labs_forecasting.service_layer import access
from labs_forecasting.service_layer.projection import current_margins, margins_of
from labs_forecasting.service_layer.unit_of_work import ForecastingUnitOfWork

MAX_HISTORY_DAYS = 731
MAX_PROJECTS = 500


async def get_project_margin(command: commands.GetProjectMargin, uow: ForecastingUnitOfWork
                             ) -> Margin:
    org = await uow.organizations.get()
    access.require_financials(uow.caller, org)
    project = await uow.projects.get(command.project_id)
    if project is None:
        raise NotFound("No margin for this project (yet).", reason="PROJECT_NOT_FOUND")
    (margin,) = await current_margins(uow, [project], today_in(org.timezone))
    return margin


async def list_project_margins(command: commands.ListProjectMargins,
                               uow: ForecastingUnitOfWork) -> list[Margin]:
    org = await uow.organizations.get()
    access.require_financials(uow.caller, org)
    if len(command.project_ids) > MAX_PROJECTS:
        raise InvalidArgument.on("project_ids", f"at most {MAX_PROJECTS} at once")
    return await margins_of(uow, list(command.project_ids), today_in(org.timezone))


async def get_margin_history(command: commands.GetMarginHistory, uow: ForecastingUnitOfWork
                             ) -> list[DailyMargin]:
    org = await uow.organizations.get()
    access.require_financials(uow.caller, org)
    if await uow.projects.get(command.project_id) is None:
        raise NotFound("No margin for this project (yet).", reason="PROJECT_NOT_FOUND")
    end = command.end_date or today_in(org.timezone)
    start = command.start_date or end - timedelta(days=30)
    if start > end:
        raise InvalidArgument.on("start_date", "must not be after end_date")
    if (end - start).days > MAX_HISTORY_DAYS:
        raise InvalidArgument.on("start_date", f"at most {MAX_HISTORY_DAYS} days of history")
    return await uow.daily.between(command.project_id, start, end)
