"""Forecasting's use cases, one command each, built by the entrypoint from parsed input."""

from __future__ import annotations

import uuid
from datetime import date

from labs_common.commands import Command


class GetProjectMargin(Command):
    project_id: uuid.UUID


class ListProjectMargins(Command):
    project_ids: tuple[uuid.UUID, ...]


class GetMarginHistory(Command):
    project_id: uuid.UUID
    start_date: date | None = None
    end_date: date | None = None
