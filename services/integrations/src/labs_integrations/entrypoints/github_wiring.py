"""The GitHub slice of main.Parts: the webhook inbox (the servicer's `_github_inbox`) and its
apply worker, the worker that changes issues on GitHub, and the reconciler as the GitHub syncer
of the sync worker."""

from __future__ import annotations

from datetime import timedelta

from labs.projects.v1.projects_service_pb2_grpc import ProjectsServiceStub
from labs_common.auth.delegation import DelegatedTokens
from labs_common.service import Runtime
from labs_integrations.adapters.github_api import GitHubApi
from labs_integrations.adapters.labs_tasks import LabsTasks
from labs_integrations.domain.connections import Platform
from labs_integrations.service_layer.github_inbox import (
    GITHUB_INBOX_SWEEPER,
    GITHUB_PRUNE_SWEEPER,
    GitHubInbox,
)
from labs_integrations.service_layer.github_pushes import GITHUB_PUSHES_SWEEPER, GitHubPushWorker


def add_github(parts, runtime: Runtime) -> None:
    settings = parts.settings
    api = GitHubApi(settings)
    tokens = DelegatedTokens(runtime.channel, settings.delegation_secret, actor="integrations")
    tasks = LabsTasks(tokens, ProjectsServiceStub(runtime.channel("projects")))
    inbox = GitHubInbox(runtime.uow, parts.vault, settings.github_webhook_secret.get_secret_value(),
                        api, tasks, wake=lambda: parts.wake(GITHUB_INBOX_SWEEPER))
    pushes = GitHubPushWorker(runtime.uow, parts.vault, api, retry_base=timedelta(
        seconds=settings.github_push_retry_base_seconds))
    parts.github_inbox = inbox
    parts.github_pushes = pushes
    parts.collaborators["github_inbox"] = inbox
    parts._sweep(GITHUB_INBOX_SWEEPER, inbox.apply_due, settings.sweep_seconds)
    parts._sweep(GITHUB_PUSHES_SWEEPER, pushes.run_once, settings.sweep_seconds)
    # Applied deliveries older than a week go (a system scope, in batches): payloads are large.
    parts._sweep(GITHUB_PRUNE_SWEEPER, inbox.prune, settings.prune_every_seconds)
    parts.syncs.add(Platform.GITHUB, inbox.reconcile)
