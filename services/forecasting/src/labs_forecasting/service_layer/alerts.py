"""Alerts: each user's subscriptions, the alerts raised for them, and the rules evaluated on the
event that changes their input (the projection calls `margin_changed` when a margin is worked
out again; the consumers call `over_allocation_heard` and `invoice_heard`; `forecast_changed`
is for the forecast engine).

A rule judges each subject (a project, a resource-week, an invoice) per subscription; the state
it last judged is kept in `alert_states` under a row lock, so an alert is raised once per
(subscription, subject, state) — one more hour logged raises nothing new — and a cleared state
resets (domain/alert_rules.py). A raised alert is written for the subscription's user and
delivered by the subscription's method: in_app → `alert.raised` in the outbox (the gateway
pushes `alert:new` to that user only); email → `alert.mail_requested` in the outbox, sent by
forecasting's own mailer consumer (`send_alert_mail`), redelivered while SMTP is down; slack →
`alert.slack_requested`, which the integrations service sends as a direct message to the user
in the org's connected Slack workspace (nothing, while none is connected). Each channel honours
the member's `notification_preferences` (identity does not announce profile changes yet, so
every member's are `{}`: every channel on).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import structlog
from google.protobuf import struct_pb2

from labs.events.v1 import envelope_pb2
from labs.forecasting.v1 import events_pb2
from labs.forecasting.v1 import forecasting_service_pb2 as pb
from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role, staff_role
from labs_common.commands import Command
from labs_common.errors import AlreadyExists, InvalidArgument, NotFound, PermissionDenied
from labs_common.protobuf import timestamp
from labs_forecasting.domain import alert_rules as rules
from labs_forecasting.domain.alert_rules import Alert, AlertSubscription, Judgement, Member
from labs_forecasting.domain.model import Margin, Organization, Project
from labs_forecasting.service_layer import access
from labs_forecasting.service_layer.unit_of_work import ForecastingUnitOfWork

log = structlog.get_logger("labs.forecasting.alerts")

Uow = ForecastingUnitOfWork
ALERT_RAISED = "alert.raised"
MAIL_REQUESTED = "alert.mail_requested"
SLACK_REQUESTED = "alert.slack_requested"
FORECAST_SUBJECT = uuid.UUID("6d1f7d2e-4c3b-4a55-9a37-0f6b3c1e6a01")
WEEK_SUBJECT = uuid.UUID("b0a9c6f4-2f1e-4f3c-8a1d-5a7e9d3c2b10")

ALERT_TYPE = {pb.ALERT_TYPE_MARGIN_THRESHOLD: rules.MARGIN_THRESHOLD,
              pb.ALERT_TYPE_OVER_ALLOCATION: rules.OVER_ALLOCATION,
              pb.ALERT_TYPE_RISK_SCORE: rules.RISK_SCORE,
              pb.ALERT_TYPE_BUDGET_BURN: rules.BUDGET_BURN,
              pb.ALERT_TYPE_INVOICE_OVERDUE: rules.INVOICE_OVERDUE}
ALERT_TYPE_PB = {v: k for k, v in ALERT_TYPE.items()}
DELIVERY = {pb.DELIVERY_METHOD_EMAIL: rules.EMAIL, pb.DELIVERY_METHOD_SLACK: rules.SLACK,
            pb.DELIVERY_METHOD_IN_APP: rules.IN_APP}
DELIVERY_PB = {v: k for k, v in DELIVERY.items()}
SEVERITY = {pb.SEVERITY_CRITICAL: rules.CRITICAL, pb.SEVERITY_WARNING: rules.WARNING,
            pb.SEVERITY_INFO: rules.INFO}
SEVERITY_PB = {v: k for k, v in SEVERITY.items()}


# --- commands ---------------------------------------------------------------------------------

class CreateAlertSubscription(Command):
    alert_type: str
    delivery_method: str
    threshold_value: Decimal | None = None
    project_id: uuid.UUID | None = None


class ListAlertSubscriptions(Command):
    pass


class UpdateAlertSubscription(Command):
    id: uuid.UUID
    threshold_value: Decimal | None = None
    set_threshold: bool = False
    enabled: bool | None = None
    delivery_method: str | None = None


class DeleteAlertSubscription(Command):
    id: uuid.UUID


class ListAlerts(Command):
    limit: int
    after: tuple[datetime, uuid.UUID] | None = None
    type: str | None = None
    unread: bool | None = None
    severity: str | None = None
    project_id: uuid.UUID | None = None


class UpdateAlert(Command):
    id: uuid.UUID
    is_read: bool | None = None
    action_taken: str | None = None


class DeleteAlert(Command):
    id: uuid.UUID


# --- who may subscribe ------------------------------------------------------------------------

def require_may_subscribe(principal: Principal, org: Organization, alert_type: str) -> None:
    """Any staff member; the money rules (margin, budget, risk, invoices) need financials."""
    if principal.role is Role.CLIENT:
        raise PermissionDenied("Alerts are for the organization's staff.",
                               reason="ROLE_TOO_LOW", metadata={"required_role": "viewer"})
    if alert_type in rules.FINANCIAL_TYPES:
        access.require_financials(principal, org)


def may_receive(member: Member | None, org: Organization, alert_type: str) -> bool:
    """Whether the subscriber may still hear of it: an inactive member or one whose role has
    fallen below what the rule needs hears nothing (a member forecasting has not heard of yet is
    judged by the role it subscribed with)."""
    if member is None:
        return True
    role = staff_role(member.role, member.active)
    if role is None:
        return False
    if alert_type in rules.FINANCIAL_TYPES:
        return role.at_least(access.financials_from(org))
    return True


def check_threshold(alert_type: str, value: Decimal | None) -> None:
    if value is None:
        return
    if not value.is_finite():
        raise InvalidArgument.on("threshold_value", "must be a number")
    if alert_type in (rules.OVER_ALLOCATION, rules.INVOICE_OVERDUE):
        raise InvalidArgument.on("threshold_value", f"{alert_type} takes no threshold")
    if alert_type == rules.RISK_SCORE and not Decimal(1) <= value <= Decimal(10):
        raise InvalidArgument.on("threshold_value", "a risk score is from 1 to 10")
    if alert_type == rules.BUDGET_BURN and not Decimal(0) < value <= Decimal(1000):
        raise InvalidArgument.on("threshold_value", "must be a percent above 0, at most 1000")
    if alert_type == rules.MARGIN_THRESHOLD and not Decimal(-1000) <= value <= Decimal(100):
        raise InvalidArgument.on("threshold_value", "must be a percent from -1000 to 100")


def parse_threshold(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise InvalidArgument.on("threshold_value", "must be a number") from error


# --- subscriptions ----------------------------------------------------------------------------

async def create_subscription(command: CreateAlertSubscription, uow: Uow
                              ) -> tuple[AlertSubscription, bool]:
    org = await uow.organizations.get()
    require_may_subscribe(uow.caller, org, command.alert_type)
    check_threshold(command.alert_type, command.threshold_value)
    threshold = rules.threshold_of(command.alert_type, command.threshold_value)
    return await uow.subscriptions.add_if_absent(AlertSubscription(
        id=uuid.uuid4(), org_id=uow.scope.org_id, user_id=uow.caller.user_id,
        alert_type=command.alert_type, delivery_method=command.delivery_method,
        threshold_value=threshold, project_id=command.project_id, enabled=True))


async def list_subscriptions(command: ListAlertSubscriptions, uow: Uow
                             ) -> list[AlertSubscription]:
    if uow.caller.role is Role.CLIENT:
        return []
    return await uow.subscriptions.of_user(uow.caller.user_id)


async def _own_subscription(uow: Uow, subscription_id: uuid.UUID) -> AlertSubscription:
    found = await uow.subscriptions.get_own(subscription_id, uow.caller.user_id)
    if found is None:
        raise NotFound("No such alert subscription.", reason="SUBSCRIPTION_NOT_FOUND")
    return found


async def update_subscription(command: UpdateAlertSubscription, uow: Uow) -> AlertSubscription:
    current = await _own_subscription(uow, command.id)
    org = await uow.organizations.get()
    require_may_subscribe(uow.caller, org, current.alert_type)
    values: dict[str, Any] = {}
    if command.set_threshold:
        check_threshold(current.alert_type, command.threshold_value)
        values["threshold_value"] = rules.threshold_of(current.alert_type,
                                                       command.threshold_value)
    if command.enabled is not None:
        values["enabled"] = command.enabled
    if command.delivery_method is not None and command.delivery_method != \
            current.delivery_method:
        mine = await uow.subscriptions.of_user(uow.caller.user_id)
        if any(s.alert_type == current.alert_type and s.project_id == current.project_id
               and s.delivery_method == command.delivery_method for s in mine):
            raise AlreadyExists("You already have this subscription by that delivery method.",
                                reason="SUBSCRIPTION_EXISTS")
        values["delivery_method"] = command.delivery_method
    if not values:
        return current
    return await uow.subscriptions.set(current.id, **values)


async def delete_subscription(command: DeleteAlertSubscription, uow: Uow) -> None:
    current = await _own_subscription(uow, command.id)
    await uow.subscriptions.delete(current.id)


# --- alerts -----------------------------------------------------------------------------------

async def list_alerts(command: ListAlerts, uow: Uow) -> tuple[list[Alert], int]:
    """The caller's alerts, newest first (limit + 1 of them), and how many are unread."""
    user_id = uow.caller.user_id
    found = await uow.alerts.page(user_id, limit=command.limit, after=command.after,
                                  type=command.type, unread=command.unread,
                                  severity=command.severity, project_id=command.project_id)
    return found, await uow.alerts.unread_count(user_id)


