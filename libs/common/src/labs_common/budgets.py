"""A project's budget types, as the API names them (docs/API.md): projects sets one on each
project; forecasting reads it from projects' events to know what a margin is measured against.
One list, so that a type projects accepts is never one that forecasting cannot read."""

from __future__ import annotations

from enum import StrEnum


class BudgetType(StrEnum):
    FIXED_FEE = "fixed_fee"
    TIME_AND_MATERIALS = "time_and_materials"
    RETAINER = "retainer"
    NON_BILLABLE = "non_billable"
