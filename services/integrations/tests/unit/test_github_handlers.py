"""The GitHub slice's handlers against in-memory repositories, a fake projects side and a fake
GitHub API: intake (signature, duplicates, ping), issues → tasks (create, close, reopen, assignee
by email, the echo guard), comments (our own account's skipped), merged pull requests closing
tasks, the other events' activity, task changes → issue intents (and the echo of our own apply
asking nothing), the push worker (one PATCH, its retry and give-up), and the reconciler."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from structlog.testing import capture_logs

from labs.events.v1 import envelope_pb2
from labs.projects.v1 import events_pb2 as project_events
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs_common.db.uow import Scope
from labs_common.errors import NotFound, Unauthenticated, Unavailable
from labs_common.testing.fakes import FakeUnitOfWork
from labs_integrations.adapters.github_api import GitHubFailed
from labs_integrations.adapters.labs_tasks import TaskView
from labs_integrations.domain import github as gh
from labs_integrations.domain.read_model import KnownMember, KnownProject
from labs_integrations.service_layer import github_inbox, github_pushes
from labs_integrations.service_layer.github_inbox import Acting, GitHubInbox
from labs_integrations.service_layer.github_pushes import GitHubPushWorker, on_task_updated

SECRET = "hook-secret"
REPO = "acme/site"
ORG = uuid.uuid4()
MANAGER = uuid.uuid4()
ANA = uuid.uuid4()
PROJECT = uuid.uuid4()


class World:
    """What the repositories hold, shared by every unit of work the factory opens."""

    def __init__(self) -> None:
        self.deliveries: dict[str, dict] = {}
        self.links: dict[uuid.UUID, gh.IssueLink] = {}
        self.pushes: dict[uuid.UUID, gh.IssuePush] = {}
        self.cursors: dict[tuple, datetime] = {}
        self.projects = [KnownProject(project_id=PROJECT, org_id=ORG, name="Site", client_id=None,
                                      status="active", github_repository=REPO,
                                      slack_channel_id=None, archived=False,
                                      as_of=datetime.now(UTC))]
        self.members = [KnownMember(org_id=ORG, user_id=ANA, email="ana@example.com",
                                    name="Ana", role="member", active=True,
                                    as_of=datetime.now(UTC))]
        self.events: list[envelope_pb2.Envelope] = []

    def uow(self, scope: Scope) -> FakeGitHubUow:
        return FakeGitHubUow(self, scope)

    def of_type(self, kind: str) -> list:
        from labs_common.testing.fakes import _payload
        return [_payload(e) for e in self.events if e.type == kind]


class Deliveries:
    def __init__(self, world: World) -> None:
        self.w = world

    async def keep(self, delivery_id, event, action, repository, payload, *, applied=False):
        if delivery_id in self.w.deliveries:
            return False
        self.w.deliveries[delivery_id] = dict(
            delivery_id=delivery_id, event=event, action=action, repository=repository,
            payload=payload, applied_at=datetime.now(UTC) if applied else None, attempts=0,
            last_error=None, received_at=datetime.now(UTC), next_attempt_at=datetime.now(UTC))
        return True

    async def claim_due(self, limit, lease):
        now = datetime.now(UTC)
        due = [d for d in self.w.deliveries.values()
               if d["applied_at"] is None and d["next_attempt_at"] <= now][:limit]
        for d in due:
            d["attempts"] += 1
            d["next_attempt_at"] = now + lease
        return [dict(d) for d in due]

    async def applied(self, delivery_id, error=None):
        self.w.deliveries[delivery_id].update(applied_at=datetime.now(UTC), last_error=error)

    async def retry(self, delivery_id, error, at):
        self.w.deliveries[delivery_id].update(next_attempt_at=at, last_error=error)

    async def applied_for(self, delivery_id, org_id):
        self.w.deliveries[delivery_id].setdefault("applied_orgs", []).append(org_id)

    async def prune_applied(self, older_than, limit):
        old = [k for k, d in self.w.deliveries.items()
               if d["applied_at"] and d["applied_at"] < datetime.now(UTC) - older_than][:limit]
        for k in old:
            del self.w.deliveries[k]
        return len(old)


class Links:
    def __init__(self, world: World, org_id) -> None:
        self.w, self.org = world, org_id

    async def by_issue(self, repository, number, *, lock=False):
        return next((replace(x) for x in self.w.links.values() if x.org_id == self.org
                     and x.repository == repository and x.issue_number == number), None)

    async def by_task(self, task_id, *, lock=False):
        return next((replace(x) for x in self.w.links.values()
                     if x.org_id == self.org and x.task_id == task_id), None)

    async def get(self, link_id, *, lock=False):
        found = self.w.links.get(link_id)
        return replace(found) if found and found.org_id == self.org else None

    async def put(self, link):
        same = await self.by_issue(link.repository, link.issue_number)
        stored = replace(link, id=same.id if same else link.id, org_id=self.org)
        self.w.links[stored.id] = stored
        return replace(stored)

    async def agreed(self, link_id, *, title=None, state=None, body_hash=None,
                     issue_updated_at=None):
        x = self.w.links[link_id]
        x.applying = False
        if issue_updated_at is not None:
            x.issue_updated_at = max(filter(None, (x.issue_updated_at, issue_updated_at)))
        x.last_title = title or x.last_title
        x.last_state = state or x.last_state
        x.last_body_hash = body_hash or x.last_body_hash


class Pushes:
    def __init__(self, world: World, org_id) -> None:
        self.w, self.org = world, org_id

    async def want(self, link_id, title, state, give_up_at):
        pending = next((p for p in self.w.pushes.values()
                        if p.link_id == link_id and p.status == "pending"), None)
        if pending:
            pending.title, pending.state = title, state
            pending.next_attempt_at = datetime.now(UTC)
            pending.version += 1
            return
        push = gh.IssuePush(id=uuid.uuid4(), org_id=self.org, link_id=link_id, title=title,
                            state=state, status="pending", attempts=0,
                            next_attempt_at=datetime.now(UTC), give_up_at=give_up_at)
        self.w.pushes[push.id] = push

    async def claim_due(self, limit, lease):
        now = datetime.now(UTC)
        due = [p for p in self.w.pushes.values()
               if p.status == "pending" and p.next_attempt_at <= now][:limit]
        for p in due:
            p.attempts += 1
            p.next_attempt_at = now + lease
        return [replace(p) for p in due]

    async def finished(self, push_id, *, version=None, status="done", error=None):
        push = self.w.pushes[push_id]
        if push.status != "pending":
            return False
        if version is not None and push.version != version:
            push.next_attempt_at = datetime.now(UTC)
            return False
        push.status, push.last_error = status, error
        return True

    async def retry(self, push_id, error, at, *, version=None):
        push = self.w.pushes[push_id]
        if version is None or push.version == version:
            push.last_error, push.next_attempt_at = error, at


class Cursors:
    def __init__(self, world: World, org_id) -> None:
        self.w, self.org = world, org_id

    async def since(self, repository):
        return self.w.cursors.get((self.org, repository))

    async def advance(self, repository, since):
        old = self.w.cursors.get((self.org, repository))
        self.w.cursors[(self.org, repository)] = max(old, since) if old else since


class Projects:
    def __init__(self, world: World, org_id) -> None:
        self.w, self.org = world, org_id

    async def linked_to(self, repository):
        return [p for p in self.w.projects if p.github_repository == repository]

    async def linked(self):
        return [p for p in self.w.projects if p.org_id == self.org and p.github_repository]


class Members:
    def __init__(self, world: World, org_id) -> None:
        self.w, self.org = world, org_id

    async def by_email(self, email):
        return next((m for m in self.w.members
                     if m.org_id == self.org and m.email == email.lower()), None)


class FakeGitHubUow(FakeUnitOfWork):
    def __init__(self, world: World, scope: Scope) -> None:
        self.world = world
        super().__init__(scope)

    def _start(self) -> None:
        org = self.scope.org_id
        self.github_deliveries = Deliveries(self.world)
        self.github_issue_links = Links(self.world, org)
        self.github_issue_pushes = Pushes(self.world, org)
        self.github_cursors = Cursors(self.world, org)
        self.known_projects = Projects(self.world, org)
        self.known_members = Members(self.world, org)

    async def commit(self) -> None:
        await super().commit()
        self.world.events.extend(self.outbox.events)
        self.outbox.events = []


class FakeTasks:
    """The projects side: tasks by id, what each call asked, as whom."""

    def __init__(self) -> None:
        self.tasks: dict[uuid.UUID, dict] = {}
        self.calls: list[tuple[str, dict]] = []
        self.comments: list[tuple[uuid.UUID, str]] = []
        self.fail: Exception | None = None
        # What projects remembers of Idempotency-Keys: a key seen before replays its answer.
        self.keys: dict[str, object] = {}
        self.sent_keys: list[tuple[str, str | None]] = []
        self.blind = False

    def _view(self, t: dict) -> TaskView:
        return TaskView(id=t["id"], project_id=t["project_id"], title=t["title"],
                        status=t["status"], description=t["description"])

    async def get(self, org_id, user_id, task_id):
        t = self.tasks.get(task_id)
        return self._view(t) if t else None

    async def find(self, org_id, user_id, project_id, number):
        if self.blind:  # a list that does not show the newest task yet
            return None
        t = next((t for t in self.tasks.values() if t["project_id"] == project_id
                  and t["number"] == number), None)
        return self._view(t) if t else None

    async def create(self, org_id, user_id, project_id, number, fields, *,
                     idempotency_key=None):
        self.sent_keys.append(("create", idempotency_key))
        if self.fail:
            raise self.fail
        if idempotency_key in self.keys:
            return self.keys[idempotency_key]
        assert user_id == MANAGER
        t = {"id": uuid.uuid4(), "project_id": project_id, "number": number, "title": "",
             "description": "", "status": "backlog", "assignee_id": ""} | fields
        self.tasks[t["id"]] = t
        self.calls.append(("create", fields))
        if idempotency_key:
            self.keys[idempotency_key] = self._view(t)
        return self._view(t)

    async def update(self, org_id, user_id, task_id, fields):
        if self.fail:
            raise self.fail
        assert user_id == MANAGER
        self.tasks[task_id].update(fields)
        self.calls.append(("update", fields))
        return self._view(self.tasks[task_id])

    async def comment(self, org_id, user_id, task_id, body, *, idempotency_key=None):
        self.sent_keys.append(("comment", idempotency_key))
        if idempotency_key in self.keys:
            return
        self.comments.append((task_id, body))
        if idempotency_key:
            self.keys[idempotency_key] = None

    def by_number(self, number: int) -> dict:
        return next(t for t in self.tasks.values() if t["number"] == number)


class FakeApi:
    def __init__(self) -> None:
        self.emails = {"ana-gh": "Ana@Example.com"}
        self.edits: list[tuple[str, int, str | None, str | None]] = []
        self.issues: list[dict] = []
        self.fail: GitHubFailed | None = None
        # (token, repository) pairs GitHub answers 404 for; access checks asked.
        self.hidden: set[tuple[str, str]] = set()
        self.access_checks: list[tuple[str, str]] = []
        self.page_size = 100
        self.pages_read = 0
        self.on_edit = None

    async def user_email(self, token, login):
        assert token == "ghp_token"
        return self.emails.get(login)

    async def edit_issue(self, token, repository, number, *, title, state):
        if self.fail:
            raise self.fail
        self.edits.append((repository, number, title, state))
        if self.on_edit is not None:
            await self.on_edit()
        return {"html_url": f"https://github.com/{repository}/issues/{number}"}

    async def can_access(self, token, repository):
        self.access_checks.append((token, repository))
        return (token, repository) not in self.hidden

    async def issue_pages(self, token, repository, since):
        if (token, repository) in self.hidden:
            raise NotFound(f"GitHub has no repository {repository} for this token")
        found = [i for i in self.issues if since is None or
                 datetime.fromisoformat(i["updated_at"]) >= since]
        for start in range(0, len(found), self.page_size):
            self.pages_read += 1
            yield found[start:start + self.page_size]


ACTING = Acting(org_id=ORG, user_id=MANAGER, token="ghp_token", login="labs-bot")


class Inbox(GitHubInbox):
    connected = True

    async def _acting(self, org_id):
        return ACTING if self.connected and org_id == ORG else None


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def tasks() -> FakeTasks:
    return FakeTasks()


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def inbox(world, tasks, api) -> Inbox:
    return Inbox(world.uow, None, SECRET, api, tasks)  # type: ignore[arg-type]


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def issue_payload(action: str, number: int = 1, *, title: str = "Login breaks",
                  body: str = "Steps", state: str = "open", assignee: str | None = None,
                  sender: str = "dev") -> dict:
    return {"action": action, "repository": {"full_name": "Acme/Site"},
            "sender": {"login": sender},
            "issue": {"number": number, "title": title, "body": body, "state": state,
                      "html_url": f"https://github.com/acme/site/issues/{number}",
                      "assignee": {"login": assignee} if assignee else None,
                      "assignees": [{"login": assignee}] if assignee else []}}


async def deliver(inbox: Inbox, event: str, payload: dict, delivery: str | None = None) -> bool:
    body = json.dumps(payload).encode()
    accepted = await inbox.receive(body, sign(body), delivery or str(uuid.uuid4()), event)
    await inbox.apply_due()
    return accepted


# --- intake ------------------------------------------------------------------------------------

async def test_a_verified_delivery_is_kept_once_and_wakes_the_worker(world, tasks, api):
    woken = []
    inbox = Inbox(world.uow, None, SECRET, api, tasks, wake=lambda: woken.append(1))
    body = json.dumps(issue_payload("opened")).encode()
    assert await inbox.receive(body, sign(body), "d-1", "issues") is True
    assert await inbox.receive(body, sign(body), "d-1", "issues") is False
    assert woken == [1]
    assert world.deliveries["d-1"]["repository"] == REPO
    assert world.deliveries["d-1"]["applied_at"] is None  # applied after the answer, not in it


@pytest.mark.parametrize("secret", [SECRET, ""])
async def test_a_forged_signature_or_no_secret_configured_is_unauthenticated(world, tasks, api,
                                                                              secret):
    inbox = Inbox(world.uow, None, secret, api, tasks)
    body = json.dumps(issue_payload("opened")).encode()
    with pytest.raises(Unauthenticated):
        await inbox.receive(body, sign(body, "guessed"), "d-1", "issues")
    with pytest.raises(Unauthenticated):
        await inbox.receive(body, "", "d-1", "issues")
    assert world.deliveries == {}


async def test_a_ping_is_accepted_and_ignored(world, inbox, tasks):
    body = b'{"zen": "Keep it logically awesome.", "hook_id": 1}'
    assert await inbox.receive(body, sign(body), "p-1", "ping")
    assert await inbox.apply_due() == 0
    assert tasks.calls == []


# --- issues → tasks ----------------------------------------------------------------------------

async def test_an_opened_issue_makes_a_task_and_closing_it_moves_it_to_done(world, inbox, tasks):
    await deliver(inbox, "issues", issue_payload("opened", assignee="ana-gh"))
    task = tasks.by_number(1)
    assert (task["title"], task["description"], task["status"], task["assignee_id"]) == (
        "Login breaks", "Steps", "todo", str(ANA))
    await deliver(inbox, "issues", issue_payload("closed", state="closed", assignee="ana-gh"))
    assert tasks.by_number(1)["status"] == "done"
    assert tasks.calls[-1] == ("update", {"status": "done"})
    synced = world.of_type("github.issue_synced")
    assert [(s.direction, s.state, s.issue_number) for s in synced] == [
        ("to_labs", "open", 1), ("to_labs", "closed", 1)]
    assert all(d["applied_at"] and d["last_error"] is None for d in world.deliveries.values())


async def test_reopened_moves_a_done_task_back_to_todo(inbox, tasks):
    await deliver(inbox, "issues", issue_payload("opened"))
    await deliver(inbox, "issues", issue_payload("closed", state="closed"))
    await deliver(inbox, "issues", issue_payload("reopened"))
    assert tasks.by_number(1)["status"] == "todo"


async def test_the_echo_of_what_was_last_synced_changes_nothing(world, inbox, tasks):
    await deliver(inbox, "issues", issue_payload("opened"))
    calls = len(tasks.calls)
    await deliver(inbox, "issues", issue_payload("edited"))  # says what we know already
    assert len(tasks.calls) == calls
    assert len(world.of_type("github.issue_synced")) == 1


async def test_an_unassigned_issue_with_a_hidden_email_stays_unassigned(inbox, tasks):
    await deliver(inbox, "issues", issue_payload("opened", assignee="hidden-gh"))
    assert tasks.by_number(1)["assignee_id"] == ""
    await deliver(inbox, "issues", issue_payload("assigned", assignee="ana-gh"))
    assert tasks.by_number(1)["assignee_id"] == str(ANA)
    await deliver(inbox, "issues", issue_payload("unassigned"))
    assert tasks.by_number(1)["assignee_id"] == ""


async def test_an_org_without_a_github_connection_is_skipped(world, inbox, tasks):
    inbox.connected = False
    await deliver(inbox, "issues", issue_payload("opened"))
    assert tasks.tasks == {}
    assert all(d["applied_at"] for d in world.deliveries.values())


async def test_a_permanent_refusal_is_applied_with_its_error_a_transient_one_retried(
        world, inbox, tasks):
    tasks.fail = NotFound("No such project.")
    await deliver(inbox, "issues", issue_payload("opened"), "d-404")
    assert world.deliveries["d-404"]["applied_at"] is not None
    assert "No such project" in world.deliveries["d-404"]["last_error"]
    tasks.fail = Unavailable("projects is down")
    await deliver(inbox, "issues", issue_payload("opened", 2), "d-503")
    retried = world.deliveries["d-503"]
    assert retried["applied_at"] is None and retried["next_attempt_at"] > datetime.now(UTC)
    tasks.fail = None
    retried["next_attempt_at"] = datetime.now(UTC)
    await inbox.apply_due()
    assert tasks.by_number(2)["title"] == "Login breaks"


async def test_an_apply_cut_short_after_the_link_is_redone_in_full(world, inbox, tasks):
    await deliver(inbox, "issues", issue_payload("opened"))
    tasks.fail = Unavailable("projects is down")
    await deliver(inbox, "issues", issue_payload("closed", state="closed"), "d-cut")
    assert next(iter(world.links.values())).applying is True
    tasks.fail = None
    world.deliveries["d-cut"]["next_attempt_at"] = datetime.now(UTC)
    await inbox.apply_due()
    assert tasks.by_number(1)["status"] == "done"
    assert next(iter(world.links.values())).applying is False


# --- comments, pull requests, the rest ---------------------------------------------------------

async def test_comments_become_task_comments_except_our_own_accounts(inbox, tasks):
    await deliver(inbox, "issues", issue_payload("opened"))
    comment = {"action": "created", "repository": {"full_name": REPO},
               "issue": {"number": 1}, "comment": {"body": "Repro'd", "user": {"login": "dev"}},
               "sender": {"login": "dev"}}
    await deliver(inbox, "issue_comment", comment)
    ours = json.loads(json.dumps(comment))
    ours["comment"]["user"]["login"] = ours["sender"]["login"] = "Labs-Bot"
    await deliver(inbox, "issue_comment", ours)
    assert [body for _, body in tasks.comments] == ["dev on GitHub: Repro'd"]


async def test_a_merged_pull_request_closes_its_tasks_and_the_issue_webhook_after_is_an_echo(
        world, inbox, tasks):
    await deliver(inbox, "issues", issue_payload("opened", 4, title="Four", body="b"))
    await deliver(inbox, "issues", issue_payload("opened", 5, title="Five", body="b"))
    pull = {"action": "closed", "repository": {"full_name": REPO},
            "pull_request": {"number": 9, "title": "Fix login, closes #4",
                             "body": "Also FIXES #5; see #6", "merged": True,
                             "user": {"login": "dev"}, "html_url": "https://x/pull/9"}}
    await deliver(inbox, "pull_request", pull)
    assert tasks.by_number(4)["status"] == tasks.by_number(5)["status"] == "done"
    (event,) = world.of_type("github.pull_request")
    assert (event.merged, list(event.closes), event.number) == (True, [4, 5], 9)
    calls = len(tasks.calls)
    await deliver(inbox, "issues", issue_payload("closed", 4, title="Four", body="b",
                                                 state="closed"))
    assert len(tasks.calls) == calls


async def test_a_snapshot_from_before_the_merge_does_not_reopen_the_task(world, inbox, tasks):
    opened = issue_payload("opened", 4, title="Four", body="b")
    opened["issue"]["updated_at"] = "2026-12-01T10:00:00Z"
    await deliver(inbox, "issues", opened)
    pull = {"action": "closed", "repository": {"full_name": REPO},
            "pull_request": {"number": 9, "title": "closes #4", "merged": True,
                             "merged_at": "2026-12-01T10:05:00Z", "user": {"login": "dev"}}}
    await deliver(inbox, "pull_request", pull)
    assert tasks.by_number(4)["status"] == "done"
    # The issue as it was read before GitHub closed it (a late webhook, the reconciler).
    still_open = issue_payload("edited", 4, title="Four", body="b")
    still_open["issue"]["updated_at"] = "2026-12-01T10:00:00Z"
    await deliver(inbox, "issues", still_open)
    assert tasks.by_number(4)["status"] == "done"
    # Reopened on GitHub after the merge: that is news.
    reopened = issue_payload("reopened", 4, title="Four", body="b")
    reopened["issue"]["updated_at"] = "2026-12-01T11:00:00Z"
    await deliver(inbox, "issues", reopened)
    assert tasks.by_number(4)["status"] == "todo"


async def test_an_unmerged_pull_request_closes_nothing(world, inbox, tasks):
    await deliver(inbox, "issues", issue_payload("opened", 4))
    await deliver(inbox, "pull_request", {
        "action": "closed", "repository": {"full_name": REPO},
        "pull_request": {"number": 9, "title": "closes #4", "merged": False}})
    assert tasks.by_number(4)["status"] == "todo"
    assert list(world.of_type("github.pull_request")[0].closes) == []


async def test_reviews_pushes_and_deployments_become_activity(world, inbox):
    await deliver(inbox, "pull_request_review", {
        "action": "submitted", "repository": {"full_name": REPO},
        "review": {"state": "APPROVED", "user": {"login": "rev"}, "html_url": "u"},
        "pull_request": {"number": 3}})
    commits = [{"id": f"sha{i}", "message": f"Commit {i}\n\nbody", "url": f"u{i}",
                "author": {"name": "Dev"}} for i in range(25)]
    await deliver(inbox, "push", {"ref": "refs/heads/main", "repository": {"full_name": REPO},
                                  "commits": commits, "pusher": {"name": "dev"}})
    for state in ("pending", "success"):
        await deliver(inbox, "deployment_status", {
            "action": "created", "repository": {"full_name": REPO},
            "deployment_status": {"state": state, "environment_url": "https://site"},
            "deployment": {"environment": "production", "sha": "abc",
                           "creator": {"login": "dev"}}})
    (review,) = world.of_type("github.review")
    assert (review.state, review.pull_request_number, review.author) == ("approved", 3, "rev")
    (push,) = world.of_type("github.push")
    assert len(push.commits) == 20 and push.commits[0].message == "Commit 0"
    (deployed,) = world.of_type("github.deployed")
    assert (deployed.state, deployed.environment, deployed.url) == (
        "success", "production", "https://site")
    assert {e.project_id for e in world.events} == {str(PROJECT)}


# --- Labs → GitHub -----------------------------------------------------------------------------

def task_updated(task_id: uuid.UUID, title: str, status: int) -> envelope_pb2.Envelope:
    envelope = envelope_pb2.Envelope(type="task.updated", org_id=str(ORG))
    envelope.payload.Pack(project_events.TaskUpdated(task=projects_pb.Task(
        id=str(task_id), title=title, status=status), changed_fields=["status"]))
    return envelope


DONE = projects_pb.TaskStatus.TASK_STATUS_DONE
TODO = projects_pb.TaskStatus.TASK_STATUS_TODO


@pytest.fixture(autouse=True)
def connected(monkeypatch):
    """The push worker's and the reconciler's connection: the org's token, as Labs acts."""
    async def creds(uow, vault, platform):
        return SimpleNamespace(access_token="ghp_token")

    monkeypatch.setattr(github_pushes, "credentials", creds)
    monkeypatch.setattr(github_inbox.Acting, "of", classmethod(lambda cls, _found: ACTING))