async def _own_alert(uow: Uow, alert_id: uuid.UUID) -> Alert:
    found = await uow.alerts.get_own(alert_id, uow.caller.user_id)
    if found is None:
        raise NotFound("No such alert.", reason="ALERT_NOT_FOUND")
    return found


async def update_alert(command: UpdateAlert, uow: Uow) -> Alert:
    current = await _own_alert(uow, command.id)
    values: dict[str, Any] = {}
    if command.is_read is not None:
        values["is_read"] = command.is_read
    if command.action_taken is not None:
        if len(command.action_taken) > 2000:
            raise InvalidArgument.on("action_taken", "at most 2000 characters")
        values["action_taken"] = command.action_taken
    if not values:
        return current
    return await uow.alerts.set(current.id, **values)


async def delete_alert(command: DeleteAlert, uow: Uow) -> None:
    current = await _own_alert(uow, command.id)
    await uow.alerts.delete(current.id)


# --- members (identity's events) --------------------------------------------------------------

async def member_heard(uow: Uow, user_id: uuid.UUID, as_of: datetime, **values: Any) -> None:
    """A member joined, changed role or left; what the event does not say is kept."""
    row = await uow.members.row(user_id)
    kept = {name: getattr(row, name) for name in ("email", "name", "role", "active",
                                                  "preferences")} if row is not None else {
        "email": "", "name": "", "role": "viewer", "active": True, "preferences": {}}
    await uow.members.put_newer(user_id, as_of, **(kept | values))


