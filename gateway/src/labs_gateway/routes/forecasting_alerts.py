"""The caller's alerts (raised by the rules its subscriptions and role ask for) and its alert
subscriptions. Alerts are a person's own: another user's, or another organization's, is not
found. In-app alerts are also pushed to their user's sockets as `alert:new`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status

from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs_common.errors import InvalidArgument
from labs_gateway.dependencies import IdempotentWrite
from labs_gateway.exact_json import ExactJsonRoute
from labs_gateway.problems import PROBLEM_RESPONSES
from labs_gateway.routes.billing_common import Cursor, Limit
from labs_gateway.routes.forecasting_common import Forecasting
from labs_gateway.schemas.forecasting import (
    AlertList,
    AlertPublic,
    AlertSubscriptionCreate,
    AlertSubscriptionList,
    AlertSubscriptionPublic,
    AlertSubscriptionUpdate,
    AlertTypeName,
    AlertUpdate,
    SeverityName,
)
from labs_gateway.schemas.proto_json import enum_number, to_message
from labs_gateway.schemas.public import public

router = APIRouter(prefix="/alerts", route_class=ExactJsonRoute, tags=["alerts"],
                   responses=PROBLEM_RESPONSES)

AlertId = Annotated[uuid.UUID, Path(alias="id")]
SubscriptionId = Annotated[uuid.UUID, Path(alias="id")]
EXISTING = {200: {"model": AlertSubscriptionPublic,
                  "description": "The caller already has a subscription for this alert type, "
                                 "delivery method and project: that one, unchanged."}}


def _changes(body: Any) -> list[str]:
    fields = sorted(body.model_fields_set)
    if not fields:
        raise InvalidArgument.on("body", "Give at least one field to change.")
    return fields


@router.get("", response_model=AlertList)
async def list_alerts(
        forecasting: Forecasting,
        alert_type: Annotated[AlertTypeName | None, Query(alias="type")] = None,
        unread: Annotated[bool | None, Query(description="true: unread only; false: read "
                                                         "only.")] = None,
        severity: SeverityName | None = None, project_id: uuid.UUID | None = None,
        limit: Limit = 50, cursor: Cursor = None):
    """The caller's alerts, newest first, with how many of them are unread."""
    request = pb.ListAlertsRequest(
        type=enum_number(pb.AlertType.DESCRIPTOR, alert_type),
        severity=enum_number(pb.Severity.DESCRIPTOR, severity),
        project_id=str(project_id or ""), page_size=limit, page_token=cursor or "")
    if unread is not None:
        request.unread = unread
    page = await forecasting.ListAlerts(request)
    return AlertList(alerts=[public(alert) for alert in page.alerts],
                     unread_count=page.unread_count, next_cursor=page.next_page_token or None)


async def _update_alert(alert_id: uuid.UUID, body: AlertUpdate, forecasting) -> AlertPublic:
    fields = _changes(body)
    updated = await forecasting.UpdateAlert(to_message(pb.UpdateAlertRequest, {
        "id": alert_id, **body.model_dump(include=set(fields)), "update_mask": fields}))
    return public(updated.alert)


@router.patch("/{id}", response_model=AlertPublic, dependencies=[IdempotentWrite])
async def patch_alert(alert_id: AlertId, body: AlertUpdate, forecasting: Forecasting):
    """Mark one of the caller's alerts read (or unread) and/or record the action taken; only
    the fields given change."""
    return await _update_alert(alert_id, body, forecasting)


@router.put("/{id}", response_model=AlertPublic, dependencies=[IdempotentWrite])
async def put_alert(alert_id: AlertId, body: AlertUpdate, forecasting: Forecasting):
    """Same as PATCH: only the fields given change."""
    return await _update_alert(alert_id, body, forecasting)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               dependencies=[IdempotentWrite])
async def delete_alert(alert_id: AlertId, forecasting: Forecasting) -> Response:
    """Remove one of the caller's alerts."""
    await forecasting.DeleteAlert(pb.DeleteAlertRequest(id=str(alert_id)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/subscribe", status_code=status.HTTP_201_CREATED,
             response_model=AlertSubscriptionPublic, responses=EXISTING,
             dependencies=[IdempotentWrite])
async def subscribe(body: AlertSubscriptionCreate, forecasting: Forecasting,
                    response: Response):
    """Subscribe the caller to an alert type, delivered by email, Slack or in the app, for one
    project or all of them; threshold_value defaults by type (margin_threshold 20 %, risk_score
    7). 201 with the new subscription; the same alert_type, delivery_method and project_id again
    answers 200 with the existing one, unchanged (API.md: "the same triple again answers the
    existing one")."""
    answer = await forecasting.CreateAlertSubscription(to_message(
        pb.CreateAlertSubscriptionRequest, body.model_dump()))
    if not answer.created:
        response.status_code = status.HTTP_200_OK
    return public(answer.subscription)


@router.get("/subscriptions", response_model=AlertSubscriptionList)
async def list_subscriptions(forecasting: Forecasting):
    """The caller's alert subscriptions."""
    found = await forecasting.ListAlertSubscriptions(pb.ListAlertSubscriptionsRequest())
    return AlertSubscriptionList(subscriptions=[public(s) for s in found.subscriptions])


@router.patch("/subscriptions/{id}", response_model=AlertSubscriptionPublic,
              dependencies=[IdempotentWrite])
async def patch_subscription(subscription_id: SubscriptionId, body: AlertSubscriptionUpdate,
                             forecasting: Forecasting):
    """Change one of the caller's subscriptions: threshold_value (null: the type's default),
    enabled, delivery_method; only the fields given change."""
    fields = _changes(body)
    updated = await forecasting.UpdateAlertSubscription(to_message(
        pb.UpdateAlertSubscriptionRequest, {
            "id": subscription_id, **body.model_dump(include=set(fields)),
            "update_mask": fields}))
    return public(updated.subscription)


@router.delete("/subscriptions/{id}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, dependencies=[IdempotentWrite])
async def delete_subscription(subscription_id: SubscriptionId,
                              forecasting: Forecasting) -> Response:
    """Stop one of the caller's subscriptions."""
    await forecasting.DeleteAlertSubscription(pb.DeleteAlertSubscriptionRequest(
        id=str(subscription_id)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
