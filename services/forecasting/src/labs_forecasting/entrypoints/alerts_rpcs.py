"""The alert RPCs of labs.forecasting.v1.ForecastingService (ListAlerts, UpdateAlert,
DeleteAlert and the subscriptions' CRUD), mixed into the servicer (main.py): each maps its
request to a command of service_layer/alerts.py and runs it in one transaction as the caller.
Every user reads and changes only their own alerts and subscriptions: anyone else's answer
NOT_FOUND like absent ones."""

from __future__ import annotations

from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs_common.errors import FieldErrors, InvalidArgument
from labs_common.field_masks import refuse_unsettable
from labs_common.pagination import after_creation, next_page_token, page_size
from labs_common.parsing import object_id, optional_uuid
from labs_forecasting.service_layer import alerts


def _alert_type(value: int, *, required: bool = True) -> str | None:
    if value == pb.ALERT_TYPE_UNSPECIFIED and not required:
        return None
    if value not in alerts.ALERT_TYPE:
        raise InvalidArgument.on("alert_type", "must be margin_threshold, over_allocation, "
                                               "risk_score, budget_burn or invoice_overdue")
    return alerts.ALERT_TYPE[value]


def _delivery(value: int) -> str:
    if value not in alerts.DELIVERY:
        raise InvalidArgument.on("delivery_method", "must be email, slack or in_app")
    return alerts.DELIVERY[value]


class AlertRpcs:
    """Needs `_handle` (labs_common.grpc.transactions.TransactionalRpcs)."""

    async def CreateAlertSubscription(self, request, context
                                      ) -> pb.CreateAlertSubscriptionResponse:
        problems = FieldErrors()
        alert_type = problems.check(lambda: _alert_type(request.alert_type))
        delivery = problems.check(lambda: _delivery(request.delivery_method))
        threshold = problems.check(lambda: alerts.parse_threshold(request.threshold_value))
        project_id = problems.check(lambda: optional_uuid(request.project_id, "project_id"))
        problems.raise_any()
        command = alerts.CreateAlertSubscription(alert_type, delivery, threshold, project_id)
        return await self._handle(  # type: ignore[attr-defined]
            context, request, alerts.create_subscription, command,
            lambda found: pb.CreateAlertSubscriptionResponse(
                subscription=alerts.subscription_proto(found[0]), created=found[1]))

    async def ListAlertSubscriptions(self, request, context
                                     ) -> pb.ListAlertSubscriptionsResponse:
        return await self._handle(  # type: ignore[attr-defined]
            context, request, alerts.list_subscriptions, alerts.ListAlertSubscriptions(),
            subscriptions=lambda found: [alerts.subscription_proto(s) for s in found])

    async def UpdateAlertSubscription(self, request, context
                                      ) -> pb.UpdateAlertSubscriptionResponse:
        subscription_id = object_id(request.id, "alert subscription")
        mask = set(request.update_mask.paths) or {"threshold_value", "enabled"}
        refuse_unsettable(mask, {"threshold_value", "enabled", "delivery_method"})
        problems = FieldErrors()
        threshold = (problems.check(lambda: alerts.parse_threshold(request.threshold_value))
                     if "threshold_value" in mask else None)
        delivery = (problems.check(lambda: _delivery(request.delivery_method))
                    if "delivery_method" in mask else None)
        problems.raise_any()
        command = alerts.UpdateAlertSubscription(
            subscription_id, threshold_value=threshold, set_threshold="threshold_value" in mask,
            enabled=request.enabled if "enabled" in mask else None, delivery_method=delivery)
        return await self._handle(  # type: ignore[attr-defined]
            context, request, alerts.update_subscription, command,
            subscription=alerts.subscription_proto)

    async def DeleteAlertSubscription(self, request, context
                                      ) -> pb.DeleteAlertSubscriptionResponse:
        command = alerts.DeleteAlertSubscription(object_id(request.id, "alert subscription"))
        return await self._handle(  # type: ignore[attr-defined]
            context, request, alerts.delete_subscription, command)

    async def ListAlerts(self, request, context) -> pb.ListAlertsResponse:
        problems = FieldErrors()
        alert_type = problems.check(lambda: _alert_type(request.type, required=False))
        limit = problems.check(lambda: page_size(request.page_size))
        after = problems.check(lambda: after_creation(request.page_token))
        project_id = problems.check(lambda: optional_uuid(request.project_id, "project_id"))
        problems.raise_any()
        severity = alerts.SEVERITY.get(request.severity)
        command = alerts.ListAlerts(
            limit=limit, after=after, type=alert_type,
            unread=request.unread if request.HasField("unread") else None,
            severity=severity, project_id=project_id)

        def respond(found) -> pb.ListAlertsResponse:
            rows, unread_count = found
            return pb.ListAlertsResponse(
                alerts=[alerts.alert_proto(a) for a in rows[:limit]],
                unread_count=unread_count, next_page_token=next_page_token(rows, limit))

        return await self._handle(  # type: ignore[attr-defined]
            context, request, alerts.list_alerts, command, respond)

    async def UpdateAlert(self, request, context) -> pb.UpdateAlertResponse:
        alert_id = object_id(request.id, "alert")
        mask = set(request.update_mask.paths)
        refuse_unsettable(mask, {"is_read", "action_taken"})
        if mask:
            command = alerts.UpdateAlert(
                alert_id, is_read=request.is_read if "is_read" in mask else None,
                action_taken=request.action_taken if "action_taken" in mask else None)
        else:
            command = alerts.UpdateAlert(alert_id, is_read=request.is_read,
                                         action_taken=request.action_taken or None)
        return await self._handle(  # type: ignore[attr-defined]
            context, request, alerts.update_alert, command, alert=alerts.alert_proto)

    async def DeleteAlert(self, request, context) -> pb.DeleteAlertResponse:
        command = alerts.DeleteAlert(object_id(request.id, "alert"))
        return await self._handle(  # type: ignore[attr-defined]
            context, request, alerts.delete_alert, command)