# --- rules, on the events that change their input ---------------------------------------------

async def margin_changed(uow: Uow, project: Project, margin: Margin) -> None:
    """A project's margin was worked out again: margin_threshold and budget_burn."""
    name = project.name or "The project"
    subscribed = await uow.subscriptions.enabled_for(
        (rules.MARGIN_THRESHOLD, rules.BUDGET_BURN), [project.id])
    if not subscribed:
        return
    org = await uow.organizations.get()
    raised: dict = {}
    for sub in subscribed:
        judgement = (rules.judge_margin(margin.margin_percent, sub.threshold_value,
                                        project_name=name)
                     if sub.alert_type == rules.MARGIN_THRESHOLD else
                     rules.judge_budget(margin.budget_used_percent, sub.threshold_value,
                                        project_name=name))
        await _judge(uow, sub, project.id, judgement, org, raised, project_id=project.id)


async def forecast_changed(uow: Uow, project_id: uuid.UUID, *, risk_score: Decimal | int | None,
                           forecast_margin: Decimal | None = None) -> None:
    """A project's forecast changed (the forecast engine calls this): risk_score. A forecast
    margin below the threshold is not an alert of its own: it weighs in the risk score (its
    forecast_low factor), so the subscriber of margin_threshold hears of the margin itself once,
    not once more for each refreshed forecast."""
    subscribed = await uow.subscriptions.enabled_for((rules.RISK_SCORE,), [project_id])
    if not subscribed:
        return
    org = await uow.organizations.get()
    raised: dict = {}
    project = await uow.projects.get(project_id)
    name = project.name if project is not None else "The project"
    for sub in subscribed:
        await _judge(uow, sub, project_id, rules.judge_risk(
            risk_score, sub.threshold_value, project_name=name), org, raised,
            project_id=project_id)


