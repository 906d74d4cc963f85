"""SQLAlchemy repositories of tasks (with their board positions) and sprints (with points
computed from their tasks in the same query, so they are never stale)."""

from __future__ import annotations

import dataclasses
import uuid

from sqlalchemy import Text, and_, bindparam, delete, func, insert, select, text, true, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Row

from labs_common.db.repository import OrgScopedRepository
from labs_projects.adapters.orm import sprints, tasks
from labs_projects.domain.model import (
    TASK_COLUMNS,
    Priority,
    Sprint,
    SprintStatus,
    Task,
    TaskStatus,
    TaskType,
)

_TASK_FIELDS = [
    f.name for f in dataclasses.fields(Task) if f.name not in ("id", "org_id", "created_at",
                                                                "updated_at")
]
_TASK_COLUMNS = [c for c in tasks.c if c.name != "search"]
# The board's column order as a SQL expression (1 = backlog ... 6 = cancelled).
COLUMN_RANK = func.array_position(
    postgresql.array([s.value for s in TASK_COLUMNS], type_=Text), tasks.c.status
)
TaskPosition = tuple[int, int, uuid.UUID]


def _task_values(task: Task) -> dict:
    values = {name: getattr(task, name) for name in _TASK_FIELDS}
    for name in ("status", "priority", "type"):
        values[name] = values[name].value
    return values


def _task(row: Row) -> Task:
    values = {name: getattr(row, name) for name in _TASK_FIELDS}
    values["status"] = TaskStatus(values["status"])
    values["priority"] = Priority(values["priority"])
    values["type"] = TaskType(values["type"])
    return Task(id=row.id, org_id=row.org_id, created_at=row.created_at,
                updated_at=row.updated_at, **values)


class SqlAlchemyTaskRepository(OrgScopedRepository):
    async def lock_board(self, project_id: uuid.UUID) -> None:
        """Serializes every change of positions in one project until the transaction ends, so
        concurrent moves see each other's result and columns stay dense (0..n-1)."""
        await self._session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"board:{project_id}"},
        )

    async def column_size(self, project_id: uuid.UUID, status: TaskStatus,
                          without: uuid.UUID | None = None) -> int:
        query = select(func.count()).where(tasks.c.project_id == project_id,
                                           tasks.c.status == status.value)
        if without is not None:
            query = query.where(tasks.c.id != without)
        return (await self._session.execute(query)).scalar_one()

    async def make_room(self, project_id: uuid.UUID, status: TaskStatus, position: int,
                        without: uuid.UUID | None = None) -> None:
        """Shift the tasks at `position` and after one place down the column."""
        query = update(tasks).where(
            tasks.c.project_id == project_id, tasks.c.status == status.value,
            tasks.c.position >= position,
        )
        if without is not None:
            query = query.where(tasks.c.id != without)
        await self._session.execute(query.values(position=tasks.c.position + 1))

    async def place(self, project_id: uuid.UUID, status: TaskStatus, task_id: uuid.UUID,
                    target: int) -> None:
        """Put `task_id` (already in column `status`) at index `target` of that column and number
        the column 0..n-1 around it."""
        others = list((await self._session.execute(
            select(tasks.c.id).where(tasks.c.project_id == project_id,
                                     tasks.c.status == status.value, tasks.c.id != task_id)
            .order_by(tasks.c.position, tasks.c.id)
        )).scalars())
        others.insert(target, task_id)
        await self._session.execute(
            update(tasks).where(tasks.c.id == bindparam("task_id"))
            .values(position=bindparam("new_position")),
            [{"task_id": tid, "new_position": index} for index, tid in enumerate(others)],
        )

    async def renumber(self, project_id: uuid.UUID) -> None:
        """Close the gaps a move or delete left: each column becomes 0..n-1 in its order."""
        ranked = (
            select(tasks.c.id,
                   (func.row_number().over(partition_by=tasks.c.status,
                                           order_by=(tasks.c.position, tasks.c.id)) - 1)
                   .label("rank"))
            .where(tasks.c.project_id == project_id)
            .subquery()
        )
        await self._session.execute(
            update(tasks)
            .where(tasks.c.id == ranked.c.id, tasks.c.position != ranked.c.rank)
            .values(position=ranked.c.rank)
        )

    async def add(self, task: Task) -> Task:
        row = (await self._session.execute(
            insert(tasks).values(id=task.id, org_id=task.org_id, updated_at=func.clock_timestamp(),
                                 **_task_values(task)).returning(*_TASK_COLUMNS)
        )).one()
        return _task(row)

    async def get(self, task_id: uuid.UUID, *,
                  for_update: bool = False) -> Task | None:
        query = select(*_TASK_COLUMNS).where(tasks.c.org_id == self._org_id, tasks.c.id == task_id)
        row = (await self._session.execute(
            query.with_for_update() if for_update else query)).first()
        return _task(row) if row else None

    async def reload(self, task_id: uuid.UUID) -> Task:
        row = (await self._session.execute(
            select(*_TASK_COLUMNS).where(tasks.c.id == task_id))).one()
        return _task(row)

    async def in_project(self, project_id: uuid.UUID, task_ids: list[uuid.UUID]) -> list[Task]:
        rows = (await self._session.execute(
            select(*_TASK_COLUMNS)
            .where(tasks.c.project_id == project_id, tasks.c.id.in_(task_ids))
            .order_by(COLUMN_RANK, tasks.c.position, tasks.c.id)
            .with_for_update()
        )).all()
        return [_task(row) for row in rows]

    async def has_subtasks(self, task_id: uuid.UUID) -> bool:
        return (await self._session.execute(
            select(func.count()).where(tasks.c.parent_task_id == task_id))).scalar_one() > 0

    async def subtask_ids(self, task_id: uuid.UUID) -> list[uuid.UUID]:
        return list((await self._session.execute(
            select(tasks.c.id).where(tasks.c.parent_task_id == task_id))).scalars())

    async def page(self, project_id: uuid.UUID,
                   after: TaskPosition | None, limit: int, *, status: TaskStatus | None,
                   assignee_id: uuid.UUID | None, sprint_id: uuid.UUID | None,
                   parent_task_id: uuid.UUID | None,
                   github_issue_number: int | None = None) -> list[Task]:
        query = select(*_TASK_COLUMNS, COLUMN_RANK.label("column_rank")).where(
            tasks.c.org_id == self._org_id, tasks.c.project_id == project_id)
        for column, value in ((tasks.c.assignee_id, assignee_id), (tasks.c.sprint_id, sprint_id),
                              (tasks.c.parent_task_id, parent_task_id),
                              (tasks.c.github_issue_number, github_issue_number)):
            if value is not None:
                query = query.where(column == value)
        if status is not None:
            query = query.where(tasks.c.status == status.value)
        if after:
            query = query.where(and_(
                func.row(COLUMN_RANK, tasks.c.position, tasks.c.id)
                > func.row(after[0], after[1], after[2])))
        query = query.order_by(COLUMN_RANK, tasks.c.position, tasks.c.id).limit(limit)
        return [_task(row) for row in (await self._session.execute(query)).all()]

    async def by_github_issue(self, project_id: uuid.UUID, number: int) -> Task | None:
        row = (await self._session.execute(select(*_TASK_COLUMNS).where(
            tasks.c.org_id == self._org_id, tasks.c.project_id == project_id,
            tasks.c.github_issue_number == number))).first()
        return _task(row) if row else None

    async def save(self, task: Task) -> Task:
        row = (await self._session.execute(
            update(tasks).where(tasks.c.id == task.id)
            .values(updated_at=func.clock_timestamp(), **_task_values(task))
            .returning(*_TASK_COLUMNS)
        )).one()
        return _task(row)

    async def delete(self, task_id: uuid.UUID) -> None:
        await self._session.execute(delete(tasks).where(tasks.c.id == task_id))


