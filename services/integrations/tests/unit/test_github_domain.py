"""GitHub's pure rules: the webhook signature (forged, missing, no secret configured), the issues
a pull request closes, the echo guard and what a change on either side asks of the other."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from labs_integrations.domain import github as gh


def signed(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


BODY = b'{"action":"opened","issue":{"number":1}}'


def test_a_signature_of_the_exact_bytes_with_the_secret_verifies():
    assert gh.verify_signature("s3cret", BODY, signed("s3cret", BODY))
    assert gh.verify_signature("s3cret", BODY, signed("s3cret", BODY).upper().replace(
        "SHA256=", "sha256="))


@pytest.mark.parametrize("signature", [
    signed("other", BODY),                       # forged: another secret
    signed("s3cret", BODY + b" "),               # the body re-encoded
    signed("s3cret", BODY).removeprefix("sha256="),  # no scheme
    "sha1=" + hmac.new(b"s3cret", BODY, hashlib.sha1).hexdigest(),
    "", None, "sha256=",
])
def test_a_forged_or_missing_signature_does_not(signature):
    assert not gh.verify_signature("s3cret", BODY, signature)


@pytest.mark.parametrize("signature", [
    "sha256=é",                                            # compare_digest refuses non-ASCII str
    "sha256=" + "é" * 64,
    "sha256=" + signed("s3cret", BODY)[7:-1] + "é",         # right length, one non-ASCII
    "sha256=" + "z" * 64,                                   # not hex
    signed("s3cret", BODY) + "00",                          # too long
])
def test_a_non_hex_or_non_ascii_signature_does_not_verify_and_never_raises(signature):
    assert gh.verify_signature("s3cret", BODY, signature) is False


def test_with_no_secret_configured_nothing_verifies():
    assert not gh.verify_signature("", BODY, signed("", BODY))


@pytest.mark.parametrize(("title", "body", "numbers"), [
    ("Closes #12", None, [12]),
    ("fix login", "This fixes #3 and RESOLVES #4.\nAlso closed #3", [3, 4]),
    ("Fixed: #7", "", [7]),
    ("resolve #9, close #10", "fixes #11", [9, 10, 11]),
    ("mentions #5", "see #6; prefix #7", []),
    ("Closes#12", "closes # 13", []),
    ("closes #0", "", []),
])
def test_closing_references(title, body, numbers):
    assert gh.closing_references(title, body) == numbers


def link(**overrides) -> gh.IssueLink:
    values = dict(id=uuid.uuid4(), org_id=uuid.uuid4(), project_id=uuid.uuid4(),
                  task_id=uuid.uuid4(), repository="acme/site", issue_number=1,
                  last_title="Login breaks", last_state=gh.OPEN,
                  last_body_hash=gh.body_hash("Steps"))
    return gh.IssueLink(**(values | overrides))


def issue(**overrides) -> gh.IssueFacts:
    values = dict(number=1, title="Login breaks", body="Steps", state=gh.OPEN)
    return gh.IssueFacts(**(values | overrides))


def test_a_webhook_saying_what_was_last_synced_is_an_echo():
    assert gh.is_echo(link(), issue())
    assert not gh.is_echo(None, issue())
    assert not gh.is_echo(link(), issue(title="Login breaks on Safari"))
    assert not gh.is_echo(link(), issue(state=gh.CLOSED))
    assert not gh.is_echo(link(), issue(body="Steps to reproduce"))
    # An apply cut short is no echo: its change may not be in the task yet.
    assert not gh.is_echo(link(applying=True), issue())


def test_a_new_issue_sets_every_field_and_an_open_one_starts_in_todo():
    assert gh.task_changes(None, issue(), None) == {
        "title": "Login breaks", "description": "Steps", "status": "todo"}
    assert gh.task_changes(None, issue(state=gh.CLOSED), None)["status"] == "done"


def test_against_a_link_only_what_github_changed_is_applied():
    assert gh.task_changes(link(), issue(title="New"), "in_progress") == {"title": "New"}
    assert gh.task_changes(link(), issue(state=gh.CLOSED), "in_progress") == {"status": "done"}
    # Closed again while done already: nothing to move.
    assert gh.task_changes(link(), issue(state=gh.CLOSED), "done") == {}
    # Reopened: a done task goes back to todo; one moved on in Labs stays where it is.
    closed = link(last_state=gh.CLOSED)
    assert gh.task_changes(closed, issue(), "done") == {"status": "todo"}
    assert gh.task_changes(closed, issue(), "in_review") == {}
    # An edit of the title leaves a Labs-side status alone.
    assert gh.task_changes(link(), issue(title="New"), "done") == {"title": "New"}


def test_an_unfinished_apply_is_redone_in_full():
    fields = gh.task_changes(link(applying=True), issue(state=gh.CLOSED), "todo")
    assert fields == {"title": "Login breaks", "description": "Steps", "status": "done"}


def test_a_task_change_asks_of_its_issue_only_what_differs():
    assert gh.wanted_of_issue(link(), "Login breaks", done=False) == (None, None)
    assert gh.wanted_of_issue(link(), "Login breaks", done=True) == (None, gh.CLOSED)
    assert gh.wanted_of_issue(link(), "Renamed", done=False) == ("Renamed", None)
    assert gh.wanted_of_issue(link(last_state=gh.CLOSED), "Login breaks", done=False) == (
        None, gh.OPEN)


def test_push_retries_double_from_the_base_and_are_capped():
    base = timedelta(minutes=1)
    assert [gh.push_retry_delay(n, base) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert gh.push_retry_delay(30, base) == gh.PUSH_RETRY_CAP


def test_titles_are_kept_as_the_task_keeps_them():
    assert gh.task_title("  Login\x00 breaks  ") == "Login breaks"
    assert len(gh.task_title("x" * 600)) == gh.MAX_TITLE
    assert gh.task_title("   ") == "(untitled)"
    facts = gh.IssueFacts.of({"number": 3, "title": " T ", "body": None, "state": "closed",
                              "assignees": [{"login": "ana"}], "html_url": "u"})
    assert (facts.title, facts.body, facts.state, facts.assignee_login) == (
        "T", "", gh.CLOSED, "ana")


def test_the_repository_of_a_payload_is_lowercased():
    assert gh.repository_name({"repository": {"full_name": "Acme/Site"}}) == "acme/site"
    assert gh.repository_name({}) is None


def test_an_older_snapshot_never_undoes_a_newer_one():
    link = gh.IssueLink(id=uuid.uuid4(), org_id=uuid.uuid4(), project_id=uuid.uuid4(),
                        task_id=uuid.uuid4(), repository="acme/site", issue_number=1,
                        last_title="T", last_state=gh.CLOSED, last_body_hash=gh.body_hash(""),
                        issue_updated_at=datetime(2026, 12, 1, 10, 0, 5, tzinfo=UTC))
    late = gh.IssueFacts.of({"number": 1, "title": "T", "body": "", "state": "open",
                             "updated_at": "2026-12-01T10:00:01Z"})
    newer = gh.IssueFacts.of({"number": 1, "title": "T", "body": "", "state": "open",
                              "updated_at": "2026-12-01T10:00:09Z"})
    undated = gh.IssueFacts.of({"number": 1, "title": "T", "body": "", "state": "open"})
    assert gh.is_stale(link, late)
    assert not gh.is_stale(link, newer) and not gh.is_stale(link, undated)
    assert not gh.is_stale(None, late)