async def over_allocation_heard(uow: Uow, resource_id: uuid.UUID, week_start: str, *,
                                over: bool, name: str, allocated_hours: str,
                                available_hours: str) -> None:
    """capacity's resource.over_allocated / resource.over_allocation_resolved, per
    resource-week. A subscription of one project hears of the people allocated to it."""
    projects = await uow.subscriptions.projects_of_resource(resource_id)
    subject = uuid.uuid5(WEEK_SUBJECT, f"{resource_id}/{week_start}")
    judgement = rules.judge_over_allocation(
        over, name=name or "A person", week_start=week_start,
        allocated_hours=allocated_hours, available_hours=available_hours)
    subscribed = await uow.subscriptions.enabled_for((rules.OVER_ALLOCATION,), projects)
    if not subscribed:
        return
    org = await uow.organizations.get()
    raised: dict = {}
    for sub in subscribed:
        await _judge(uow, sub, subject, judgement, org, raised, resource_id=resource_id)


async def invoice_heard(uow: Uow, invoice_id: uuid.UUID, project_id: uuid.UUID | None, *,
                        status: str, number: str = "", amount_due: str = "",
                        currency: str = "", due_date: str = "") -> None:
    """An invoice's status moved: overdue raises invoice_overdue, anything else clears it."""
    judgement = rules.judge_invoice(status == "overdue", number=number, amount_due=amount_due,
                                    currency=currency, due_date=due_date)
    projects = [project_id] if project_id is not None else []
    subscribed = await uow.subscriptions.enabled_for((rules.INVOICE_OVERDUE,), projects)
    if not subscribed:
        return
    org = await uow.organizations.get()
    raised: dict = {}
    for sub in subscribed:
        await _judge(uow, sub, invoice_id, judgement, org, raised, project_id=project_id,
                     invoice_id=invoice_id)


async def _judge(uow: Uow, sub: AlertSubscription, subject_id: uuid.UUID, now: Judgement,
                 org: Organization, raised: dict | None = None,
                 **about: uuid.UUID | None) -> Alert | None:
    member = await uow.members.get(sub.user_id)
    if not may_receive(member, org, sub.alert_type):
        return None
    previous = await uow.alert_states.lock(sub.id, subject_id)
    step = rules.transition(previous, now, alert_type=sub.alert_type)
    if step.store is not None:
        await uow.alert_states.put(sub.id, subject_id, step.store)
    if not step.raise_alert:
        return None
    return await _deliver(uow, sub, member, now, subject_id, raised, **about)