def column_rank(status: TaskStatus) -> int:
    return TASK_COLUMNS.index(status) + 1


_SPRINT_FIELDS = ["project_id", "name", "goal", "start_date", "end_date", "status"]


def _points():
    counted = tasks.c.status != TaskStatus.CANCELLED.value
    total = func.coalesce(func.sum(tasks.c.story_points).filter(counted), 0)
    done = func.coalesce(
        func.sum(tasks.c.story_points).filter(tasks.c.status == TaskStatus.DONE.value), 0)
    return (
        select(total.label("total_points"), done.label("completed_points"))
        .where(tasks.c.sprint_id == sprints.c.id)
        .lateral("points")
    )


def _sprint(row: Row) -> Sprint:
    return Sprint(
        id=row.id, org_id=row.org_id, project_id=row.project_id, name=row.name, goal=row.goal,
        start_date=row.start_date, end_date=row.end_date, status=SprintStatus(row.status),
        total_points=int(row.total_points), completed_points=int(row.completed_points),
        created_at=row.created_at, updated_at=row.updated_at,
    )


class SqlAlchemySprintRepository(OrgScopedRepository):
    def _with_points(self):
        points = _points()
        return select(sprints, points.c.total_points, points.c.completed_points).select_from(
            sprints.join(points, true()))

    async def add(self, sprint: Sprint) -> None:
        await self._session.execute(insert(sprints).values(
            id=sprint.id, org_id=sprint.org_id, updated_at=func.clock_timestamp(),
            **{name: getattr(sprint, name) for name in _SPRINT_FIELDS} | {
                "status": sprint.status.value}))

    async def get(self, sprint_id: uuid.UUID, *,
                  for_update: bool = False) -> Sprint | None:
        if for_update:
            await self._session.execute(
                select(sprints.c.id).where(sprints.c.id == sprint_id).with_for_update())
        row = (await self._session.execute(self._with_points().where(
            sprints.c.org_id == self._org_id, sprints.c.id == sprint_id))).first()
        return _sprint(row) if row else None

    async def active_in(self, project_id: uuid.UUID) -> Sprint | None:
        row = (await self._session.execute(self._with_points().where(
            sprints.c.project_id == project_id,
            sprints.c.status == SprintStatus.ACTIVE.value))).first()
        return _sprint(row) if row else None

    async def page(self, project_id: uuid.UUID, after, limit: int, *,
                   status: SprintStatus | None) -> list[Sprint]:
        query = self._with_points().where(sprints.c.org_id == self._org_id,
                                     sprints.c.project_id == project_id)
        if status is not None:
            query = query.where(sprints.c.status == status.value)
        if after:
            query = query.where(func.row(sprints.c.created_at, sprints.c.id)
                                > func.row(after[0], after[1]))
        query = query.order_by(sprints.c.created_at, sprints.c.id).limit(limit)
        return [_sprint(row) for row in (await self._session.execute(query)).all()]

    async def save(self, sprint: Sprint) -> None:
        await self._session.execute(
            update(sprints).where(sprints.c.id == sprint.id).values(
                updated_at=func.clock_timestamp(),
                **{name: getattr(sprint, name) for name in _SPRINT_FIELDS} | {
                    "status": sprint.status.value}))
