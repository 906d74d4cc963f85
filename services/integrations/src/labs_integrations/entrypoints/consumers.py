"""Durable subscriptions of the integrations service.

The read model first: projects (their repository and Slack channel) and members (their email),
so a webhook or a slash command is matched with a project and a member without asking anyone.
Each slice of the service adds its own subscriptions below (outgoing webhooks hear every event;
GitHub hears task changes; Slack hears what it announces)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2 as identity_events
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.projects.v1 import events_pb2 as project_events
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs_common.events.consumer import Subscription
from labs_common.events.payloads import occurred_at
from labs_common.protobuf import enum_api_name
from labs_integrations.config import Settings
from labs_integrations.domain.read_model import KnownMember, KnownProject, repository_of
from labs_integrations.entrypoints.github_consumers import github_subscriptions
from labs_integrations.entrypoints.linear_consumers import linear_subscriptions
from labs_integrations.entrypoints.link_consumers import link_subscriptions
from labs_integrations.entrypoints.quickbooks_consumers import quickbooks_subscriptions
from labs_integrations.entrypoints.slack_consumers import slack_subscriptions
from labs_integrations.entrypoints.webhook_consumers import (
    DEFAULT_RETRY_SECONDS,
    webhook_subscriptions,
)

CONSUMER = "integrations"

PROJECT_EVENTS = {
    "project.created": project_events.ProjectCreated,
    "project.updated": project_events.ProjectUpdated,
    "project.status_changed": project_events.ProjectStatusChanged,
    "project.archived": project_events.ProjectArchived,
}


def read_model_subscriptions() -> list[Subscription]:
    return [
        *(Subscription(CONSUMER, "projects", kind, on_project) for kind in PROJECT_EVENTS),
        Subscription(CONSUMER, "identity", "member.joined", on_member_joined),
        Subscription(CONSUMER, "identity", "member.role_changed", on_member_role_changed),
        Subscription(CONSUMER, "identity", "member.removed", on_member_removed),
    ]


def subscriptions(wake: Callable[[str], None] = lambda _sweeper: None, *,
                  settings: Settings | None = None) -> list[Subscription]:
    """`wake(sweeper)`: news for a worker of this replica (main.Parts.wake)."""
    retry = settings.webhook_retry_seconds if settings else DEFAULT_RETRY_SECONDS
    return [*read_model_subscriptions(),
            *webhook_subscriptions(wake, retry_seconds=retry),
            *github_subscriptions(wake),
            *slack_subscriptions(wake),
            *quickbooks_subscriptions(wake),
            *linear_subscriptions(wake),
            *link_subscriptions()]


def role_name(value: int) -> str:
    return enum_api_name(identity_pb.Role.DESCRIPTOR, identity_pb.Role.Name(value))


async def on_project(envelope: envelope_pb2.Envelope, uow) -> None:
    event = PROJECT_EVENTS[envelope.type]()
    envelope.payload.Unpack(event)
    project = event.project
    status = enum_api_name(projects_pb.ProjectStatus.DESCRIPTOR,
                           projects_pb.ProjectStatus.Name(project.status))
    await uow.known_projects.heard(KnownProject(
        project_id=uuid.UUID(project.id), org_id=uuid.UUID(envelope.org_id), name=project.name,
        client_id=uuid.UUID(project.client_id) if project.client_id else None, status=status,
        github_repository=repository_of(project.github_repo_url),
        slack_channel_id=project.slack_channel_id or None,
        archived=envelope.type == "project.archived" or status == "archived",
        as_of=occurred_at(envelope)))


async def on_member_joined(envelope: envelope_pb2.Envelope, uow) -> None:
    event = identity_events.MemberJoined()
    envelope.payload.Unpack(event)
    user = event.member.user
    name = " ".join(part for part in (user.first_name, user.last_name) if part) or user.email
    await uow.known_members.heard(KnownMember(
        org_id=uuid.UUID(envelope.org_id), user_id=uuid.UUID(user.id), email=user.email,
        name=name, role=role_name(event.member.role), active=True, as_of=occurred_at(envelope)))


async def on_member_role_changed(envelope: envelope_pb2.Envelope, uow) -> None:
    event = identity_events.MemberRoleChanged()
    envelope.payload.Unpack(event)
    await uow.known_members.role_changed(uuid.UUID(event.user_id), role_name(event.new_role),
                                         occurred_at(envelope))


async def on_member_removed(envelope: envelope_pb2.Envelope, uow) -> None:
    event = identity_events.MemberRemoved()
    envelope.payload.Unpack(event)
    await uow.known_members.left(uuid.UUID(event.user_id), occurred_at(envelope))
