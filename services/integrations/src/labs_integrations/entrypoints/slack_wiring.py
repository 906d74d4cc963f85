"""The Slack slice's part of main.Parts: the slash-command runner (the servicer's
`_slack_commands`), the sender of queued messages and the weekday reminder (sweepers
"slack_messages" and "slack_reminders"). Tests reach them as `parts.slack_commands`,
`parts.slack_sender` and `parts.slack_reminders` (whose `clock` they may set)."""

from __future__ import annotations

from labs.forecasting.v1.forecasting_service_pb2_grpc import ForecastingServiceStub
from labs.projects.v1.projects_service_pb2_grpc import ProjectsServiceStub
from labs.time.v1.time_service_pb2_grpc import TimeServiceStub
from labs_common.auth.delegation import DelegatedTokens
from labs_common.service import Runtime
from labs_integrations.service_layer.slack_commands import SlackCommands
from labs_integrations.service_layer.slack_notifications import SLACK_SENDER
from labs_integrations.service_layer.slack_reminders import REMINDERS_SWEEPER, ReminderWorker
from labs_integrations.service_layer.slack_sender import SlackSender


def add_slack(parts, runtime: Runtime) -> None:
    settings = parts.settings
    tokens = DelegatedTokens(runtime.channel, settings.delegation_secret, actor="integrations")
    parts.slack_commands = SlackCommands(
        runtime.uow, settings, parts.vault, tokens=tokens,
        time_stub=TimeServiceStub(runtime.channel("time")),
        projects_stub=ProjectsServiceStub(runtime.channel("projects")),
        forecasting_stub=ForecastingServiceStub(runtime.channel("forecasting")))
    parts.collaborators["slack_commands"] = parts.slack_commands
    parts.slack_sender = SlackSender(runtime.uow, settings, parts.vault,
                                     retry_base_seconds=settings.slack_retry_base_seconds)
    parts._sweep(SLACK_SENDER, parts.slack_sender.run_once, settings.sweep_seconds)
    parts.slack_reminders = ReminderWorker(runtime.uow, hour=settings.reminder_hour,
                                           wake=lambda: parts.wake(SLACK_SENDER))
    parts._sweep(REMINDERS_SWEEPER, parts.slack_reminders.run_once,
                 settings.slack_reminder_seconds)
