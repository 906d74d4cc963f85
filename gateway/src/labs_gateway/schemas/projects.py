"""Clients and projects as the API shows them. Money is a decimal string with its currency,
hours a JSON number, dates YYYY-MM-DD; the projects service validates values and names the field
that is wrong, so these models check only shapes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, Field

from labs_gateway.schemas.common import (
    CurrencyCode,
    IsoDate,
    Name,
    RequestModel,
    UuidStr,
    decimal_type,
)
from labs_gateway.schemas.forecasting import MarginPublic
from labs_gateway.schemas.proto_json import PublicModel

ProjectStatusName = Literal["planning", "active", "on_hold", "completed", "archived"]
PriorityName = Literal["low", "medium", "high", "urgent"]
BudgetTypeName = Literal["fixed_fee", "time_and_materials", "retainer", "non_billable"]
Money = decimal_type(maximum=Decimal("999999999999.99"), example="25000.00",
                     description="A decimal string or a JSON number.")
Rate = decimal_type(maximum=Decimal("9999999999.99"), exclusive_minimum=True, example="150.00",
                    description="An hourly rate, a decimal string or a JSON number.")
Hours = decimal_type(maximum=Decimal("99999999.99"), strings=False, example="120.5",
                     description="Hours, a JSON number.")
PROJECT_DATES = (("start_date", "end_date", "must not be before start_date"),)
PM_ID = Field(None, validation_alias=AliasChoices("project_manager_id", "pm_id"),
              description="A member of the organization; `pm_id` is accepted as an alias.")
ShortText = Annotated[str, Field(max_length=500)]
Description = Annotated[str, Field(max_length=20_000)]


# Requests


class ClientCreate(RequestModel):
    name: Name
    email: Annotated[str, Field(max_length=254)] = ""
    currency: CurrencyCode = Field("", description="ISO 4217; default USD.")


class ClientUpdate(RequestModel):
    """Only the fields present change; null clears `email`."""

    name: Name = None  # type: ignore[assignment]
    email: Annotated[str, Field(max_length=254)] | None = None
    currency: CurrencyCode = None  # type: ignore[assignment]


class ProjectCreate(RequestModel):
    ORDERED = PROJECT_DATES
    EXCLUSIVE = (("client_id", "client_name", "give client_id or client_name, not both"),)

    name: Name
    client_id: UuidStr | None = None
    client_name: Name | None = Field(
        None, description="Instead of client_id: the client of this name, created if absent.")
    description: Description = ""
    status: ProjectStatusName = "planning"
    priority: PriorityName = "medium"
    budget_type: BudgetTypeName = "time_and_materials"
    budget_total: Money | None = None
    budget_currency: CurrencyCode | None = Field(
        None, description="ISO 4217; default the client's currency, else USD.")
    budget_hours: Hours | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    billing_rate_override: Rate | None = None
    project_manager_id: UuidStr | None = PM_ID
    github_repo_url: ShortText | None = None
    slack_channel_id: ShortText | None = None


class ProjectUpdate(RequestModel):
    """Only the fields present change; null clears an optional field."""

    ORDERED = PROJECT_DATES

    name: Name = None  # type: ignore[assignment]
    client_id: UuidStr | None = None
    description: Description | None = None
    status: ProjectStatusName = None  # type: ignore[assignment]
    priority: PriorityName = None  # type: ignore[assignment]
    budget_type: BudgetTypeName = None  # type: ignore[assignment]
    budget_total: Money | None = None
    budget_currency: CurrencyCode = None  # type: ignore[assignment]
    budget_hours: Hours | None = None
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    billing_rate_override: Rate | None = None
    project_manager_id: UuidStr | None = PM_ID
    github_repo_url: ShortText | None = None
    slack_channel_id: ShortText | None = None


# Responses


class ClientPublic(PublicModel):
    id: str
    name: str
    email: str | None
    currency: str
    created_at: datetime | None
    updated_at: datetime | None
    archived_at: datetime | None


class ClientList(BaseModel):
    clients: list[ClientPublic]
    next_cursor: str | None


class ProjectPublic(PublicModel):
    id: str
    client_id: str | None
    client_name: str | None = Field(
        description="The name of the project's client as it is now; null without a client.")
    name: str
    description: str
    status: ProjectStatusName
    priority: PriorityName
    budget_type: BudgetTypeName
    budget_total: str | None
    budget_currency: str
    budget_hours: float | None
    start_date: str | None
    end_date: str | None
    billing_rate_override: str | None = Field(None, description="Absent for client readers.")
    project_manager_id: str | None
    github_repo_url: str | None = Field(None, description="Staff only.")
    slack_channel_id: str | None = Field(None, description="Staff only.")
    created_at: datetime | None
    updated_at: datetime | None


class TeamAllocationPublic(PublicModel):
    """One allocation of a project's team, as capacity books it, with the resource's name."""

    resource_id: str
    name: str
    allocated_hours: float = Field(description="Hours per week.")
    start_date: date
    end_date: date
    tentative: bool


class ProjectWithMargin(ProjectPublic):
    """A project as GET /projects lists it: with its margin from forecasting for readers of
    financials (manager and up by default)."""

    margin: MarginPublic | None = Field(
        None, description="The project's margin now; null while forecasting does not know it "
                          "(or does not answer). Absent for readers below the organization's "
                          "financials level (members, viewers and clients by default).")


class ProjectDetail(ProjectWithMargin):
    """A project with its margin and its team from capacity, as GET /projects/{id} and each
    item of GET /projects show it."""

    team_allocation: list[TeamAllocationPublic] = Field(
        default_factory=list,
        description="Every allocation to the project, by start date. Absent for client readers "
                    "(capacity shows them nothing).")


class ProjectList(BaseModel):
    projects: list[ProjectDetail]
    next_cursor: str | None
