"""The organization settings other services act on, checked when they are saved: a rounding rule
that time could not read would otherwise be stored and silently mean "no rounding", and an
unknown audience for margins would silently mean "managers". Other keys are the owner's own."""

from __future__ import annotations

import uuid
from typing import Any

from labs_common.errors import FieldError

ROUNDING_MODES = ("up", "down", "nearest")
MAX_UNIT_MINUTES = 24 * 60
# The lowest role margins and forecasts are opened to (forecasting's `financials_from`).
FINANCIAL_AUDIENCES = ("manager", "member", "viewer")


def _rule_errors(rule: Any, where: str) -> list[FieldError]:
    if not isinstance(rule, dict):
        return [FieldError(where, "must be an object {unit_minutes, mode}")]
    errors = []
    unit = rule.get("unit_minutes")
    # JSON numbers arrive as floats from a protobuf Struct: 15.0 is 15.
    if isinstance(unit, bool) or not isinstance(unit, int | float) or int(unit) != unit \
            or not 0 <= unit <= MAX_UNIT_MINUTES:
        errors.append(FieldError(f"{where}.unit_minutes",
                                 f"whole minutes from 0 (no rounding) to {MAX_UNIT_MINUTES}"))
    if rule.get("mode", "nearest") not in ROUNDING_MODES:
        errors.append(FieldError(f"{where}.mode", f"one of {', '.join(ROUNDING_MODES)}"))
    return errors


def _rounding_errors(value: Any) -> list[FieldError]:
    where = "settings.time_rounding"
    if value is None:
        return []
    if not isinstance(value, dict):
        return [FieldError(where, "must be an object {unit_minutes, mode, projects?}")]
    errors = _rule_errors({k: v for k, v in value.items() if k != "projects"}, where)
    projects = value.get("projects", {})
    if not isinstance(projects, dict):
        return [*errors, FieldError(f"{where}.projects",
                                    "must be an object of project ids to rules")]
    for project_id, rule in projects.items():
        try:
            uuid.UUID(str(project_id))
        except ValueError:
            errors.append(FieldError(f"{where}.projects", f"{project_id!r} is not a project id"))
            continue
        errors += _rule_errors(rule, f"{where}.projects.{project_id}")
    return errors


def settings_errors(settings: dict) -> list[FieldError]:
    """Every wrong field of the settings Labs reads, at once."""
    errors = _rounding_errors(settings.get("time_rounding"))
    audience = settings.get("financials_visible_to")
    if audience is not None and audience not in FINANCIAL_AUDIENCES:
        errors.append(FieldError("settings.financials_visible_to",
                                 f"one of {', '.join(FINANCIAL_AUDIENCES)}"))
    return errors
