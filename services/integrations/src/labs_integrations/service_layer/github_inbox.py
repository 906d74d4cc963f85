"""GitHub → Labs: webhooks verified and stored by delivery id before the answer (`receive`),
applied after it by a worker (`apply_due`), and the reconciler (`reconcile`, the GitHub syncer)
that reads what changed in each linked repository and applies it the same way, since GitHub
never redelivers a webhook it failed to deliver.

Every change in Labs is made through the projects service as the member who connected GitHub
(a delegated token), outside any transaction of ours. The echo guard (domain/github.py) keeps
our own changes from coming back: a webhook saying what the link last agreed on changes nothing.
Before a task is changed, its link records what GitHub says with `applying` set, so the task
event our change causes asks nothing of GitHub, and an apply cut short is redone in full."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import structlog

from labs.integrations.v1 import events_pb2
from labs_common.db.uow import Scope
from labs_common.errors import (
    AlreadyExists,
    InvalidArgument,
    LabsError,
    NotFound,
    Unauthenticated,
)
from labs_integrations.adapters.github_api import GitHubApi
from labs_integrations.adapters.labs_tasks import LabsTasks, TaskView
from labs_integrations.adapters.vault import Vault
from labs_integrations.domain import github as gh
from labs_integrations.domain.connections import Credentials, Platform
from labs_integrations.domain.read_model import KnownProject
from labs_integrations.service_layer import inbox_worker
from labs_integrations.service_layer.connections import credentials
from labs_integrations.service_layer.inbox_worker import RetryLater, transient
from labs_integrations.service_layer.syncs import SyncOutcome
from labs_integrations.service_layer.unit_of_work import UowFactory

log = structlog.get_logger(__name__)
MAX_ISSUE_LOCKS = 10_000

GITHUB_INBOX_SWEEPER = "github_inbox"
MAX_DELIVERY_ID = 200
GITHUB_PRUNE_SWEEPER = "github_deliveries_prune"
# How long an org's token is known to see (or not see) a repository.
ACCESS_TTL = 600.0
MAX_ACCESS_ENTRIES = 10_000


@dataclass(frozen=True)
class Acting:
    """An org's GitHub connection: its token, its GitHub login, who Labs acts as."""

    org_id: uuid.UUID
    user_id: uuid.UUID
    token: str
    login: str

    @classmethod
    def of(cls, found: Credentials) -> Acting:
        return cls(org_id=found.connection.org_id, user_id=found.connection.connected_by,
                   token=found.access_token, login=found.connection.account_name)

    @property
    def token_fingerprint(self) -> str:
        return hashlib.sha256(self.token.encode()).hexdigest()[:16]


def idempotency_key(kind: str, *parts: object) -> str:
    """An Idempotency-Key for a write to projects: the same parts, the same key (so a retried
    apply replays the first answer instead of writing twice), and short whatever they are."""
    return f"github-{kind}-" + hashlib.sha256(
        "\x1f".join(str(p) for p in parts).encode()).hexdigest()


