"""Projects protos ⇄ the API's JSON (enums are lowercase names in JSON, prefixed in protos)."""

from __future__ import annotations

from decimal import Decimal

from labs.projects.v1 import projects_service_pb2 as pb
from labs_gateway.schemas.common import timestamp
from labs_gateway.schemas.projects import ClientPublic, ProjectPublic

_PREFIXES = {"status": "PROJECT_STATUS_", "priority": "PRIORITY_", "budget_type": "BUDGET_TYPE_"}
_ENUMS = {"status": pb.ProjectStatus, "priority": pb.Priority, "budget_type": pb.BudgetType}


def enum_to_proto(field: str, name: str) -> int:
    return _ENUMS[field].Value(_PREFIXES[field] + name.upper())


def enum_name(field: str, value: int) -> str:
    return _ENUMS[field].Name(value).removeprefix(_PREFIXES[field]).lower()


def hours_text(value: float | None) -> str:
    """A JSON number of hours as the decimal string the service validates (≤ 2 decimals)."""
    # Fixed-point, never exponent notation: 40.0 is "40.0", not "4E+1".
    return "" if value is None else format(Decimal(repr(value)), "f")


def hours_number(text: str) -> float | None:
    return float(text) if text else None


def or_none(text: str) -> str | None:
    return text or None


def client_public(client: pb.Client) -> ClientPublic:
    return ClientPublic(
        id=client.id, name=client.name, email=or_none(client.email), currency=client.currency,
        created_at=timestamp(client.created_at), updated_at=timestamp(client.updated_at),
        archived_at=timestamp(client.archived_at),
    )


def project_public(project: pb.Project) -> ProjectPublic:
    return ProjectPublic(
        id=project.id,
        client_id=or_none(project.client_id),
        name=project.name,
        description=project.description,
        status=enum_name("status", project.status),
        priority=enum_name("priority", project.priority),
        budget_type=enum_name("budget_type", project.budget_type),
        budget_total=or_none(project.budget_total),
        budget_currency=project.budget_currency,
        budget_hours=hours_number(project.budget_hours),
        start_date=or_none(project.start_date),
        end_date=or_none(project.end_date),
        billing_rate_override=or_none(project.billing_rate_override),
        project_manager_id=or_none(project.project_manager_id),
        github_repo_url=or_none(project.github_repo_url),
        slack_channel_id=or_none(project.slack_channel_id),
        created_at=timestamp(project.created_at),
        updated_at=timestamp(project.updated_at),
    )


def project_message(values: dict) -> pb.Project:
    """A Project message from API field values (None → empty: absent or cleared)."""
    message = pb.Project()
    for field, value in values.items():
        if field in _ENUMS:
            setattr(message, field, enum_to_proto(field, value) if value else 0)
        elif field == "budget_hours":
            message.budget_hours = hours_text(value)
        else:
            setattr(message, field, value or "")
    return message
