"""GitHub on real PostgreSQL and NATS, against FakeGitHub (projects is not running here: the
tests publish its task events themselves): ReceiveGitHubWebhook verifies and keeps a delivery
once (a repeat is accepted=false, a forged one UNAUTHENTICATED) and the apply worker marks it
applied after the answer; a linked task moved to done in Labs closes its issue with one PATCH,
the link then agreeing, and a task event saying what the link knows (our own apply's echo) asks
nothing; a push GitHub refuses is retried; links are tenant rows; an intent changed while its
send was in flight is not finished by it (version); applied deliveries older than a week are
pruned; the API's access check and its page-at-a-time issue reads against FakeGitHub."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from sqlalchemy import func, select, update

from labs.events.v1 import envelope_pb2
from labs.identity.v1 import identity_service_pb2 as identity_pb
from labs.integrations.v1 import integrations_service_pb2 as pb
from labs.projects.v1 import events_pb2 as project_events
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs_common.db.tables import processed_events
from labs_common.db.uow import Scope
from labs_common.errors import NotFound
from labs_common.events.outbox import subject_for
from labs_integrations.adapters.github_api import PAGE, GitHubApi
from labs_integrations.adapters.github_tables import github_deliveries, github_issue_pushes
from labs_integrations.domain import github as gh

PASSWORD = "correct horse battery"
DEADLINE = 20.0


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


def signed(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def eventually(probe, what: str):
    deadline = time.monotonic() + DEADLINE
    while True:
        if found := await probe():
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not before the deadline: {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
async def owner(identity_stub):
    response = await identity_stub.Signup(identity_pb.SignupRequest(
        email=f"owner-{uuid.uuid4().hex[:8]}@example.com", password=PASSWORD,
        organization_name="Agency"))
    return response.session


async def test_a_webhook_is_verified_kept_once_and_applied_after_the_answer(
        stub, integrations, fake_github):
    body = json.dumps({"action": "opened", "repository": {"full_name": "nobody/links-this"},
                       "issue": {"number": 1, "title": "t", "state": "open"}}).encode()
    delivery = str(uuid.uuid4())
    request = pb.ReceiveGitHubWebhookRequest(payload=body, delivery_id=delivery, event="issues",
                                             signature=signed(fake_github.webhook_secret, body))
    assert (await stub.ReceiveGitHubWebhook(request)).accepted is True
    assert (await stub.ReceiveGitHubWebhook(request)).accepted is False

    forged = pb.ReceiveGitHubWebhookRequest(payload=body, delivery_id=str(uuid.uuid4()),
                                            event="issues", signature=signed("guess", body))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ReceiveGitHubWebhook(forged)
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED

    async def applied():
        async with integrations.runtime.uow(Scope.of_system()) as uow:
            row = await uow.github_deliveries.get(delivery)
        return row if row and row["applied_at"] else None

    row = await eventually(applied, "the worker applied the delivery")
    assert (row["attempts"], row["last_error"], row["repository"]) == (
        1, None, "nobody/links-this")
    async with integrations.runtime.uow(Scope.of_system()) as uow:
        assert await uow.github_deliveries.get(forged.delivery_id) is None


async def connect(stub, fake_github, session) -> str:
    login, token = f"labs-{uuid.uuid4().hex[:8]}", f"ghp_{uuid.uuid4().hex}"
    fake_github.add_token(token, login)
    await stub.ConnectWithToken(pb.ConnectWithTokenRequest(
        platform=pb.PLATFORM_GITHUB, access_token=token), metadata=bearer(session.access_token))
    return login


async def publish_task_updated(js, org_id: str, project_id: str, task_id: str, title: str,
                               status) -> envelope_pb2.Envelope:
    envelope = envelope_pb2.Envelope(id=str(uuid.uuid4()), type="task.updated",
                                     source="projects", org_id=org_id, project_id=project_id)
    envelope.occurred_at.FromDatetime(datetime.now(UTC))
    envelope.payload.Pack(project_events.TaskUpdated(task=projects_pb.Task(
        id=task_id, project_id=project_id, title=title, status=status),
        changed_fields=["status"]))
    await js.publish(subject_for("projects", uuid.UUID(org_id), envelope.type),
                     envelope.SerializeToString(), headers={"Nats-Msg-Id": envelope.id})
    return envelope


async def handled(integrations, envelope: envelope_pb2.Envelope):
    durable = "integrations-github-on-projects-task-updated"
    async with integrations.runtime.uow(Scope.of_system()) as uow:
        return (await uow.session.execute(select(processed_events).where(
            processed_events.c.consumer == durable,
            processed_events.c.event_id == uuid.UUID(envelope.id)))).first()


async def linked_issue(integrations, fake_github, org: uuid.UUID) -> tuple[str, gh.IssueLink]:
    suffix = uuid.uuid4().hex[:8]
    repo = fake_github.add_repo(f"acme-{suffix}", "site").full_name
    fake_github.create_issue(repo, "Login breaks", "Steps")
    link = gh.IssueLink(id=uuid.uuid4(), org_id=org, project_id=uuid.uuid4(),
                        task_id=uuid.uuid4(), repository=repo, issue_number=1,
                        last_title="Login breaks", last_state=gh.OPEN,
                        last_body_hash=gh.body_hash("Steps"))
    async with integrations.runtime.uow(Scope(org_id=org)) as uow:
        link = await uow.github_issue_links.put(link)
        await uow.commit()
    return repo, link


async def test_a_task_moved_to_done_closes_its_issue_once_and_our_echo_asks_nothing(
        stub, integrations, integrations_js, fake_github, owner):
    await connect(stub, fake_github, owner)
    org = uuid.UUID(owner.organization.id)
    repo, link = await linked_issue(integrations, fake_github, org)
    done = projects_pb.TaskStatus.TASK_STATUS_DONE

    await publish_task_updated(integrations_js, owner.organization.id, str(link.project_id),
                               str(link.task_id), "Login breaks", done)

    async def closed():
        return fake_github.issue(repo, 1).state == "closed"

    await eventually(closed, "the issue closed on GitHub")

    async def agreed():
        async with integrations.runtime.uow(Scope(org_id=org)) as uow:
            found = await uow.github_issue_links.get(link.id)
        return found if found.last_state == gh.CLOSED else None

    await eventually(agreed, "the link knows the issue is closed")
    assert len(fake_github.calls("PATCH", f"/repos/{repo}/issues/1")) == 1
    async with integrations.runtime.uow(Scope(org_id=org)) as uow:
        pushes = await uow.github_issue_pushes.of_link(link.id)
    assert [(p.status, p.attempts, p.state) for p in pushes] == [("done", 1, "closed")]

    # The task event of our own apply says what the link knows: no intent, no PATCH.
    echo = await publish_task_updated(integrations_js, owner.organization.id,
                                      str(link.project_id), str(link.task_id), "Login breaks",
                                      done)
    await eventually(lambda: handled(integrations, echo), "the echo event was handled")
    async with integrations.runtime.uow(Scope(org_id=org)) as uow:
        assert len(await uow.github_issue_pushes.of_link(link.id)) == 1
    assert len(fake_github.calls("PATCH", f"/repos/{repo}/issues/1")) == 1


async def test_a_push_github_refuses_is_retried_until_it_takes(
        stub, integrations, integrations_js, fake_github, owner):
    await connect(stub, fake_github, owner)
    org = uuid.UUID(owner.organization.id)
    repo, link = await linked_issue(integrations, fake_github, org)
    fake_github.down = True
    try:
        await publish_task_updated(integrations_js, owner.organization.id, str(link.project_id),
                                   str(link.task_id), "Login breaks everywhere",
                                   projects_pb.TaskStatus.TASK_STATUS_IN_PROGRESS)

        async def failed_once():
            async with integrations.runtime.uow(Scope(org_id=org)) as uow:
                pushes = await uow.github_issue_pushes.of_link(link.id)
            return pushes if pushes and pushes[0].last_error else None

        (push,) = await eventually(failed_once, "the first attempt failed")
        assert push.status == "pending"
    finally:
        fake_github.down = False

    async def retitled():
        return fake_github.issue(repo, 1).title == "Login breaks everywhere"

    await eventually(retitled, "the retry renamed the issue")


async def test_links_and_intents_are_tenant_rows(integrations, fake_github, owner):
    org = uuid.UUID(owner.organization.id)
    _, link = await linked_issue(integrations, fake_github, org)
    async with integrations.runtime.uow(Scope(org_id=uuid.uuid4())) as uow:
        assert await uow.github_issue_links.get(link.id) is None
        assert await uow.github_issue_links.by_task(link.task_id) is None
        assert (await uow.session.execute(select(github_issue_pushes))).all() == []


async def test_a_delivery_remembers_the_orgs_it_was_applied_for(integrations):
    delivery, orgs = str(uuid.uuid4()), [uuid.uuid4(), uuid.uuid4()]
    async with integrations.runtime.uow(Scope.of_system()) as uow:
        assert await uow.github_deliveries.keep(delivery, "push", None, "a/b", {"ref": "x"},
                                                applied=True)
        for org in orgs:
            await uow.github_deliveries.applied_for(delivery, org)
        await uow.commit()
    async with integrations.runtime.uow(Scope.of_system()) as uow:
        row = await uow.github_deliveries.get(delivery)
    assert row["applied_orgs"] == orgs


async def test_an_intent_changed_while_in_flight_is_not_finished_by_the_older_send(
        integrations, fake_github, owner):
    org = uuid.UUID(owner.organization.id)
    _, link = await linked_issue(integrations, fake_github, org)
    give_up = datetime.now(UTC) + gh.PUSH_GIVE_UP
    async with integrations.runtime.uow(Scope(org_id=org)) as uow:  # never committed: the
        await uow.github_issue_pushes.want(link.id, "First", gh.OPEN, give_up)  # worker sees none
        (sent,) = await uow.github_issue_pushes.of_link(link.id)
        await uow.github_issue_pushes.want(link.id, "Second", gh.OPEN, give_up)
        assert not await uow.github_issue_pushes.finished(sent.id, version=sent.version)
        (pending,) = await uow.github_issue_pushes.of_link(link.id)
        assert (pending.status, pending.title, pending.version) == ("pending", "Second",
                                                                    sent.version + 1)
        assert await uow.github_issue_pushes.finished(sent.id, version=pending.version)
        (done,) = await uow.github_issue_pushes.of_link(link.id)
        assert done.status == "done"


async def test_applied_deliveries_older_than_a_week_are_pruned_in_batches(integrations):
    old, recent, due = (str(uuid.uuid4()) for _ in range(3))
    async with integrations.runtime.uow(Scope.of_system()) as uow:
        for delivery in (old, recent):
            await uow.github_deliveries.keep(delivery, "push", None, "a/b", {"ref": "x"},
                                             applied=True)
        # Not applied, and due only in a day: the apply worker leaves it alone.
        await uow.github_deliveries.keep(due, "push", None, "a/b", {"ref": "x"})
        await uow.github_deliveries.retry(due, "", datetime.now(UTC) + timedelta(days=1))
        await uow.session.execute(update(github_deliveries).where(
            github_deliveries.c.delivery_id.in_([old, due]))
            .values(received_at=func.now() - timedelta(days=9)))
        await uow.session.execute(update(github_deliveries).where(
            github_deliveries.c.delivery_id == old)
            .values(applied_at=func.now() - timedelta(days=8)))
        assert await uow.github_deliveries.prune_applied(timedelta(days=7), 1000) >= 1
        assert await uow.github_deliveries.get(old) is None
        assert await uow.github_deliveries.get(recent) is not None
        assert await uow.github_deliveries.get(due) is not None


async def test_the_api_checks_a_tokens_access_and_reads_issues_a_page_at_a_time(
        integrations, fake_github):
    token = f"gho_{uuid.uuid4().hex}"
    fake_github.add_token(token, f"dev-{uuid.uuid4().hex[:6]}")
    repo = fake_github.add_repo(f"acme-{uuid.uuid4().hex[:8]}", "site").full_name
    for n in range(PAGE + 5):
        fake_github.create_issue(repo, f"Issue {n}")
    api = GitHubApi(integrations.runtime.settings)
    assert await api.can_access(token, repo)
    assert not await api.can_access(token, "nobody/nothing")
    pages = [page async for page in api.issue_pages(token, repo, None)]
    assert [len(page) for page in pages] == [PAGE, 5]
    with pytest.raises(NotFound):
        async for _ in api.issue_pages(token, "nobody/nothing", None):
            pass
