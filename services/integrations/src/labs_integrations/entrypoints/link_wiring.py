"""The links slice of main.Parts: the link refresher (every link's title, thumbnail and last
change read again from its platform), Figma's webhook inbox (the servicer's `_figma_inbox`) and
its apply worker, and the keeper of Figma connections' passcodes and webhooks."""

from __future__ import annotations

from datetime import timedelta

from labs.projects.v1.projects_service_pb2_grpc import ProjectsServiceStub
from labs_common.service import Runtime
from labs_integrations.adapters.github_api import GitHubApi
from labs_integrations.adapters.link_resolvers import link_resolvers
from labs_integrations.domain.connections import Platform
from labs_integrations.service_layer.figma_hooks import FIGMA_HOOKS_SWEEPER, FigmaHookKeeper
from labs_integrations.service_layer.figma_inbox import (
    FIGMA_INBOX_SWEEPER,
    FIGMA_PRUNE_SWEEPER,
    FigmaInbox,
)
from labs_integrations.service_layer.link_refresh import LINK_REFRESH_SWEEPER, LinkRefresher


def add_links(parts, runtime: Runtime) -> None:
    settings = parts.settings
    figma = parts.platforms[Platform.FIGMA].api
    notion = parts.platforms[Platform.NOTION].api
    resolvers = link_resolvers(figma, notion, GitHubApi(settings),
                               parts.platforms[Platform.LINEAR].api)
    refresher = LinkRefresher(runtime.uow, parts.vault, resolvers,
                              timedelta(seconds=settings.link_refresh_seconds),
                              tokens=parts.tokens)
    parts._sweep(LINK_REFRESH_SWEEPER, refresher.run_once, settings.sweep_seconds)
    inbox = FigmaInbox(runtime.uow, wake=lambda: parts.wake(FIGMA_INBOX_SWEEPER),
                       wake_refresh=lambda: parts.wake(LINK_REFRESH_SWEEPER))
    parts.collaborators["figma_inbox"] = inbox
    parts._sweep(FIGMA_INBOX_SWEEPER, inbox.apply_due, settings.sweep_seconds)
    parts._sweep(FIGMA_PRUNE_SWEEPER, inbox.prune, settings.prune_every_seconds)
    keeper = FigmaHookKeeper(runtime.uow, parts.vault, figma, settings.figma_webhook_url,
                             parts.tokens)
    parts._sweep(FIGMA_HOOKS_SWEEPER, keeper.run_once, settings.sweep_seconds)
    # Where a task or project is, asked as the caller (the import slice shares the stub).
    parts.collaborators.setdefault("projects", ProjectsServiceStub(runtime.channel("projects")))