async def test_a_task_moved_to_done_closes_its_issue_once(world, inbox, tasks, api):
    await deliver(inbox, "issues", issue_payload("opened"))
    task_id = tasks.by_number(1)["id"]
    uow = world.uow(Scope(org_id=ORG))
    assert await on_task_updated(task_updated(task_id, "Login breaks", DONE), uow)
    # The same event again (a redelivery) wants the same: still one intent.
    assert await on_task_updated(task_updated(task_id, "Login breaks", DONE), uow)
    assert len(world.pushes) == 1
    worker = GitHubPushWorker(world.uow, None, api)  # type: ignore[arg-type]
    assert await worker.run_once() == 1
    assert api.edits == [(REPO, 1, None, "closed")]
    assert await worker.run_once() == 0
    (synced,) = [s for s in world.of_type("github.issue_synced") if s.direction == "to_github"]
    assert synced.state == "closed"
    # GitHub's webhook about our change is an echo: the task is not touched again.
    calls = len(tasks.calls)
    await deliver(inbox, "issues", issue_payload("closed", state="closed"))
    assert len(tasks.calls) == calls


async def test_the_task_event_of_our_own_apply_asks_nothing_of_github(world, inbox, tasks):
    await deliver(inbox, "issues", issue_payload("opened"))
    await deliver(inbox, "issues", issue_payload("closed", state="closed"))
    task_id = tasks.by_number(1)["id"]
    uow = world.uow(Scope(org_id=ORG))
    assert not await on_task_updated(task_updated(task_id, "Login breaks", DONE), uow)
    assert not await on_task_updated(task_updated(uuid.uuid4(), "Unlinked", DONE), uow)
    assert world.pushes == {}


