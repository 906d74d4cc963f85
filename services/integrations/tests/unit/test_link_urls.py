"""What a link's URL names (domain/links.py, no I/O): Figma files, Notion pages, GitHub and
Linear issues in the forms people paste them, normalised so the same target is recognised
whatever its slug, node, view or case; anything else is a 422 on `url` naming what is
accepted; and who may link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument, PermissionDenied
from labs_common.testing.fakes import a_caller
from labs_integrations.domain.connections import Platform
from labs_integrations.domain.links import (
    ACCEPTED,
    TargetFacts,
    after_failure,
    after_throttle,
    check_editor,
    github_issue,
    linear_issue,
    platform_time,
    target_of,
)

PAGE_HEX = "1429989fe8ac4effbc8f57f56486db54"
PAGE_ID = "1429989f-e8ac-4eff-bc8f-57f56486db54"


@pytest.mark.parametrize("url", [
    "https://www.figma.com/file/aBc123XyZ789qwe/Website-redesign?node-id=1-2&t=abc",
    "https://figma.com/design/aBc123XyZ789qwe/Website-redesign",
    "figma.com/file/aBc123XyZ789qwe",
    "http://www.figma.com/design/aBc123XyZ789qwe/",
    "https://www.figma.com/file/aBc123XyZ789qwe/Website#frame",
])
def test_a_figma_file_is_named_by_its_key_whatever_the_slug_node_or_kind(url):
    target = target_of(url)
    assert target.platform is Platform.FIGMA
    assert target.key == "aBc123XyZ789qwe"
    assert target.url.startswith("https://www.figma.com/")
    assert target.url.endswith("/aBc123XyZ789qwe")


def test_a_figma_branch_is_the_branch_file_figma_reads():
    target = target_of("https://www.figma.com/design/aBc123XyZ789qwe/branch/BrAnCh123456/Site")
    assert target.key == "BrAnCh123456"
    assert target.url == "https://www.figma.com/design/BrAnCh123456"


@pytest.mark.parametrize("url", [
    f"https://www.notion.so/acme/Project-brief-{PAGE_HEX}",
    f"https://notion.so/Project-brief-{PAGE_HEX}",
    f"https://www.notion.so/{PAGE_HEX}",
    f"https://www.notion.so/acme/{PAGE_ID}",
    f"https://www.notion.so/acme/Project-brief-{PAGE_HEX}?pvs=4#block",
    f"https://www.notion.so/acme/{'9' * 32}?v={'a' * 32}&p={PAGE_HEX}",
    f"https://acme.notion.site/Project-brief-{PAGE_HEX}",
])
def test_a_notion_page_is_named_by_its_id_in_uuid_form(url):
    target = target_of(url)
    assert (target.platform, target.key) == (Platform.NOTION, PAGE_ID)
    assert target.url == f"https://www.notion.so/{PAGE_HEX}"


def test_a_github_issue_is_named_case_insensitively_and_keeps_its_urls_case():
    target = target_of("https://github.com/Acme-Co/Site.v2/issues/42")
    assert (target.platform, target.key) == (Platform.GITHUB, "acme-co/site.v2#42")
    assert target.url == "https://github.com/Acme-Co/Site.v2/issues/42"
    assert target_of("https://www.github.com/acme-co/site.v2/issues/42?x=1#c").key == target.key
    assert github_issue(target.key) == ("acme-co/site.v2", 42)


def test_a_linear_issue_is_named_by_its_workspace_and_identifier():
    target = target_of("https://linear.app/Acme/issue/eng-123/fix-the-login-page")
    assert (target.platform, target.key) == (Platform.LINEAR, "acme/ENG-123")
    assert target.url == "https://linear.app/acme/issue/ENG-123"
    assert linear_issue(target.key) == ("acme", "ENG-123")


@pytest.mark.parametrize("url", [
    "", "   ", "not a url", "https://example.com/file/abc", "ftp://figma.com/file/aBc123XyZ789",
    "https://user:pw@figma.com/file/aBc123XyZ789", "https://figma.com:8443/file/aBc123XyZ789",
    "https://figma.com:notaport/file/x", "https://figma.com/files/team/123",
    "https://figma.com/file/short", "https://figma.com/proto/aBc123XyZ789qwe/x",
    "https://notion.so/acme/Just-a-title", f"https://notion.so/a/b/c-{PAGE_HEX}",
    "https://github.com/acme/site/pull/4", "https://github.com/acme/site/issues/0",
    "https://github.com/acme/site/issues/4/comments", "https://github.com/acme/site/issues/x",
    "https://github.com/acme/site/issues/99999999999", "https://github.com/acme",
    "https://linear.app/acme/issue/not_an_id", "https://linear.app/acme/project/x",
    "https://figma.com/file/" + "a" * 2100,
])
def test_anything_else_is_a_422_on_url_naming_what_is_accepted(url):
    with pytest.raises(InvalidArgument) as refused:
        target_of(url)
    (error,) = refused.value.field_errors
    assert error.field == "url"
    assert ACCEPTED in error.message


def test_a_known_host_with_the_wrong_path_says_what_that_platform_links():
    with pytest.raises(InvalidArgument, match="a GitHub link names an issue"):
        target_of("https://github.com/acme/site/pull/4")


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.MANAGER, Role.MEMBER])
def test_staff_who_work_on_tasks_may_link(role):
    check_editor(a_caller(role))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CLIENT])
def test_viewers_and_clients_read_links_only(role):
    with pytest.raises(PermissionDenied):
        check_editor(a_caller(role))


def test_facts_are_kept_within_bounds():
    facts = TargetFacts(title="  " + "x" * 600 + " ", thumbnail_url="https://x/" + "y" * 3000)
    kept = facts.storable()
    assert len(kept.title) == 500 and kept.thumbnail_url is None


def test_reads_are_retried_after_an_outage_with_backoff_and_after_a_429_when_told():
    now = datetime(2026, 5, 1, tzinfo=UTC)
    hour = timedelta(hours=1)
    assert after_failure(now, 1, hour) == now + timedelta(minutes=1)
    assert after_failure(now, 3, hour) == now + timedelta(minutes=4)
    assert after_failure(now, 30, hour) == now + hour
    assert after_throttle(now, 42, hour) == now + timedelta(seconds=42)
    assert after_throttle(now, 86400, hour) == now + hour
    assert after_throttle(now, 0, hour) == now + timedelta(seconds=1)


def test_platform_times_are_read_in_utc():
    assert platform_time("2026-05-21T12:34:56Z") == datetime(2026, 5, 21, 12, 34, 56,
                                                              tzinfo=UTC)
    assert platform_time("2026-05-21T12:34:56.000+02:00") == datetime(2026, 5, 21, 10, 34, 56,
                                                                       tzinfo=UTC)
    assert platform_time("yesterday") is None and platform_time(None) is None
