"""The Jira and Asana imports of main.Parts: their importers on the sync worker (the
connections' sides are adapters/jira_side.py and asana_side.py) and the servicer's projects
stub, for StartImport's check of the project."""

from __future__ import annotations

from labs.projects.v1.projects_service_pb2_grpc import ProjectsServiceStub
from labs_common.auth.delegation import DelegatedTokens
from labs_common.service import Runtime
from labs_integrations.adapters.issue_sources import asana_tasks, jira_issues
from labs_integrations.adapters.labs_tasks import LabsTasks
from labs_integrations.domain.connections import Platform
from labs_integrations.service_layer.import_run import TaskImporter


def add_imports(parts, runtime: Runtime) -> None:
    settings = parts.settings
    projects = ProjectsServiceStub(runtime.channel("projects"))
    tokens = DelegatedTokens(runtime.channel, settings.delegation_secret, actor="integrations")
    importer = TaskImporter(runtime.uow, LabsTasks(tokens, projects, reason="task import"), {
        Platform.JIRA: jira_issues(parts.platforms[Platform.JIRA].api),
        Platform.ASANA: asana_tasks(parts.platforms[Platform.ASANA].api)})
    parts.syncs.add_importer(Platform.JIRA, importer)
    parts.syncs.add_importer(Platform.ASANA, importer)
    parts.collaborators["projects"] = projects
