"""The projects service's unit of work: the platform one plus this service's repositories."""

from __future__ import annotations

from labs_common.db.uow import UnitOfWork
from labs_projects.adapters.activity_repository import SqlAlchemyActivityRepository
from labs_projects.adapters.comment_repository import SqlAlchemyCommentRepository
from labs_projects.adapters.file_repository import SqlAlchemyFileRepository
from labs_projects.adapters.repository import (
    SqlAlchemyClientRepository,
    SqlAlchemyProjectRepository,
)
from labs_projects.adapters.task_repository import (
    SqlAlchemySprintRepository,
    SqlAlchemyTaskRepository,
)


class ProjectsUnitOfWork(UnitOfWork):
    repositories = {
        "clients": SqlAlchemyClientRepository,
        "projects": SqlAlchemyProjectRepository,
        "tasks": SqlAlchemyTaskRepository,
        "sprints": SqlAlchemySprintRepository,
        # The feed reads every tenant's events as they come: it takes no org.
        "activities": lambda session, _org: SqlAlchemyActivityRepository(session),
        "comments": SqlAlchemyCommentRepository,
        "files": SqlAlchemyFileRepository,
    }
