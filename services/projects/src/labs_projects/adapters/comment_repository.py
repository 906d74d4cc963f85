"""Comments, and the search across projects, tasks and comments (ranked, with snippets)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import cast, delete, func, insert, literal, null, select, union_all, update
from sqlalchemy.engine import Row

from labs_common.db.repository import OrgScopedRepository
from labs_projects.adapters.orm import comments, projects, tasks
from labs_projects.domain.model import Comment, SearchHit

_HEADLINE = "StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=8, MaxFragments=2"
_COLUMNS = [c for c in comments.c if c.name != "search"]


def _comment(row: Row) -> Comment:
    return Comment(id=row.id, org_id=row.org_id, task_id=row.task_id, project_id=row.project_id,
                   author_id=row.author_id, body=row.body, created_at=row.created_at,
                   updated_at=row.updated_at, edited_at=row.edited_at)


class SqlAlchemyCommentRepository(OrgScopedRepository):
    async def add(self, comment: Comment) -> Comment:
        row = (await self._session.execute(insert(comments).values(
            id=comment.id, org_id=comment.org_id, task_id=comment.task_id,
            project_id=comment.project_id, author_id=comment.author_id, body=comment.body,
        ).returning(*_COLUMNS))).one()
        return _comment(row)

    async def get(self, comment_id: uuid.UUID, *,
                  for_update: bool = False) -> Comment | None:
        query = select(*_COLUMNS).where(comments.c.org_id == self._org_id,
                                        comments.c.id == comment_id)
        row = (await self._session.execute(
            query.with_for_update() if for_update else query)).first()
        return _comment(row) if row else None

    async def page(self, task_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None,
                   limit: int) -> list[Comment]:
        query = select(*_COLUMNS).where(comments.c.task_id == task_id)
        if after:
            query = query.where(func.row(comments.c.created_at, comments.c.id)
                                > func.row(after[0], after[1]))
        query = query.order_by(comments.c.created_at, comments.c.id).limit(limit)
        return [_comment(row) for row in (await self._session.execute(query)).all()]

    async def edit(self, comment_id: uuid.UUID, body: str) -> Comment:
        row = (await self._session.execute(
            update(comments).where(comments.c.id == comment_id)
            .values(body=body, updated_at=func.now(), edited_at=func.now())
            .returning(*_COLUMNS))).one()
        return _comment(row)

    async def delete(self, comment_id: uuid.UUID) -> None:
        await self._session.execute(delete(comments).where(comments.c.id == comment_id))

    async def search(self, q: str, limit: int, *,
                     client_id: uuid.UUID | None = None) -> list[SearchHit]:
        """Best matches first across the org's projects, tasks and comments; with `client_id`,
        only within that client's projects. Archived projects are searched too: history is
        something people look for."""
        query = func.websearch_to_tsquery("english", q)

        def headline(document):
            return func.ts_headline("english", document, query, _HEADLINE)

        visible = select(projects.c.id).where(projects.c.org_id == self._org_id)
        if client_id is not None:
            visible = visible.where(projects.c.client_id == client_id)
        project_hits = select(
            literal("project").label("type"), projects.c.id, projects.c.name.label("title"),
            projects.c.id.label("project_id"), cast(null(), tasks.c.id.type).label("task_id"),
            headline(projects.c.name + " " + projects.c.description).label("snippet"),
            func.ts_rank(projects.c.search, query).label("rank"),
        ).where(projects.c.org_id == self._org_id, projects.c.search.op("@@")(query),
                projects.c.id.in_(visible))
        task_hits = select(
            literal("task").label("type"), tasks.c.id, tasks.c.title.label("title"),
            tasks.c.project_id, tasks.c.id.label("task_id"),
            headline(tasks.c.title + " " + tasks.c.description).label("snippet"),
            func.ts_rank(tasks.c.search, query).label("rank"),
        ).where(tasks.c.org_id == self._org_id, tasks.c.search.op("@@")(query),
                tasks.c.project_id.in_(visible))
        comment_hits = select(
            literal("comment").label("type"), comments.c.id, tasks.c.title.label("title"),
            comments.c.project_id, comments.c.task_id, headline(comments.c.body).label("snippet"),
            func.ts_rank(comments.c.search, query).label("rank"),
        ).select_from(comments.join(tasks, tasks.c.id == comments.c.task_id)).where(
            comments.c.org_id == self._org_id, comments.c.search.op("@@")(query),
            comments.c.project_id.in_(visible))
        hits = union_all(project_hits, task_hits, comment_hits).subquery()
        rows = (await self._session.execute(
            select(hits).order_by(hits.c.rank.desc(), hits.c.id).limit(limit))).all()
        return [SearchHit(type=row.type, id=row.id, title=row.title, project_id=row.project_id,
                          task_id=row.task_id, snippet=row.snippet, rank=float(row.rank))
                for row in rows]
