"""One margin per project per day: every change writes the day's row as it goes
(projection.announce_margin); this sweep writes the row of each live project that had no change
today, so the history has a row for every day and the trend compares like with like."""

from __future__ import annotations

from datetime import UTC, datetime

from labs_common.db.uow import Scope
from labs_forecasting.adapters.read_model import projects_without_a_row_on
from labs_forecasting.domain.model import DailyMargin
from labs_forecasting.service_layer.projection import current_margins
from labs_forecasting.service_layer.unit_of_work import UowFactory

BATCH = 500


async def snapshot_missing(uow_factory: UowFactory) -> int:
    """Today's row (UTC; each org's own day once it is there) for up to BATCH projects that lack
    it; answers how many."""
    today = datetime.now(UTC).date()
    async with uow_factory(Scope.of_system()) as uow:
        missing = await projects_without_a_row_on(uow.session, today, BATCH)
    for org_id, project_id in missing:
        async with uow_factory(Scope(org_id=org_id)) as uow:
            project = await uow.projects.get(project_id)
            if project is None:
                continue
            (margin,) = await current_margins(uow, [project], today)
            await uow.daily.put(project_id, DailyMargin(
                today, margin.revenue, margin.cost, margin.margin_dollar, margin.margin_percent))
            await uow.commit()
    return len(missing)
