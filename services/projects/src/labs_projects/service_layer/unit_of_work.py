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
    def _start(self) -> None:
        self.clients = SqlAlchemyClientRepository(self.session)
        self.projects = SqlAlchemyProjectRepository(self.session)
        self.tasks = SqlAlchemyTaskRepository(self.session)
        self.sprints = SqlAlchemySprintRepository(self.session)
        self.activities = SqlAlchemyActivityRepository(self.session)
        self.comments = SqlAlchemyCommentRepository(self.session)
        self.files = SqlAlchemyFileRepository(self.session)
