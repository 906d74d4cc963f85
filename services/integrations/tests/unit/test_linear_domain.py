"""Linear's pure rules: the webhook signature (forged, missing, no secret) and its freshness, a
workflow state as a Labs status and back, which Labs project an issue belongs to and the
settings that say so, and the echo guard with what a change on either side asks of the other."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from labs_common.errors import InvalidArgument
from labs_integrations.domain import linear as ln
from labs_integrations.domain.connections import Platform, check_settings

BODY = b'{"action":"create","type":"Issue","data":{"id":"x"}}'


def signed(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- the signature and its freshness -----------------------------------------------------------

def test_the_hex_hmac_of_the_exact_bytes_verifies():
    assert ln.verify_signature("s3cret", BODY, signed("s3cret", BODY))
    assert ln.verify_signature("s3cret", BODY, signed("s3cret", BODY).upper())


@pytest.mark.parametrize("signature", [
    signed("other", BODY),                    # forged: another secret
    signed("s3cret", BODY + b" "),            # the body re-encoded
    "sha256=" + signed("s3cret", BODY),       # GitHub's form is not Linear's
    signed("s3cret", BODY)[:-1] + "é",        # non-ASCII never raises
    "z" * 64, signed("s3cret", BODY) + "00", "", None,
])
def test_a_forged_malformed_or_missing_signature_does_not(signature):
    assert ln.verify_signature("s3cret", BODY, signature) is False


def test_without_a_secret_nothing_verifies():
    assert not ln.verify_signature("", BODY, signed("", BODY))


def test_a_delivery_is_fresh_for_a_minute_either_way_and_never_without_a_timestamp():
    now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    ms = int(now.timestamp() * 1000)
    assert ln.is_fresh(ms, now)
    assert ln.is_fresh(ms - 59_000, now) and ln.is_fresh(ms + 30_000, now)
    assert not ln.is_fresh(ms - 61_000, now)  # Linear's advice: older than a minute is refused
    assert not ln.is_fresh(ms + 120_000, now)
    for odd in (None, "1700000000000", True, float("inf"), 10**20):
        assert not ln.is_fresh(odd, now)


# --- issues as tasks ---------------------------------------------------------------------------

def state(kind: str, name: str = "", position: float = 0) -> ln.State:
    return ln.State(id=f"{kind}-{name or kind}", name=name or kind.title(), type=kind,
                    position=position)


@pytest.mark.parametrize(("kind", "name", "status"), [
    ("triage", "Triage", "todo"), ("backlog", "Backlog", "todo"),
    ("unstarted", "Todo", "todo"), ("started", "In Progress", "in_progress"),
    ("started", "In Review", "in_review"), ("completed", "Done", "done"),
    ("canceled", "Canceled", "cancelled"),
])
def test_a_state_is_read_by_its_type(kind, name, status):
    assert ln.status_of(state(kind, name)) == status


def test_a_task_already_saying_the_state_is_left_where_it_is():
    assert ln.agrees("backlog", state("backlog"))  # Linear's backlog keeps Labs' backlog
    assert ln.agrees("todo", state("backlog"))
    assert not ln.agrees("backlog", state("unstarted"))
    assert not ln.agrees("in_progress", state("started", "In Review"))
    assert not ln.agrees("done", state("canceled"))


TEAM = [state("backlog", "Backlog", 0), state("unstarted", "Todo", 1),
        state("started", "In Progress", 2), state("started", "In Review", 3),
        state("completed", "Done", 4), state("completed", "Released", 5),
        state("canceled", "Canceled", 6), state("canceled", "Duplicate", 7)]


@pytest.mark.parametrize(("status", "name"), [
    ("backlog", "Backlog"), ("todo", "Todo"), ("in_progress", "In Progress"),
    ("in_review", "In Review"), ("done", "Done"), ("cancelled", "Canceled"),
])
def test_a_status_asks_for_the_first_state_of_its_type(status, name):
    assert ln.state_for(TEAM, status).name == name


def test_a_team_without_the_type_gets_the_closest_state_it_has():
    lean = [state("unstarted", "Todo"), state("started", "Doing"), state("completed", "Done")]
    assert ln.state_for(lean, "backlog").name == "Todo"
    assert ln.state_for(lean, "in_review").name == "Doing"
    assert ln.state_for(lean, "cancelled") is None


def test_an_issue_reads_from_a_webhook_or_a_query_alike():
    webhook = {"id": "i1", "identifier": "ENG-7", "title": "  Login\x00 breaks ",
               "description": None, "teamId": "t1", "team": {"id": "t1", "key": "eng"},
               "projectId": "P1", "assigneeId": "u1", "assignee": {"id": "u1", "name": "Ana"},
               "state": {"id": "s1", "name": "Todo", "type": "unstarted"}, "estimate": 2.5,
               "updatedAt": "2026-12-01T09:30:00.123Z"}
    issue = ln.IssueFacts.of(webhook)
    assert (issue.title, issue.description, issue.team_key, issue.project_id,
            issue.assignee_id, issue.assignee_email, issue.estimate) == (
        "Login breaks", "", "ENG", "P1", "u1", None, 2)
    assert issue.updated_at == datetime(2026, 12, 1, 9, 30, 0, 123000, tzinfo=UTC)
    node = ln.IssueFacts.of({"id": "i1", "identifier": "ENG-7", "title": "x",
                             "assignee": {"id": "u1", "email": "Ana@Acme.test"},
                             "team": {"id": "t1", "key": "ENG"}, "project": None})
    assert (node.assignee_email, node.project_id, node.team_key) == ("ana@acme.test", None,
                                                                     "ENG")


def test_an_estimate_is_story_points_never_hours():
    assert [ln.story_points(v) for v in (0, 3, 2.5, "8", -1, 10_000, None, True, "x")] == [
        0, 3, 2, 8, None, None, None, None, None]


# --- which project -----------------------------------------------------------------------------

P1, P2 = str(uuid.uuid4()), str(uuid.uuid4())
LINEAR_PROJECT = str(uuid.uuid4())


def test_settings_are_checked_and_kept_in_linear_s_spelling():
    clean = check_settings(Platform.LINEAR, {"teams": {"eng": P1},
                                             "projects": {LINEAR_PROJECT.upper(): P2}}, 10)
    assert clean == {"teams": {"ENG": P1}, "projects": {LINEAR_PROJECT: P2}}
    assert ln.mapped_projects(clean) == {"settings.teams.ENG": uuid.UUID(P1),
                                         f"settings.projects.{LINEAR_PROJECT}": uuid.UUID(P2)}


def test_every_wrong_setting_is_named_at_once():
    with pytest.raises(InvalidArgument) as refused:
        check_settings(Platform.LINEAR, {"teams": {"ENG": "not-a-uuid", "bad key!": P1},
                                         "projects": ["x"], "repo": "y"}, 10)
    assert sorted(e.field for e in refused.value.field_errors) == [
        "settings.projects", "settings.repo", "settings.teams.ENG", "settings.teams.bad key!"]
    with pytest.raises(InvalidArgument) as refused:
        check_settings(Platform.LINEAR, {"projects": {"ENG": P1}}, 10)
    assert [e.field for e in refused.value.field_errors] == ["settings.projects.ENG"]


def issue_of(**changes) -> ln.IssueFacts:
    values = dict(id="i1", identifier="ENG-1", title="Login breaks", description="Steps",
                  state=state("unstarted", "Todo"), team_id="t1", team_key="ENG",
                  project_id=None, assignee_id=None, estimate=None,
                  updated_at=datetime(2026, 12, 1, tzinfo=UTC))
    values.update(changes)
    return ln.IssueFacts(**values)


def test_a_linear_project_mapping_wins_over_its_team_s():
    settings = {"teams": {"ENG": P1}, "projects": {LINEAR_PROJECT: P2}}
    assert ln.project_for(settings, issue_of()) == uuid.UUID(P1)
    assert ln.project_for(settings, issue_of(project_id=LINEAR_PROJECT)) == uuid.UUID(P2)
    assert ln.project_for(settings, issue_of(team_key="OPS")) is None
    assert ln.project_for({}, issue_of()) is None


# --- the echo guard ----------------------------------------------------------------------------

def link_of(issue: ln.IssueFacts, status: str = "todo") -> ln.IssueLink:
    link = ln.IssueLink(id=uuid.uuid4(), org_id=uuid.uuid4(), project_id=uuid.uuid4(),
                        task_id=uuid.uuid4(), issue_id=issue.id, identifier=issue.identifier,
                        team_id=issue.team_id, last_title="", last_description_hash="",
                        last_state_id="", last_status="")
    return ln.agreed_link(link, issue, status)


def test_a_webhook_saying_what_the_link_agreed_on_is_an_echo():
    issue = issue_of()
    link = link_of(issue)
    assert ln.is_echo(link, issue)
    assert not ln.is_echo(link, issue_of(title="Login breaks on Safari"))
    assert not ln.is_echo(link, issue_of(state=state("started", "In Progress")))
    assert not ln.is_echo(link, issue_of(estimate=3))
    link.applying = True  # an apply cut short is redone
    assert not ln.is_echo(link, issue)
    assert not ln.is_echo(None, issue)


def test_an_older_snapshot_is_stale():
    link = link_of(issue_of())
    assert ln.is_stale(link, issue_of(updated_at=datetime(2026, 11, 30, tzinfo=UTC)))
    assert not ln.is_stale(link, issue_of(updated_at=datetime(2026, 12, 2, tzinfo=UTC)))


def test_a_new_task_takes_everything_the_issue_says():
    issue = issue_of(state=state("started", "In Progress"), estimate=3)
    assert ln.task_changes(None, issue, None, "member-id") == {
        "title": "Login breaks", "description": "Steps", "status": "in_progress",
        "story_points": "3", "assignee_id": "member-id"}
    assert "assignee_id" not in ln.task_changes(None, issue, None, None)  # no such member


def test_a_linked_task_gets_only_what_linear_changed():
    link = link_of(issue_of(), status="backlog")  # Labs keeps it in its backlog
    assert ln.task_changes(link, issue_of(title="Renamed"), "backlog", None) == {
        "title": "Renamed"}
    assert ln.task_changes(link, issue_of(state=state("completed", "Done")), "backlog",
                           None) == {"status": "done"}
    assert ln.task_changes(link, issue_of(assignee_id="u2"), "backlog", "") == {
        "assignee_id": ""}
    assert ln.task_changes(link, issue_of(), "backlog", None) == {}


def test_a_task_change_asks_of_its_issue_only_what_the_link_does_not_say():
    link = link_of(issue_of(), status="todo")
    assert ln.wanted_of_issue(link, "Login breaks", "todo") == (None, None)  # our own echo
    assert ln.wanted_of_issue(link, "Login breaks", "done") == (None, "done")
    assert ln.wanted_of_issue(link, "New title", "todo") == ("New title", None)


def test_pushes_back_off_doubling_up_to_a_cap():
    base = timedelta(minutes=1)
    assert [ln.push_retry_delay(n, base) for n in (1, 2, 3)] == [
        timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert ln.push_retry_delay(30, base) == ln.PUSH_RETRY_CAP


def test_another_mapping_is_another_reconcile_scope():
    one = ln.watch_scope({"teams": {"ENG": P1}})
    assert one == ln.watch_scope({"teams": {"ENG": P2}})  # which project: not what is read
    assert one != ln.watch_scope({"teams": {"ENG": P1, "OPS": P1}})
    assert one != ln.watch_scope({"teams": {"ENG": P1}, "projects": {LINEAR_PROJECT: P2}})