class GitHubInbox:
    def __init__(self, uow: UowFactory, vault: Vault, secret: str, api: GitHubApi,
                 tasks: LabsTasks, wake=lambda: None) -> None:
        self._uow = uow
        self._vault = vault
        self._secret = secret
        self._api = api
        self._tasks = tasks
        self.wake = wake
        # One apply at a time per issue in this replica: the inbox worker and the reconciler
        # (the sync worker) may meet on the same issue, and each compares with the link first.
        self._issue_locks: dict[tuple[uuid.UUID, str, int], asyncio.Lock] = {}
        # (org, repository, token fingerprint) → (the token sees it, until when: monotonic).
        self._access: dict[tuple[uuid.UUID, str, str], tuple[bool, float]] = {}

    def _issue_lock(self, org_id: uuid.UUID, repository: str, number: int) -> asyncio.Lock:
        key = (org_id, repository, number)
        if key not in self._issue_locks:
            if len(self._issue_locks) > MAX_ISSUE_LOCKS:
                self._issue_locks = {k: v for k, v in self._issue_locks.items() if v.locked()}
            self._issue_locks[key] = asyncio.Lock()
        return self._issue_locks[key]

    # --- intake (before the answer) ------------------------------------------------------------

    async def receive(self, payload: bytes, signature: str, delivery_id: str, event: str
                      ) -> bool:
        """Verified, then kept by delivery id: False for a delivery seen before. `ping` is kept
        as applied (nothing to do)."""
        if not gh.verify_signature(self._secret, payload, signature):
            raise Unauthenticated("The X-Hub-Signature-256 signature does not verify.")
        if not delivery_id or len(delivery_id) > MAX_DELIVERY_ID:
            raise InvalidArgument.on("delivery_id", "X-GitHub-Delivery is required")
        if not event:
            raise InvalidArgument.on("event", "X-GitHub-Event is required")
        try:
            body = json.loads(payload)
        except ValueError:
            raise InvalidArgument.on("payload", "is not JSON") from None
        if not isinstance(body, dict):
            raise InvalidArgument.on("payload", "is not a JSON object")
        action = body.get("action") if isinstance(body.get("action"), str) else None
        async with self._uow(Scope.of_system()) as uow:
            accepted = await uow.github_deliveries.keep(
                delivery_id, event, action, gh.repository_name(body), body,
                applied=event == "ping")
            await uow.commit()
        if accepted and event != "ping":
            self.wake()
        return accepted

    # --- the apply worker (after the answer) ---------------------------------------------------

    async def apply_due(self) -> int:
        return await inbox_worker.apply_due(self._uow, "github_deliveries", self._apply_claimed,
                                            platform="github")

    async def _apply_claimed(self, delivery: dict[str, Any]) -> list[str]:
        return await self.apply(
            delivery["event"], delivery["payload"],
            skip=frozenset(delivery.get("applied_orgs") or ()),
            applied_for=partial(self._applied_for, delivery["delivery_id"]),
            delivery_id=delivery["delivery_id"])

    async def prune(self) -> int:
        return await inbox_worker.prune(self._uow, "github_deliveries", platform="github")

    async def _applied_for(self, delivery_id: str, org_id: uuid.UUID) -> None:
        async with self._uow(Scope.of_system()) as uow:
            await uow.github_deliveries.applied_for(delivery_id, org_id)
            await uow.commit()

    async def apply(self, event: str, payload: dict[str, Any], *,
                    skip: frozenset[uuid.UUID] = frozenset(), applied_for=None,
                    delivery_id: str | None = None) -> list[str]:
        """One delivery, for every org's project linked to its repository (one per org: an
        issue is one task of an org) whose own GitHub connection sees the repository (a
        project's URL is the org's say, not proof it may read it), but the orgs in `skip` (done
        by an earlier attempt); `applied_for(org_id)` records each org done.

        One org's failure never costs the others theirs: a permanent one (a refusal) is
        answered among the errors and that org counts as done; a transient one leaves the org
        undone, and RetryLater is raised after every other org was tried."""
        repository = gh.repository_name(payload)
        if repository is None:
            return []
        async with self._uow(Scope.of_system()) as uow:
            linked = await uow.known_projects.linked_to(repository)
        per_org: dict[uuid.UUID, list[KnownProject]] = {}
        for project in sorted(linked, key=lambda p: str(p.project_id)):
            per_org.setdefault(project.org_id, []).append(project)
        errors: list[str] = []
        retry = False
        for org_id, projects in per_org.items():
            if org_id in skip:
                continue
            try:
                await self._apply_to(org_id, projects, repository, event, payload,
                                     delivery_id)
            except Exception as failure:  # one org's failure is recorded, the others go on
                error = f"{org_id}: {type(failure).__name__}: {failure}"
                errors.append(error)
                retry = retry or transient(failure)
                log.warning("github.delivery_failed_for_org", org_id=str(org_id),
                            repository=repository, github_event=event, delivery_id=delivery_id,
                            error=error, retry=transient(failure))
                if transient(failure):
                    continue
            if applied_for is not None and len(per_org) > 1:
                await applied_for(org_id)
        if retry:
            raise RetryLater(errors)
        return errors

    async def _apply_to(self, org_id: uuid.UUID, projects: list[KnownProject],
                        repository: str, event: str, payload: dict[str, Any],
                        delivery_id: str | None) -> None:
        acting = await self._acting(org_id)
        if acting is None:
            log.info("github.no_connection", org_id=str(org_id), repository=repository)
            return
        if not await self._can_access(acting, repository):
            log.warning("github.repository_not_accessible", org_id=str(org_id),
                        repository=repository, github_event=event)
            return
        await self._apply_for_org(acting, projects, repository, event, payload,
                                  delivery_id=delivery_id)

    async def _can_access(self, acting: Acting, repository: str) -> bool:
        """Whether the org's own token sees `repository`, asked of GitHub at most once per
        ACCESS_TTL (per token: a new connection is asked again). Unavailable (GitHub cannot
        say now) is not remembered: the delivery is retried."""
        key = (acting.org_id, repository, acting.token_fingerprint)
        now = time.monotonic()
        known = self._access.get(key)
        if known is not None and known[1] > now:
            return known[0]
        allowed = await self._api.can_access(acting.token, repository)
        if len(self._access) >= MAX_ACCESS_ENTRIES:
            self._access = {k: v for k, v in self._access.items() if v[1] > now}
            if len(self._access) >= MAX_ACCESS_ENTRIES:
                self._access.clear()
        self._access[key] = (allowed, now + ACCESS_TTL)
        return allowed

    async def _acting(self, org_id: uuid.UUID) -> Acting | None:
        async with self._uow(Scope(org_id=org_id)) as uow:
            found = await credentials(uow, self._vault, Platform.GITHUB)
        return Acting.of(found) if found is not None else None

    async def _apply_for_org(self, acting: Acting, projects: list[KnownProject],
                             repository: str, event: str, payload: dict[str, Any], *,
                             delivery_id: str | None = None) -> None:
        action = payload.get("action")
        project = projects[0]
        if event == "issues" and action in gh.ISSUE_ACTIONS:
            issue = payload.get("issue") or {}
            if issue.get("pull_request"):
                return
            await self.apply_issue(acting, project, repository, gh.IssueFacts.of(issue),
                                   assignee=action in ("assigned", "unassigned"))
        elif event == "issue_comment" and action == "created":
            await self._comment(acting, repository, payload, delivery_id)
        elif event == "pull_request" and action in gh.PULL_REQUEST_ACTIONS:
            await self._pull_request(acting, projects, repository, payload)
        elif event == "pull_request_review" and action == "submitted":
            review, pull = payload.get("review") or {}, payload.get("pull_request") or {}
            await self._publish(acting.org_id, projects, "github.review", events_pb2.GitHubReview(
                repository=repository, pull_request_number=int(pull.get("number") or 0),
                state=str(review.get("state") or "").lower(),
                author=str((review.get("user") or {}).get("login") or ""),
                url=str(review.get("html_url") or "")))
        elif event == "push":
            await self._publish(acting.org_id, projects, "github.push", _push(repository,
                                                                               payload))
        elif event == "deployment_status":
            status, deployment = payload.get("deployment_status") or {}, \
                payload.get("deployment") or {}
            if status.get("state") in gh.DEPLOYMENT_STATES:
                await self._publish(acting.org_id, projects, "github.deployed",
                                    events_pb2.GitHubDeployment(
                    repository=repository,
                    environment=str(deployment.get("environment") or
                                    status.get("environment") or ""),
                    state=status["state"],
                    url=str(status.get("environment_url") or status.get("target_url") or ""),
                    deployed_by=str((status.get("creator") or deployment.get("creator") or {})
                                    .get("login") or ""),
                    sha=str(deployment.get("sha") or "")))

    # --- issues ⇄ tasks ------------------------------------------------------------------------

    async def apply_issue(self, acting: Acting, project: KnownProject, repository: str,
                          issue: gh.IssueFacts, *, assignee: bool = False) -> bool:
        """Brings the task of `issue` in line with it (creating it if new); False when there was
        nothing to do (the echo of our own change)."""
        async with self._issue_lock(acting.org_id, repository, issue.number):
            return await self._apply_issue(acting, project, repository, issue,
                                           assignee=assignee)

    async def _apply_issue(self, acting: Acting, project: KnownProject, repository: str,
                           issue: gh.IssueFacts, *, assignee: bool) -> bool:
        async with self._uow(Scope(org_id=acting.org_id)) as uow:
            link = await uow.github_issue_links.by_issue(repository, issue.number)
        if gh.is_stale(link, issue) or (gh.is_echo(link, issue) and not assignee):
            return False
        task: TaskView | None = None
        if link is not None:
            task = await self._tasks.get(acting.org_id, acting.user_id, link.task_id)
            if task is None:
                link = None  # the task was deleted: the issue makes a new one
        target_project = link.project_id if link is not None else project.project_id
        if task is None:
            task = await self._tasks.find(acting.org_id, acting.user_id, target_project,
                                          issue.number)
        fields = gh.task_changes(link, issue, task.status if task else None)
        if assignee or task is None:
            assigned = await self._assignee(acting, issue.assignee_login)
            if assigned is not None:
                fields["assignee_id"] = str(assigned)
            elif assignee and task is not None and issue.assignee_login is None:
                fields["assignee_id"] = ""  # unassigned on GitHub
        if task is not None:
            known = await self._link(acting, target_project, task.id, repository, issue,
                                     applying=True)
            if fields:
                task = await self._tasks.update(acting.org_id, acting.user_id, task.id, fields)
        else:
            # One key per issue and request: a retried create (a lease that ran out, a lost
            # answer) replays the first task instead of making a second.
            key = idempotency_key("task", acting.org_id, repository, issue.number,
                                  target_project, json.dumps(fields, sort_keys=True))
            try:
                task = await self._tasks.create(acting.org_id, acting.user_id, target_project,
                                                issue.number, fields, idempotency_key=key)
            except AlreadyExists:  # made meanwhile (another replica): change it instead
                task = await self._tasks.find(acting.org_id, acting.user_id, target_project,
                                              issue.number)
                if task is None:
                    raise
                fields = gh.task_changes(None, issue, task.status)
                if fields:
                    task = await self._tasks.update(acting.org_id, acting.user_id, task.id,
                                                    fields)
            known = None
        async with self._uow(Scope(org_id=acting.org_id)) as uow:
            if known is None:
                await uow.github_issue_links.put(_new_link(acting, target_project, task.id,
                                                           repository, issue))
            else:
                await uow.github_issue_links.agreed(known.id)
            await uow.outbox.add("github.issue_synced", events_pb2.GitHubIssueSynced(
                task_id=str(task.id), repository=repository, issue_number=issue.number,
                direction="to_labs", url=issue.url, title=issue.title, state=issue.state),
                project_id=target_project)
            await uow.commit()
        return True

    async def _link(self, acting: Acting, project_id: uuid.UUID, task_id: uuid.UUID,
                    repository: str, issue: gh.IssueFacts, *, applying: bool) -> gh.IssueLink:
        async with self._uow(Scope(org_id=acting.org_id)) as uow:
            link = _new_link(acting, project_id, task_id, repository, issue)
            link.applying = applying
            link = await uow.github_issue_links.put(link)
            await uow.commit()
        return link

    async def _assignee(self, acting: Acting, login: str | None) -> uuid.UUID | None:
        if not login:
            return None
        email = await self._api.user_email(acting.token, login)
        if not email:
            return None
        async with self._uow(Scope(org_id=acting.org_id)) as uow:
            member = await uow.known_members.by_email(email)
        return member.user_id if member is not None and member.role != "client" else None

    async def _comment(self, acting: Acting, repository: str, payload: dict[str, Any],
                       delivery_id: str | None = None) -> None:
        comment, issue = payload.get("comment") or {}, payload.get("issue") or {}
        login = str((comment.get("user") or payload.get("sender") or {}).get("login") or "")
        if login.lower() == acting.login.lower():
            return  # our own account: the echo of a comment Labs made
        async with self._uow(Scope(org_id=acting.org_id)) as uow:
            link = await uow.github_issue_links.by_issue(repository, int(issue.get("number", 0)))
        if link is None:
            return
        body = gh.storable(f"{login} on GitHub: {comment.get('body') or ''}", gh.MAX_COMMENT)
        # A retried delivery (a lease that ran out, another org's outage) comments once: the
        # key names the comment (GitHub's id, else the delivery) and the org.
        key = idempotency_key("comment", acting.org_id, delivery_id or "", repository,
                              comment.get("id") or "")
        await self._tasks.comment(acting.org_id, acting.user_id, link.task_id, body,
                                  idempotency_key=key)

    async def _pull_request(self, acting: Acting, projects: list[KnownProject],
                            repository: str, payload: dict[str, Any]) -> None:
        pull = payload.get("pull_request") or {}
        merged = bool(pull.get("merged"))
        closes = gh.closing_references(pull.get("title"), pull.get("body")) if merged else []
        await self._publish(acting.org_id, projects, "github.pull_request",
                            events_pb2.GitHubPullRequest(
            repository=repository, number=int(pull.get("number") or 0),
            title=str(pull.get("title") or ""), action=str(payload.get("action")),
            merged=merged, author=str((pull.get("user") or {}).get("login") or ""),
            url=str(pull.get("html_url") or ""), closes=closes))
        # GitHub closes those issues itself once the merge is done: a snapshot of an issue
        # from before the merge (the reconciler reading it still open a moment earlier) is
        # older than what the link now says, and must not reopen the task.
        merged_at = gh.github_time(pull.get("merged_at")) or datetime.now(UTC)
        for number in closes:
            await self._close(acting, projects[0], repository, number, merged_at)

    async def _close(self, acting: Acting, project: KnownProject, repository: str,
                     number: int, merged_at: datetime) -> None:
        """A merged pull request closes issue `number`: its task moves to done, and the link
        says closed as of the merge, so GitHub's own `issues.closed` after it is an echo."""
        async with self._issue_lock(acting.org_id, repository, number):
            await self._close_issue(acting, project, repository, number, merged_at)

    async def _close_issue(self, acting: Acting, project: KnownProject, repository: str,
                           number: int, merged_at: datetime) -> None:
        async with self._uow(Scope(org_id=acting.org_id)) as uow:
            link = await uow.github_issue_links.by_issue(repository, number)
        task = await self._tasks.get(acting.org_id, acting.user_id, link.task_id) if link else \
            await self._tasks.find(acting.org_id, acting.user_id, project.project_id, number)
        if task is None:
            return
        if link is not None:
            closed = gh.IssueFacts(number=number, title=link.last_title, body="",
                                   state=gh.CLOSED, updated_at=merged_at)
            async with self._uow(Scope(org_id=acting.org_id)) as uow:
                link.last_state, link.applying = gh.CLOSED, True
                link.issue_updated_at = max(filter(None, (link.issue_updated_at, merged_at)))
                await uow.github_issue_links.put(link)
                await uow.commit()
        if task.status != gh.DONE:
            task = await self._tasks.update(acting.org_id, acting.user_id, task.id,
                                            {"status": gh.DONE})
        async with self._uow(Scope(org_id=acting.org_id)) as uow:
            if link is None:
                closed = gh.IssueFacts(number=number, title=task.title, body=task.description,
                                       state=gh.CLOSED, updated_at=merged_at)
                await uow.github_issue_links.put(_new_link(acting, task.project_id, task.id,
                                                           repository, closed))
            else:
                await uow.github_issue_links.agreed(link.id)
            await uow.outbox.add("github.issue_synced", events_pb2.GitHubIssueSynced(
                task_id=str(task.id), repository=repository, issue_number=number,
                direction="to_labs", title=closed.title, state=gh.CLOSED),
                project_id=task.project_id)
            await uow.commit()

    async def _known(self, acting: Acting, repository: str, number: int) -> bool:
        async with self._uow(Scope(org_id=acting.org_id)) as uow:
            return await uow.github_issue_links.by_issue(repository, number) is not None

    async def _publish(self, org_id: uuid.UUID, projects: list[KnownProject], kind: str,
                       message) -> None:
        async with self._uow(Scope(org_id=org_id)) as uow:
            for project in projects:
                await uow.outbox.add(kind, message, project_id=project.project_id)
            await uow.commit()

    # --- the reconciler (the GitHub syncer) ----------------------------------------------------

    async def reconcile(self, found: Credentials) -> SyncOutcome:
        """Every linked repository of the org: issues updated since its cursor (less an overlap)
        applied like `issues` webhooks; the cursor advances to the newest update seen. On a
        repository's first read (no cursor yet) closed issues Labs never linked are skipped:
        history is not imported as done tasks."""
        acting = Acting.of(found)
        outcome = SyncOutcome()
        async with self._uow(Scope(org_id=acting.org_id)) as uow:
            projects = await uow.known_projects.linked()
            repositories: dict[str, KnownProject] = {}
            for project in projects:
                repositories.setdefault(project.github_repository or "", project)
            repositories.pop("", None)
            cursors = {repo: await uow.github_cursors.since(repo) for repo in repositories}
        for repository, project in repositories.items():
            try:
                await self._reconcile_repository(acting, project, repository,
                                                 cursors[repository], outcome)
            except NotFound as error:  # the org's token does not see it: nothing of it applied
                log.warning("github.repository_not_accessible", org_id=str(acting.org_id),
                            repository=repository, during="reconcile")
                outcome.errors.append(f"{repository}: {error.detail or error}")
            except LabsError as error:
                outcome.errors.append(f"{repository}: {error.detail or error}")
        return outcome

    async def _reconcile_repository(self, acting: Acting, project: KnownProject,
                                    repository: str, since: datetime | None,
                                    outcome: SyncOutcome) -> None:
        """Read a page at a time (read with the org's own token: what it cannot see is
        NotFound), each applied before the next is read; the cursor advances after each page."""
        first_read, newest, cursor = since is None, since, since
        pages = self._api.issue_pages(acting.token, repository,
                                      since - gh.RECONCILE_OVERLAP if since else None)
        try:
            async for page in pages:
                stop = False
                for raw in page:
                    facts = gh.IssueFacts.of(raw)
                    history = first_read and facts.state == gh.CLOSED and \
                        not await self._known(acting, repository, facts.number)
                    try:  # a repository's first read does not import its closed history
                        if not history and await self.apply_issue(acting, project, repository,
                                                                   facts):
                            outcome.records += 1
                    except Exception as error:  # one issue never stops the others
                        outcome.errors.append(f"{repository}#{facts.number}: {error}")
                        if transient(error):
                            stop = True  # the cursor stays before it: the next sync tries again
                            break
                    updated = _timestamp(raw.get("updated_at"))
                    if updated is not None and (newest is None or updated > newest):
                        newest = updated
                if newest is not None and newest != cursor:
                    async with self._uow(Scope(org_id=acting.org_id)) as uow:
                        await uow.github_cursors.advance(repository, newest)
                        await uow.commit()
                    cursor = newest
                if stop:
                    return
        finally:
            await pages.aclose()


def _new_link(acting: Acting, project_id: uuid.UUID, task_id: uuid.UUID, repository: str,
              issue: gh.IssueFacts) -> gh.IssueLink:
    return gh.IssueLink(id=uuid.uuid4(), org_id=acting.org_id, project_id=project_id,
                        task_id=task_id, repository=repository, issue_number=issue.number,
                        last_title=issue.title, last_state=issue.state,
                        last_body_hash=issue.body_hash, issue_updated_at=issue.updated_at)


def _push(repository: str, payload: dict[str, Any]) -> events_pb2.GitHubPush:
    commits = [events_pb2.GitHubCommit(
        sha=str(c.get("id") or ""), message=gh.first_line(c.get("message")),
        author=str((c.get("author") or {}).get("name") or ""), url=str(c.get("url") or ""))
        for c in (payload.get("commits") or [])[:gh.MAX_PUSH_COMMITS]]
    pusher = payload.get("pusher") or {}
    return events_pb2.GitHubPush(repository=repository, ref=str(payload.get("ref") or ""),
                                 commits=commits,
                                 pusher=str(pusher.get("name") or pusher.get("login") or ""))


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None
