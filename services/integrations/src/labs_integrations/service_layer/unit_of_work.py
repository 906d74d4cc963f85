"""Integrations' unit of work: the platform one plus integrations' repositories, each bound to the
scope's org. Each slice of the service (connections, outgoing webhooks, GitHub, Slack) names its
repositories here."""

from __future__ import annotations

from collections.abc import Callable

from labs_common.db.uow import Scope, UnitOfWork
from labs_integrations.adapters.connections_repository import (
    SqlAlchemyConnectionRepository,
    SqlAlchemyOAuthStateRepository,
    SqlAlchemySyncLogRepository,
)
from labs_integrations.adapters.github_repository import (
    SqlAlchemyGitHubCursors,
    SqlAlchemyGitHubDeliveries,
    SqlAlchemyGitHubIssueLinks,
    SqlAlchemyGitHubIssuePushes,
)
from labs_integrations.adapters.harvest_repository import (
    SqlAlchemyHarvestCursors,
    SqlAlchemyHarvestProjects,
)
from labs_integrations.adapters.import_repository import (
    SqlAlchemyImportedTasks,
    SqlAlchemyTaskImports,
)
from labs_integrations.adapters.linear_repository import (
    SqlAlchemyLinearCursors,
    SqlAlchemyLinearDeliveries,
    SqlAlchemyLinearIssueLinks,
    SqlAlchemyLinearIssuePushes,
)
from labs_integrations.adapters.link_repository import (
    SqlAlchemyFigmaDeliveries,
    SqlAlchemyFigmaHooks,
    SqlAlchemyLinks,
)
from labs_integrations.adapters.quickbooks_repository import (
    SqlAlchemyQuickBooksCompanies,
    SqlAlchemyQuickBooksLinks,
    SqlAlchemyQuickBooksPayments,
    SqlAlchemyQuickBooksPushes,
)
from labs_integrations.adapters.read_model import SqlAlchemyKnownMembers, SqlAlchemyKnownProjects
from labs_integrations.adapters.slack_repository import (
    SqlAlchemyKnownOrgs,
    SqlAlchemyLoggedEntries,
    SqlAlchemySlackMessages,
    SqlAlchemySlackReminders,
    SqlAlchemySlackUsers,
)
from labs_integrations.adapters.webhooks_repository import (
    SqlAlchemyWebhookDeliveries,
    SqlAlchemyWebhookEndpoints,
)


class IntegrationsUnitOfWork(UnitOfWork):
    repositories = {
        "known_projects": SqlAlchemyKnownProjects,
        "known_members": SqlAlchemyKnownMembers,
        "webhook_endpoints": SqlAlchemyWebhookEndpoints,
        "webhook_deliveries": SqlAlchemyWebhookDeliveries,
        "connections": SqlAlchemyConnectionRepository,
        "oauth_states": SqlAlchemyOAuthStateRepository,
        "sync_logs": SqlAlchemySyncLogRepository,
        "github_deliveries": SqlAlchemyGitHubDeliveries,
        "github_issue_links": SqlAlchemyGitHubIssueLinks,
        "github_issue_pushes": SqlAlchemyGitHubIssuePushes,
        "github_cursors": SqlAlchemyGitHubCursors,
        "slack_users": SqlAlchemySlackUsers,
        "slack_messages": SqlAlchemySlackMessages,
        "slack_reminders": SqlAlchemySlackReminders,
        "logged_entries": SqlAlchemyLoggedEntries,
        "known_orgs": SqlAlchemyKnownOrgs,
        "harvest_projects": SqlAlchemyHarvestProjects,
        "harvest_cursors": SqlAlchemyHarvestCursors,
        "quickbooks_pushes": SqlAlchemyQuickBooksPushes,
        "quickbooks_companies": SqlAlchemyQuickBooksCompanies,
        "quickbooks_links": SqlAlchemyQuickBooksLinks,
        "quickbooks_payments": SqlAlchemyQuickBooksPayments,
        "task_imports": SqlAlchemyTaskImports,
        "imported_tasks": SqlAlchemyImportedTasks,
        # Linear
        "linear_deliveries": SqlAlchemyLinearDeliveries,
        "linear_issue_links": SqlAlchemyLinearIssueLinks,
        "linear_issue_pushes": SqlAlchemyLinearIssuePushes,
        "linear_cursors": SqlAlchemyLinearCursors,
        # Links (Figma, Notion, GitHub, Linear) and Figma's webhooks
        "links": SqlAlchemyLinks,
        "figma_hooks": SqlAlchemyFigmaHooks,
        "figma_deliveries": SqlAlchemyFigmaDeliveries,
    }


UowFactory = Callable[[Scope], IntegrationsUnitOfWork]
