"""Slash commands: `/labs time|task|status|help`, run as the Labs member whose email is the Slack
user's, through the services' own RPCs with the member's delegated token, so time applies its
rates, rounding, locks and permissions, projects its own, and whatever the member may not see is
not shown (visibility is the services' answer to the member's token, and the reply is redacted
for the member's role besides).

Slack gives up on an answer after 3 s: the command runs as a task awaited for ANSWER_SECONDS; a
slower one answers "Working on it…" and posts its result to the command's response_url. The fast
path makes no Slack call for a known user (slack_users, asked again once a day) and reuses
delegated tokens; Slack is never called inside a transaction. A command's writes carry an
Idempotency-Key of its workspace and trigger_id: a replayed or retried one answers the same
entry or task."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import structlog

from labs.forecasting.v1 import forecasting_service_pb2 as forecasting_pb
from labs.projects.v1 import projects_service_pb2 as projects_pb
from labs.time.v1 import time_service_pb2 as time_pb
from labs_common.auth.delegation import DelegatedTokens, Delegation, acting_as
from labs_common.db.uow import Scope
from labs_common.errors import (
    InvalidArgument,
    LabsError,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from labs_common.grpc import transactions
from labs_common.grpc.status import remote_call
from labs_common.protobuf import enum_api_name
from labs_common.visibility import Reader, redact
from labs_integrations.adapters.platforms import slack_client
from labs_integrations.adapters.vault import Vault
from labs_integrations.config import Settings
from labs_integrations.domain import slack
from labs_integrations.domain.connections import Platform
from labs_integrations.domain.read_model import KnownProject
from labs_integrations.service_layer.connections import credentials

log = structlog.get_logger(__name__)

# Slack waits 3 s; what is not done by then follows on response_url.
ANSWER_SECONDS = 2.0
RESPONSE_URL_ATTEMPTS = 4
OPEN_STATUSES = {projects_pb.TASK_STATUS_BACKLOG, projects_pb.TASK_STATUS_TODO,
                 projects_pb.TASK_STATUS_IN_PROGRESS, projects_pb.TASK_STATUS_IN_REVIEW}
WORKING = "Working on it…"
# A Slack user's email is asked of Slack again once it is older than this (an email changed in
# Slack reaches Labs within a day); the one known is used while Slack cannot be reached.
EMAIL_FRESH = timedelta(hours=24)


@dataclass(frozen=True)
class Reply:
    text: str
    response_type: str = "ephemeral"


class Refusal(Exception):
    """A command that cannot run, with what to tell the user."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class Unreachable(Refusal):
    """Slack could not answer (down, rate limited): an email known before is used still."""


@dataclass(frozen=True)
class Asker:
    """The member a command runs as, in the org its workspace is connected to."""

    org_id: uuid.UUID
    email: str
    member_id: uuid.UUID
    token: str  # the workspace's bot token
    timezone: str = "UTC"