async def _deliver(uow: Uow, sub: AlertSubscription, member: Member | None, now: Judgement,
                   subject_id: uuid.UUID, raised: dict | None = None,
                   **about: uuid.UUID | None) -> Alert:
    """One alert in the user's inbox per rule, subject and state, however many of their
    subscriptions (in-app and email, the org's and the project's) asked for it; each of those
    subscriptions still delivers it by its own method."""
    key = (sub.user_id, sub.alert_type, subject_id, now.state)
    alert = raised.get(key) if raised is not None else None
    if alert is None:
        alert = await uow.alerts.add(Alert(
            id=uuid.uuid4(), org_id=sub.org_id, user_id=sub.user_id, type=sub.alert_type,
            severity=now.severity, message=now.message,
            data={**now.data, "state": now.state}, **about))
        if raised is not None:
            raised[key] = alert
    preferences = member.preferences if member is not None else {}
    if not rules.channel_on(preferences, sub.alert_type, sub.delivery_method):
        log.info("alert.channel_off", alert_id=str(alert.id), channel=sub.delivery_method)
        return alert
    event = events_pb2.AlertRaised(alert=alert_proto(alert), user_id=str(sub.user_id))
    kind = {rules.IN_APP: ALERT_RAISED, rules.SLACK: SLACK_REQUESTED}.get(
        sub.delivery_method, MAIL_REQUESTED)
    await uow.outbox.add(kind, event, project_id=alert.project_id)
    return alert


# --- the mailer (forecasting's outbox consumer of alert.mail_requested) -----------------------

async def send_alert_mail(envelope: envelope_pb2.Envelope, uow: Uow, mailer: Any) -> None:
    """Sends the alert's email to its user, as the alert reads now (a deleted alert or a member
    who left gets none); raising (SMTP down) has the event redelivered, so it is never lost."""
    from labs_forecasting.adapters import mail

    event = events_pb2.AlertRaised()
    if not envelope.payload.Unpack(event):
        return
    user_id = uuid.UUID(event.user_id)
    alert = await uow.alerts.get_own(uuid.UUID(event.alert.id), user_id)
    if alert is None:
        log.info("alert.mail_alert_gone", event_id=envelope.id)
        return
    member = await uow.members.get(user_id)
    if member is None or not member.active or not member.email:
        log.warning("alert.mail_no_address", event_id=envelope.id, user_id=str(user_id))
        return
    if not rules.channel_on(member.preferences, alert.type, rules.EMAIL):
        return
    project = await uow.projects.get(alert.project_id) if alert.project_id else None
    await mailer.send(mail.alert_message(alert, member, envelope.id,
                                         project.name if project is not None else None))


# --- protobuf ---------------------------------------------------------------------------------

def _text(value: Any) -> str:
    return "" if value is None else str(value)


def alert_proto(alert: Alert) -> pb.Alert:
    data = struct_pb2.Struct()
    data.update({k: v for k, v in (alert.data or {}).items()})
    message = pb.Alert(
        id=str(alert.id), type=ALERT_TYPE_PB.get(alert.type, pb.ALERT_TYPE_UNSPECIFIED),
        severity=SEVERITY_PB.get(alert.severity, pb.SEVERITY_UNSPECIFIED),
        message=alert.message, project_id=_text(alert.project_id),
        resource_id=_text(alert.resource_id), invoice_id=_text(alert.invoice_id), data=data,
        is_read=alert.is_read, action_taken=alert.action_taken or "",
        user_id=_text(alert.user_id))
    if alert.created_at is not None:
        message.created_at.CopyFrom(timestamp(alert.created_at))
    return message


def subscription_proto(sub: AlertSubscription) -> pb.AlertSubscription:
    message = pb.AlertSubscription(
        id=str(sub.id), alert_type=ALERT_TYPE_PB.get(sub.alert_type, pb.ALERT_TYPE_UNSPECIFIED),
        delivery_method=DELIVERY_PB.get(sub.delivery_method, pb.DELIVERY_METHOD_UNSPECIFIED),
        threshold_value=(f"{sub.threshold_value.normalize():f}"
                         if isinstance(sub.threshold_value, Decimal)
                         else _text(sub.threshold_value)),
        project_id=_text(sub.project_id), enabled=sub.enabled, user_id=_text(sub.user_id))
    if sub.created_at is not None:
        message.created_at.CopyFrom(timestamp(sub.created_at))
    return message