async def test_a_push_github_refuses_is_retried_with_backoff_then_given_up(world, inbox, tasks,
                                                                           api):
    await deliver(inbox, "issues", issue_payload("opened"))
    task_id = tasks.by_number(1)["id"]
    await on_task_updated(task_updated(task_id, "Renamed", TODO), world.uow(Scope(org_id=ORG)))
    worker = GitHubPushWorker(world.uow, None, api)  # type: ignore[arg-type]
    api.fail = GitHubFailed("GitHub answered 502")
    await worker.run_once()
    (push,) = world.pushes.values()
    assert push.status == "pending" and push.last_error == "GitHub answered 502"
    assert timedelta(seconds=50) < push.next_attempt_at - datetime.now(UTC) < timedelta(
        seconds=70)
    push.next_attempt_at = datetime.now(UTC)
    push.give_up_at = datetime.now(UTC)
    await worker.run_once()
    assert push.status == "failed" and api.edits == []
    assert next(iter(world.links.values())).last_title == "Login breaks"


# --- the reconciler ----------------------------------------------------------------------------

async def test_the_reconciler_applies_missed_changes_and_advances_its_cursor(world, inbox, tasks,
                                                                             api):
    await deliver(inbox, "issues", issue_payload("opened"))
    api.issues = [
        {"number": 1, "title": "Login breaks", "body": "Steps", "state": "closed",
         "updated_at": "2026-01-02T10:00:00+00:00"},
        {"number": 2, "title": "New one", "body": "", "state": "open",
         "updated_at": "2026-01-03T10:00:00+00:00"},
        # Closed before Labs ever heard of it: history, not imported on the first read.
        {"number": 3, "title": "Old", "body": "", "state": "closed",
         "updated_at": "2026-01-01T10:00:00+00:00"},
    ]
    found = SimpleNamespace()
    outcome = await inbox.reconcile(found)
    assert (outcome.records, outcome.errors) == (2, [])
    assert tasks.by_number(1)["status"] == "done"
    assert tasks.by_number(2)["title"] == "New one"
    assert 3 not in {t["number"] for t in tasks.tasks.values()}
    assert world.cursors[(ORG, REPO)] == datetime(2026, 1, 3, 10, tzinfo=UTC)
    # Nothing changed since: the overlap reads the last one again, an echo now.
    assert (await inbox.reconcile(found)).records == 0


