"""The Linear slice of main.Parts: the webhook inbox (the servicer's `_linear_inbox`) and its
apply worker, the worker that changes issues on Linear, and the reconciler as the Linear syncer
of the sync worker. Linear's side of a connection is adapters/linear_side.py (platform_sides)."""

from __future__ import annotations

from datetime import timedelta

from labs.projects.v1.projects_service_pb2_grpc import ProjectsServiceStub
from labs_common.auth.delegation import DelegatedTokens
from labs_common.service import Runtime
from labs_integrations.adapters.labs_tasks import LabsTasks
from labs_integrations.domain.connections import Platform
from labs_integrations.service_layer.linear_inbox import (
    LINEAR_INBOX_SWEEPER,
    LINEAR_PRUNE_SWEEPER,
    LinearInbox,
)
from labs_integrations.service_layer.linear_issues import LinearIssues
from labs_integrations.service_layer.linear_pushes import LINEAR_PUSHES_SWEEPER, LinearPushWorker
from labs_integrations.service_layer.linear_reconcile import LinearReconciler


def add_linear(parts, runtime: Runtime) -> None:
    settings = parts.settings
    api = parts.platforms[Platform.LINEAR].api
    tokens = DelegatedTokens(runtime.channel, settings.delegation_secret, actor="integrations")
    tasks = LabsTasks(tokens, ProjectsServiceStub(runtime.channel("projects")), reason="linear")
    issues = LinearIssues(runtime.uow, api, tasks)
    inbox = LinearInbox(runtime.uow, parts.vault,
                        settings.linear_webhook_secret.get_secret_value(), issues,
                        wake=lambda: parts.wake(LINEAR_INBOX_SWEEPER))
    pushes = LinearPushWorker(runtime.uow, parts.vault, api, retry_base=timedelta(
        seconds=settings.linear_push_retry_base_seconds))
    parts.collaborators["linear_inbox"] = inbox
    parts._sweep(LINEAR_INBOX_SWEEPER, inbox.apply_due, settings.sweep_seconds)
    parts._sweep(LINEAR_PUSHES_SWEEPER, pushes.run_once, settings.sweep_seconds)
    # Applied deliveries older than a week go (a system scope, in batches).
    parts._sweep(LINEAR_PRUNE_SWEEPER, inbox.prune, settings.prune_every_seconds)
    parts.syncs.add(Platform.LINEAR, LinearReconciler(runtime.uow, api, issues))