class SlackCommands:
    def __init__(self, uow, settings: Settings, vault: Vault, *, tokens: DelegatedTokens,
                 time_stub: Any, projects_stub: Any, forecasting_stub: Any = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 answer_seconds: float = ANSWER_SECONDS) -> None:
        self._uow = uow
        self._settings = settings
        self._vault = vault
        self._tokens = tokens
        self._time = time_stub
        self._projects = projects_stub
        self._forecasting = forecasting_stub
        self._clock = clock
        self.answer_seconds = answer_seconds
        self._followups: set[asyncio.Task] = set()
        self._http = httpx.AsyncClient(timeout=10.0)

    async def aclose(self) -> None:
        for task in list(self._followups):
            task.cancel()
        await self._http.aclose()

    # --- the RPC's work ------------------------------------------------------------------

    async def receive(self, body: bytes, timestamp: str, signature: str) -> Reply:
        """Verifies (Unauthenticated when it does not), then answers within the window."""
        slack.verify_signature(self._settings.slack_signing_secret.get_secret_value(), body,
                               timestamp, signature)
        command = slack.parse_form(body)
        task = asyncio.create_task(self._run(command))
        try:
            return await asyncio.wait_for(asyncio.shield(task), self.answer_seconds)
        except TimeoutError:
            self._followups.add(task)
            task.add_done_callback(lambda done: self._follow_up(done, command))
            return Reply(WORKING)

    def _follow_up(self, task: asyncio.Task, command: slack.SlashCommand) -> None:
        self._followups.discard(task)
        if task.cancelled():
            return
        reply = task.result() if task.exception() is None else Reply(
            "Something went wrong; try again shortly.")
        posting = asyncio.get_running_loop().create_task(self.respond(command.response_url,
                                                                      reply))
        self._followups.add(posting)
        posting.add_done_callback(self._followups.discard)

    async def respond(self, response_url: str, reply: Reply) -> bool:
        """POSTs the reply to the command's response_url, retried a few times."""
        if not response_url:
            return False
        for attempt in range(RESPONSE_URL_ATTEMPTS):
            try:
                answer = await self._http.post(response_url, json={
                    "response_type": reply.response_type, "text": reply.text})
                if answer.status_code < 500:
                    return answer.is_success
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5 * 2 ** attempt)
        log.warning("slack.response_url_failed")
        return False

    async def _run(self, command: slack.SlashCommand) -> Reply:
        try:
            parsed = slack.parse_command(command.text)
            if isinstance(parsed, slack.HelpCommand):
                return Reply((parsed.problem + "\n\n" if parsed.problem else "") + slack.USAGE)
            asker = await self._asker(command)
            once = idempotency_metadata(command)
            if isinstance(parsed, slack.TimeCommand):
                return await self._log_time(asker, parsed, once)
            if isinstance(parsed, slack.TaskCommand):
                return await self._create_task(asker, parsed, once)
            return await self._status(asker, parsed)
        except Refusal as refusal:
            return Reply(refusal.text)
        except LabsError as error:
            return Reply(explain(error))
        except Exception:  # a bug or an outage: said plainly, logged once
            log.exception("slack.command_failed")
            return Reply("Something went wrong; try again shortly.")

    # --- who asks --------------------------------------------------------------------------

    async def _asker(self, command: slack.SlashCommand) -> Asker:
        """No Slack call inside a transaction: what is known is read and the transaction
        closed, then Slack is asked (an unknown user, or an email older than EMAIL_FRESH), then
        the email is remembered and the member looked up in a new one."""
        async with self._uow(Scope.of_system()) as uow:
            connections = await uow.connections.by_account(Platform.SLACK, command.team_id)
            known = await uow.slack_users.known(command.team_id, command.user_id)
        if not connections:
            raise Refusal("This Slack workspace is not connected to Labs.")
        connection = connections[0]
        async with self._uow(Scope(org_id=connection.org_id)) as uow:
            opened = await credentials(uow, self._vault, Platform.SLACK)
        if opened is None:
            raise Refusal("This Slack workspace is not connected to Labs.")
        email = known[0] if known is not None else None
        fetched: str | None = None
        if known is None or self._clock() - known[1] > EMAIL_FRESH:
            try:
                fetched = await self._fetch_email(opened.access_token, command)
            except Unreachable:
                if email is None:
                    raise
                log.warning("slack.user_refresh_failed", team_id=command.team_id)
            email = fetched or email
        assert email is not None
        async with self._uow(Scope(org_id=connection.org_id)) as uow:
            if fetched is not None:
                await uow.slack_users.remember(command.team_id, command.user_id, fetched,
                                               self._clock())
            member = await uow.known_members.by_email(email)
            timezone = await uow.known_orgs.timezone(connection.org_id)
            await uow.commit()
        if member is None or not member.is_staff:
            raise Refusal(f"No Labs member of this workspace's organization has the email "
                          f"{email}. Ask an admin to invite you with it.")
        return Asker(connection.org_id, email, member.user_id, opened.access_token, timezone)

    async def _fetch_email(self, token: str, command: slack.SlashCommand) -> str:
        # slack_sdk on first use: see adapters/platforms.py
        from slack_sdk.errors import SlackApiError

        try:
            answer = await slack_client(self._settings, token).users_info(user=command.user_id)
        except SlackApiError as error:
            reason = error.response.get("error")
            if reason == "ratelimited" or error.response.status_code >= 500:
                raise Unreachable("Slack cannot be reached right now; try again shortly."
                                  ) from None
            raise Refusal(f"Slack did not tell me who you are ({reason}).") from None
        except Exception:
            raise Unreachable("Slack cannot be reached right now; try again shortly.") from None
        email = ((answer.get("user") or {}).get("profile") or {}).get("email")
        if not email:
            raise Refusal("Slack did not share your email with Labs (the app needs the "
                          "users:read.email scope).")
        return str(email).lower()

    async def _delegation(self, asker: Asker, reason: str) -> Delegation:
        return await self._tokens.token(asker.org_id, email=asker.email, reason=reason)

    async def _project(self, asker: Asker, words: tuple[str, ...], *, need_rest: bool
                       ) -> tuple[KnownProject, tuple[str, ...]]:
        async with self._uow(Scope(org_id=asker.org_id)) as uow:
            match = await slack.match_project(words, uow.known_projects.by_name,
                                              need_rest=need_rest)
        if match.project is None:
            if match.candidates:
                names = ", ".join(f"*{p.name}*" for p in match.candidates)
                raise Refusal(f"Which project? {names} all match; say more of the name.")
            raise Refusal(f"No project is named `{' '.join(words[:3])}`.")
        return match.project, match.rest  # type: ignore[return-value]

    # --- the commands ------------------------------------------------------------------------

    async def _log_time(self, asker: Asker, command: slack.TimeCommand,
                        once: dict[str, Any]) -> Reply:
        project, rest = await self._project(asker, command.words, need_rest=False)
        delegation = await self._delegation(asker, "slack /labs time")
        today = slack.today_in(asker.timezone, self._clock())
        with acting_as(delegation):
            answer = await remote_call(self._time.CreateTimeEntry(time_pb.CreateTimeEntryRequest(
                project_id=str(project.project_id), date_worked=today.isoformat(),
                hours=str(command.hours), notes=" ".join(rest)), **once))
        entry = answer.entry
        hours = Decimal(entry.hours or str(command.hours)).normalize()
        note = f": {entry.notes}" if entry.notes else ""
        return Reply(f":white_check_mark: Logged {hours:f} h on *{project.name}* for "
                     f"{today.isoformat()}{note}")

    async def _create_task(self, asker: Asker, command: slack.TaskCommand,
                           once: dict[str, Any]) -> Reply:
        project, rest = await self._project(asker, command.words, need_rest=True)
        delegation = await self._delegation(asker, "slack /labs task")
        with acting_as(delegation):
            answer = await remote_call(self._projects.CreateTask(projects_pb.CreateTaskRequest(
                project_id=str(project.project_id),
                task=projects_pb.Task(title=" ".join(rest))), **once))
        return Reply(f":memo: Created task *{answer.task.title}* in *{project.name}*")

    async def _status(self, asker: Asker, command: slack.StatusCommand) -> Reply:
        project, _rest = await self._project(asker, command.words, need_rest=False)
        delegation = await self._delegation(asker, "slack /labs status")
        reader = Reader.of(delegation.principal())
        with acting_as(delegation):
            found = await remote_call(self._projects.GetProject(
                projects_pb.GetProjectRequest(id=str(project.project_id))))
            shown = redact(found.project, reader)
            open_tasks = await self._open_tasks(str(project.project_id))
            budget = await self._budget_used(str(project.project_id), reader)
        status = enum_api_name(projects_pb.ProjectStatus.DESCRIPTOR,
                               projects_pb.ProjectStatus.Name(shown.status))
        lines = [f"*{shown.name}*: {status.replace('_', ' ')}",
                 f"Open tasks: {open_tasks}"]
        if budget:
            lines.append(budget)
        return Reply("\n".join(lines))

    async def _open_tasks(self, project_id: str) -> int:
        count, token = 0, ""
        for _ in range(50):
            page = await remote_call(self._projects.ListTasks(projects_pb.ListTasksRequest(
                project_id=project_id, page_size=100, page_token=token)))
            count += sum(1 for t in page.tasks if t.status in OPEN_STATUSES)
            token = page.next_page_token
            if not token:
                break
        return count

    async def _budget_used(self, project_id: str, reader: Reader) -> str:
        """The budget used, when the member may see it (forecasting answers to their token;
        the answer is redacted for their role too)."""
        if self._forecasting is None:
            return ""
        try:
            answer = await remote_call(self._forecasting.GetProjectMargin(
                forecasting_pb.GetProjectMarginRequest(project_id=project_id)))
        except (PermissionDenied, NotFound, Unauthenticated, InvalidArgument):
            return ""
        except LabsError:
            return ""
        shown = redact(answer, reader)
        if not shown.HasField("margin") or not shown.margin.budget_used_percent:
            return ""
        return f"Budget used: {shown.margin.budget_used_percent}%"


