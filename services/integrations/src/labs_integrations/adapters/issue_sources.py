"""Where an import reads its issues: each platform's pages of issues, read as ImportedIssues
(domain/imports.py). A row the platform's API would never send (no id) is skipped."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from labs_integrations.adapters.asana_api import AsanaApi
from labs_integrations.adapters.jira_api import JiraApi
from labs_integrations.domain.imports import ImportedIssue, asana_task, jira_issue

# (the connection's secret, the import's source) → pages of issues.
IssueSource = Callable[[dict[str, Any], str], AsyncIterator[list[ImportedIssue]]]


def jira_issues(api: JiraApi) -> IssueSource:
    async def pages(secret: dict[str, Any], jql: str) -> AsyncIterator[list[ImportedIssue]]:
        async for rows in api.search(secret, jql):
            yield [jira_issue(row) for row in rows if row.get("id")]

    return pages


def asana_tasks(api: AsanaApi) -> IssueSource:
    async def pages(secret: dict[str, Any], project_gid: str
                    ) -> AsyncIterator[list[ImportedIssue]]:
        async for rows in api.project_tasks(secret, project_gid):
            yield [asana_task(row, project_gid) for row in rows if row.get("gid")]

    return pages