async def test_a_retry_skips_the_orgs_an_earlier_attempt_applied_for(world, tasks, api):
    other_org, other_project = uuid.uuid4(), uuid.uuid4()
    world.projects.append(replace(world.projects[0], org_id=other_org, project_id=other_project))
    failures = [Unavailable("identity is down")]

    class TwoOrgs(Inbox):
        async def _acting(self, org_id):
            if org_id == other_org and failures:
                raise failures.pop()
            return replace(ACTING, org_id=org_id)

    inbox = TwoOrgs(world.uow, None, SECRET, api, tasks)  # type: ignore[arg-type]
    push = {"ref": "refs/heads/main", "repository": {"full_name": REPO}, "commits": [],
            "pusher": {"name": "dev"}}
    await deliver(inbox, "push", push, "d-two")
    assert world.deliveries["d-two"]["applied_at"] is None  # retried for the other org
    world.deliveries["d-two"]["next_attempt_at"] = datetime.now(UTC)
    await inbox.apply_due()
    assert world.deliveries["d-two"]["applied_at"] is not None
    assert sorted(e.org_id for e in world.events if e.type == "github.push") == sorted(
        [str(ORG), str(other_org)])


# --- tenants, failures per org, retries --------------------------------------------------------

OTHER_ORG, OTHER_PROJECT = uuid.uuid4(), uuid.uuid4()