def idempotency_key(command: slack.SlashCommand) -> str | None:
    """The command's Idempotency-Key: one per invocation (Slack's trigger_id, within its
    workspace), so a replayed request (within the signature's 5 minutes) or a retry after
    "Working on it…" answers the entry or task made the first time instead of a second one."""
    if not command.trigger_id:
        return None
    digest = hashlib.sha256(f"{command.team_id}\0{command.trigger_id}".encode()).hexdigest()
    return f"slack-command-{digest}"


def idempotency_metadata(command: slack.SlashCommand) -> dict[str, Any]:
    """The keyword arguments of a write's call: its Idempotency-Key as metadata (the delegated
    token's authorization is added by the channel's interceptor, from acting_as)."""
    metadata = transactions.idempotency_metadata(idempotency_key(command))
    return {} if metadata is None else {"metadata": metadata}


def explain(error: LabsError) -> str:
    """A service's refusal as the user is to read it."""
    if isinstance(error, PermissionDenied):
        return f":no_entry: You may not do that in Labs: {error.detail}"
    if isinstance(error, InvalidArgument):
        fields = "; ".join(f"{f.field}: {f.message}" for f in error.field_errors)
        return f":x: Labs refused it: {fields or error.detail}"
    if isinstance(error, NotFound):
        return f":x: Not found: {error.detail}"
    return f":x: {error.detail or 'Something went wrong; try again shortly.'}"
