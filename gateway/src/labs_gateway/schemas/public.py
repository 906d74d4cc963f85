"""A message → the JSON object REST returns for it, for every channel that shows the same object
elsewhere (the WebSocket's `data`, and the webhooks and exports that come next).

One registry from a message's full name to its public model; `schemas.proto_json` fills the model
by the generic rules, leaving out what the reader may not see.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message

from labs.billing.v1 import billing_service_pb2 as billing
from labs.capacity.v1 import capacity_service_pb2 as capacity
from labs.forecasting.v1 import events_pb2 as forecasting_events
from labs.forecasting.v1 import forecasting_service_pb2 as forecasting
from labs.identity.v1 import identity_service_pb2 as identity
from labs.integrations.v1 import integrations_service_pb2 as integrations
from labs.projects.v1 import projects_service_pb2 as projects
from labs.time.v1 import time_service_pb2 as time
from labs_common.visibility import Reader
from labs_gateway.schemas.activity import ActivityPublic
from labs_gateway.schemas.billing import InvoicePublic, PaymentPublic, SubscriptionPublic
from labs_gateway.schemas.capacity import (
    AllocationPublic,
    HolidayPublic,
    RatePublic,
    ResourcePublic,
    TimeOffPublic,
)
from labs_gateway.schemas.comments import CommentPublic
from labs_gateway.schemas.files import FilePublic
from labs_gateway.schemas.forecasting import (
    AlertPublic,
    AlertSubscriptionPublic,
    DailyMarginPublic,
    ForecastPublic,
    ForecastUpdatedPublic,
    MarginPublic,
    MarginSummaryRowPublic,
    MarginUpdatedPublic,
    MetricsPublic,
    ProfitabilityRowPublic,
    ProfitabilitySummaryPublic,
    ProjectAtRiskPublic,
    ResourceGapPublic,
    UtilizationRowPublic,
)
from labs_gateway.schemas.identity import (
    ApiKeyPublic,
    InvitationPublic,
    MemberPublic,
    OrganizationPublic,
    ProfilePublic,
    UserPublic,
)
from labs_gateway.schemas.integrations import ConnectionPublic, SyncLogPublic
from labs_gateway.schemas.integrations_links import LinkPublic
from labs_gateway.schemas.projects import ClientPublic, ProjectPublic
from labs_gateway.schemas.proto_json import PublicModel, to_public
from labs_gateway.schemas.tasks import SprintPublic, TaskPublic
from labs_gateway.schemas.time import ExpensePublic, TimeEntryPublic
from labs_gateway.upstream import current_caller

PUBLIC_MODELS: dict[str, type[PublicModel]] = {
    message.DESCRIPTOR.full_name: model
    for message, model in (
        (time.TimeEntry, TimeEntryPublic),
        (time.Expense, ExpensePublic),
        (projects.Client, ClientPublic),
        (projects.Project, ProjectPublic),
        (projects.Task, TaskPublic),
        (projects.Sprint, SprintPublic),
        (projects.Comment, CommentPublic),
        (projects.File, FilePublic),
        (projects.Activity, ActivityPublic),
        (capacity.Resource, ResourcePublic),
        (capacity.Rate, RatePublic),
        (capacity.TimeOff, TimeOffPublic),
        (capacity.Holiday, HolidayPublic),
        (capacity.Allocation, AllocationPublic),
        (identity.User, UserPublic),
        (identity.Organization, OrganizationPublic),
        (identity.Member, MemberPublic),
        (identity.Invitation, InvitationPublic),
        (identity.ApiKey, ApiKeyPublic),
        (identity.Profile, ProfilePublic),
        (billing.Invoice, InvoicePublic),
        (billing.Payment, PaymentPublic),
        (billing.Subscription, SubscriptionPublic),
        (forecasting.Margin, MarginPublic),
        (forecasting.DailyMargin, DailyMarginPublic),
        (forecasting.ProfitabilityRow, ProfitabilityRowPublic),
        (forecasting.ProfitabilitySummary, ProfitabilitySummaryPublic),
        (forecasting.GetMetricsResponse, MetricsPublic),
        (forecasting.MarginSummaryRow, MarginSummaryRowPublic),
        (forecasting.UtilizationRow, UtilizationRowPublic),
        (forecasting.Forecast, ForecastPublic),
        (forecasting.ProjectAtRisk, ProjectAtRiskPublic),
        (forecasting.ResourceGap, ResourceGapPublic),
        (forecasting.Alert, AlertPublic),
        (forecasting.AlertSubscription, AlertSubscriptionPublic),
        (integrations.Connection, ConnectionPublic),
        (integrations.SyncLog, SyncLogPublic),
        (integrations.Link, LinkPublic),
        # Event payloads that are themselves API objects (data: {project_id, margin} and
        # {project_id, forecast}); AlertRaised is not: its data is the alert it carries.
        (forecasting_events.MarginUpdated, MarginUpdatedPublic),
        (forecasting_events.ForecastUpdated, ForecastUpdatedPublic),
    )
}


def has_public_form(message_name: str) -> bool:
    return message_name in PUBLIC_MODELS


def public_json(message: Message, reader: Reader) -> dict[str, Any]:
    """The object as REST writes it for `reader`: what the visibility policy hides from that
    reader is absent (not null), exactly as in the REST answer."""
    model = PUBLIC_MODELS[message.DESCRIPTOR.full_name]
    return to_public(model, message, reader).model_dump(mode="json")


def current_reader() -> Reader | None:
    """Whom the current request shows data to (None on public routes: nothing is restricted)."""
    return current_caller().shown_to()


def public(message: Message, **computed: Any) -> PublicModel:
    """`message` as the current request's reader sees it, as its public model."""
    model = PUBLIC_MODELS[message.DESCRIPTOR.full_name]
    return to_public(model, message, current_reader(), **computed)