class TwoOrgInbox(Inbox):
    """ORG (token ghp_token) and OTHER_ORG (token ghp_other), both connected."""

    async def _acting(self, org_id):
        token = "ghp_token" if org_id == ORG else "ghp_other"
        return replace(ACTING, org_id=org_id, token=token)


@pytest.fixture
def two_orgs(world, tasks, api) -> TwoOrgInbox:
    world.projects.append(replace(world.projects[0], org_id=OTHER_ORG,
                                  project_id=OTHER_PROJECT))
    api.emails = {}  # user_email's token check is ORG's
    return TwoOrgInbox(world.uow, None, SECRET, api, tasks)  # type: ignore[arg-type]


async def test_an_org_whose_token_cannot_see_the_repository_gets_nothing_of_it(
        world, two_orgs, tasks, api):
    # OTHER_ORG set its project's URL to ORG's private repository: its token gets a 404.
    api.hidden.add(("ghp_other", REPO))
    with capture_logs() as logs:
        await deliver(two_orgs, "issues", issue_payload("opened"), "d-1")
    assert [t["project_id"] for t in tasks.tasks.values()] == [PROJECT]
    assert {e.org_id for e in world.events} == {str(ORG)}
    assert any(e["event"] == "github.repository_not_accessible"
               and e["org_id"] == str(OTHER_ORG) for e in logs)
    assert world.deliveries["d-1"]["applied_at"] is not None
    push = {"ref": "refs/heads/main", "repository": {"full_name": REPO},
            "commits": [{"id": "abc", "message": "secret fix"}], "pusher": {"name": "dev"}}
    await deliver(two_orgs, "push", push, "d-2")
    assert {e.org_id for e in world.events if e.type == "github.push"} == {str(ORG)}
    # Each org's answer is remembered (per token): GitHub was asked once per org.
    assert sorted(api.access_checks) == [("ghp_other", REPO), ("ghp_token", REPO)]


