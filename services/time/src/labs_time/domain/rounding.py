"""Rounding rules: the org's (or one project's) unit in minutes and direction fill `rounded_hours`.

The rule lives in the organization's settings (identity), shaped like

    {"time_rounding": {"unit_minutes": 15, "mode": "up",
                       "projects": {"<project_id>": {"unit_minutes": 6, "mode": "nearest"}}}}

`mode` is up, down or nearest (halves round up). A project entry overrides the org's rule for that
project; no rule (or unit_minutes 0) means rounded_hours = hours. Billing uses rounded_hours;
payroll and cost use hours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

HUNDREDTH = Decimal("0.01")
MODES = ("up", "down", "nearest")


@dataclass(frozen=True)
class RoundingRule:
    unit_minutes: int
    mode: str

    def apply(self, hours: Decimal) -> Decimal:
        if self.unit_minutes <= 0:
            return hours.quantize(HUNDREDTH)
        units = hours * 60 / Decimal(self.unit_minutes)
        if self.mode == "up":
            whole = Decimal(math.ceil(units))
        elif self.mode == "down":
            whole = Decimal(math.floor(units))
        else:
            whole = units.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return (whole * self.unit_minutes / 60).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


NO_ROUNDING = RoundingRule(0, "nearest")


def _parse(value: Any) -> RoundingRule | None:
    if not isinstance(value, dict):
        return None
    unit, mode = value.get("unit_minutes"), value.get("mode", "nearest")
    # JSON numbers arrive as floats from a protobuf Struct.
    if not isinstance(unit, int | float) or unit < 0 or unit > 24 * 60 or int(unit) != unit:
        return None
    if mode not in MODES:
        return None
    return RoundingRule(int(unit), mode)


def rule_for(settings: dict[str, Any], project_id: str) -> RoundingRule:
    """The rule for `project_id` under an org's settings; a malformed rule counts as none."""
    config = settings.get("time_rounding") if isinstance(settings, dict) else None
    if not isinstance(config, dict):
        return NO_ROUNDING
    projects = config.get("projects")
    if isinstance(projects, dict) and (rule := _parse(projects.get(str(project_id)))):
        return rule
    return _parse(config) or NO_ROUNDING
