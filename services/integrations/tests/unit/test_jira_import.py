"""Jira's issues as Labs tasks, pure: the status by its category, the assignee's email, the
original estimate in hours, the description out of Atlassian Document Format; what a re-import
sends (only what Jira changed); which sources an import takes."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from labs_common.errors import InvalidArgument
from labs_integrations.domain.connections import Platform
from labs_integrations.domain.imports import (
    MAX_JQL,
    adf_text,
    changed_fields,
    check_source,
    hours,
    jira_issue,
    jira_status,
    task_fields,
)


def issue(**fields) -> dict:
    return {"id": "10042", "key": "WEB-7", "fields": {
        "summary": "Home page", "description": None,
        "status": {"name": "In Review", "statusCategory": {"key": "indeterminate"}},
        "assignee": {"accountId": "5b10", "emailAddress": "Ana@Acme.test"},
        "timeoriginalestimate": 5400, **fields}}


def test_an_issue_reads_as_a_task_by_its_status_category_assignee_email_and_estimate():
    found = jira_issue(issue())
    assert (found.external_id, found.reference, found.title) == ("10042", "WEB-7", "Home page")
    assert found.status == "in_progress"  # "In Review" is in Jira's in-progress category
    assert found.assignee_email == "ana@acme.test"
    assert found.estimated_hours == Decimal("1.50")


@pytest.mark.parametrize(("category", "status"), [
    ("new", "todo"), ("indeterminate", "in_progress"), ("done", "done"), ("undefined", "todo"),
    (None, "todo")])
def test_statuses_follow_the_category_every_workflow_has(category, status):
    assert jira_status(category) == status


def test_an_issue_without_assignee_estimate_or_email_leaves_them_unset():
    found = jira_issue(issue(assignee={"accountId": "5b10", "displayName": "Private"},
                             timeoriginalestimate=None, summary="  "))
    assert (found.assignee_email, found.estimated_hours, found.title) == \
        (None, None, "(untitled)")
    assert jira_issue(issue(assignee=None)).assignee_email is None


def test_estimates_are_hours_to_the_cent_and_absurd_ones_are_dropped():
    assert hours(3600, per_hour=3600) == Decimal("1.00")
    assert hours(1000, per_hour=3600) == Decimal("0.28")
    assert hours(-60, per_hour=3600) is None
    assert hours(10**12, per_hour=3600) is None  # beyond what a task holds
    assert hours("NaN") is None and hours(True) is None


def test_a_description_in_document_format_reads_as_lines_of_text():
    doc = {"type": "doc", "version": 1, "content": [
        {"type": "heading", "attrs": {"level": 2}, "content": [{"type": "text", "text": "Goal"}]},
        {"type": "paragraph", "content": [
            {"type": "text", "text": "Ship it, "}, {"type": "mention", "attrs": {"text": "@Ana"}},
            {"type": "hardBreak"}, {"type": "text", "text": "then rest "},
            {"type": "emoji", "attrs": {"shortName": ":tada:"}}]},
        {"type": "bulletList", "content": [
            {"type": "listItem", "content": [{"type": "paragraph", "content": [
                {"type": "inlineCard", "attrs": {"url": "https://acme.test/spec"}}]}]}]}]}
    assert adf_text(doc) == "Goal\nShip it, @Ana\nthen rest :tada:\nhttps://acme.test/spec"
    assert adf_text(None) == "" and adf_text("plain") == "plain"
    assert jira_issue(issue(description=doc)).description.startswith("Goal\n")


def test_a_reimport_sends_only_what_jira_changed_since_the_last():
    ana = uuid.uuid4()
    first = task_fields(jira_issue(issue()), ana)
    assert first == {"title": "Home page", "description": "", "status": "in_progress",
                     "assignee_id": str(ana), "estimated_hours": "1.50"}
    assert changed_fields(first, first) == {}
    later = task_fields(jira_issue(issue(status={"statusCategory": {"key": "done"}},
                                         assignee=None)), None)
    assert changed_fields(first, later) == {"status": "done", "assignee_id": ""}


def test_an_import_takes_a_jql_query_or_an_asana_project_id():
    assert check_source(Platform.JIRA, "  project = WEB ") == "project = WEB"
    assert check_source(Platform.ASANA, "1200000000000001") == "1200000000000001"
    for platform, source in [(Platform.JIRA, " "), (Platform.JIRA, "x" * (MAX_JQL + 1)),
                             (Platform.ASANA, "project = WEB"), (Platform.JIRA, "a\x00b")]:
        with pytest.raises(InvalidArgument) as refused:
            check_source(platform, source)
        assert [e.field for e in refused.value.field_errors] == ["source"]