async def test_the_reconciler_skips_a_repository_the_orgs_token_cannot_see(world, inbox, tasks,
                                                                           api, connected):
    api.hidden.add(("ghp_token", REPO))
    api.issues = [{"number": 7, "title": "Private", "body": "", "state": "open",
                   "updated_at": "2026-01-02T10:00:00+00:00"}]
    outcome = await inbox.reconcile(SimpleNamespace())
    assert outcome.records == 0 and len(outcome.errors) == 1 and REPO in outcome.errors[0]
    assert tasks.tasks == {} and world.cursors == {}


async def test_the_reconciler_reads_and_applies_a_page_at_a_time(world, inbox, tasks, api,
                                                                 connected):
    api.page_size = 2
    api.issues = [{"number": n, "title": f"Issue {n}", "body": "", "state": "open",
                   "updated_at": f"2026-01-0{n}T10:00:00+00:00"} for n in range(1, 6)]
    outcome = await inbox.reconcile(SimpleNamespace())
    assert (outcome.records, outcome.errors, api.pages_read) == (5, [], 3)
    assert world.cursors[(ORG, REPO)] == datetime(2026, 1, 5, 10, tzinfo=UTC)


async def test_one_orgs_permanent_failure_does_not_cost_the_other_org_its_delivery(
        world, two_orgs, tasks):
    class Refusing(FakeTasks):
        async def create(self, org_id, user_id, project_id, number, fields, **kw):
            if org_id == ORG:
                raise NotFound("No such project.")
            return await super().create(org_id, user_id, project_id, number, fields, **kw)

    refusing = Refusing()
    two_orgs._tasks = refusing
    await deliver(two_orgs, "issues", issue_payload("opened"), "d-1")
    assert [t["project_id"] for t in refusing.tasks.values()] == [OTHER_PROJECT]
    delivery = world.deliveries["d-1"]
    assert delivery["applied_at"] is not None and "No such project" in delivery["last_error"]


async def test_one_orgs_outage_retries_the_delivery_for_that_org_only(world, two_orgs, tasks):
    down = {ORG}

    class Flaky(FakeTasks):
        async def create(self, org_id, user_id, project_id, number, fields, **kw):
            if org_id in down:
                raise Unavailable("projects is down")
            return await super().create(org_id, user_id, project_id, number, fields, **kw)

    flaky = two_orgs._tasks = Flaky()
    await deliver(two_orgs, "issues", issue_payload("opened"), "d-1")
    delivery = world.deliveries["d-1"]
    assert delivery["applied_at"] is None and "projects is down" in delivery["last_error"]
    assert delivery["applied_orgs"] == [OTHER_ORG]
    down.clear()
    delivery["next_attempt_at"] = datetime.now(UTC)
    await two_orgs.apply_due()
    assert delivery["applied_at"] is not None
    assert sorted(str(t["project_id"]) for t in flaky.tasks.values()) == sorted(
        [str(PROJECT), str(OTHER_PROJECT)])
    assert len(flaky.calls) == 2  # OTHER_ORG's task was not made again


async def test_a_retried_comment_and_task_creation_carry_the_same_idempotency_key(
        world, inbox, tasks):
    opened = issue_payload("opened")
    await inbox.apply("issues", opened, delivery_id="d-open")
    # The answer was lost before the link was written, and the list does not show the task
    # yet: the retry creates again.
    world.links.clear()
    tasks.blind = True
    await inbox.apply("issues", opened, delivery_id="d-open")
    creates = [key for kind, key in tasks.sent_keys if kind == "create"]
    assert len(creates) == 2 and creates[0] and creates[0] == creates[1]
    assert len(tasks.tasks) == 1
    comment = {"action": "created", "repository": {"full_name": REPO}, "issue": {"number": 1},
               "comment": {"id": 901, "body": "Repro'd", "user": {"login": "dev"}},
               "sender": {"login": "dev"}}
    await inbox.apply("issue_comment", comment, delivery_id="d-c")
    await inbox.apply("issue_comment", comment, delivery_id="d-c")  # a lease ran out
    comments = [key for kind, key in tasks.sent_keys if kind == "comment"]
    assert len(comments) == 2 and comments[0] and comments[0] == comments[1]
    assert len(tasks.comments) == 1
    other = json.loads(json.dumps(comment))
    other["comment"]["id"] = 902
    await inbox.apply("issue_comment", other, delivery_id="d-c2")
    assert len(tasks.comments) == 2


async def test_a_task_change_during_the_patch_of_an_older_one_is_sent_after_it(
        world, inbox, tasks, api, connected):
    await deliver(inbox, "issues", issue_payload("opened"))
    task_id = tasks.by_number(1)["id"]
    await on_task_updated(task_updated(task_id, "First", TODO), world.uow(Scope(org_id=ORG)))

    async def meanwhile():
        api.on_edit = None
        await on_task_updated(task_updated(task_id, "Second", TODO),
                              world.uow(Scope(org_id=ORG)))

    api.on_edit = meanwhile
    worker = GitHubPushWorker(world.uow, None, api)  # type: ignore[arg-type]
    await worker.run_once()
    (push,) = world.pushes.values()
    assert push.status == "pending" and push.title == "Second"
    assert push.next_attempt_at <= datetime.now(UTC)
    await worker.run_once()
    assert [title for _, _, title, _ in api.edits] == ["First", "Second"]
    assert push.status == "done"
    assert next(iter(world.links.values())).last_title == "Second"


async def test_a_non_ascii_signature_is_unauthenticated(world, inbox):
    body = json.dumps(issue_payload("opened")).encode()
    with pytest.raises(Unauthenticated):
        await inbox.receive(body, "sha256=é", "d-1", "issues")
    assert world.deliveries == {}


async def test_applied_deliveries_older_than_a_week_are_pruned(world, inbox):
    await deliver(inbox, "issues", issue_payload("opened"), "old")
    await deliver(inbox, "issues", issue_payload("edited", title="New"), "recent")
    world.deliveries["old"]["applied_at"] = datetime.now(UTC) - timedelta(days=8)
    body = json.dumps(issue_payload("closed")).encode()
    await inbox.receive(body, sign(body), "due", "issues")  # not applied yet: kept
    await inbox.prune()
    assert sorted(world.deliveries) == ["due", "recent"]
