"""Links from a task or a project to a Figma file, a Notion page, a GitHub or a Linear issue
(pure Python): what a URL names (`target_of`), who may link, and when a link's metadata is read
again from its platform.

A URL is normalised to its target (platform and key) so that the same file or issue linked twice,
whatever the URL's title slug, node or view, is recognised as the same link; the link keeps the
target's canonical URL, without query or fragment."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument, PermissionDenied
from labs_common.retries import doubling
from labs_integrations.domain.connections import Platform

MAX_URL_CHARS = 2048
MAX_TITLE_CHARS = 500
MAX_THUMBNAIL_CHARS = 2048
# Staff who work on tasks link them (as they edit them); viewers and clients read links only.
EDITOR_ROLE = Role.MEMBER
ACCEPTED = ("a Figma file (figma.com/file/<key>/... or figma.com/design/<key>/...), a Notion "
            "page (notion.so/<workspace>/<Title>-<page id> or notion.so/<page id>), a GitHub "
            "issue (github.com/<owner>/<repo>/issues/<number>) or a Linear issue "
            "(linear.app/<workspace>/issue/<ID>/...)")

_FIGMA_KEY = re.compile(r"^[A-Za-z0-9]{8,128}$")
_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")
_NOTION_ID = re.compile(r"(?:^|-)([0-9a-fA-F]{32}|[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-"
                        r"[0-9a-fA-F]{12})$")
_GITHUB_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_GITHUB_REPO = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_LINEAR_WORKSPACE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_LINEAR_ID = re.compile(r"^[A-Za-z0-9]{1,16}-[0-9]{1,9}$")
MAX_ISSUE_NUMBER = 2**31 - 1


@dataclass(frozen=True)
class LinkTarget:
    """What a link points at: `key` identifies it on its platform (see `target_of`)."""

    platform: Platform
    key: str
    url: str


@dataclass
class Link:
    id: uuid.UUID
    org_id: uuid.UUID
    project_id: uuid.UUID
    task_id: uuid.UUID | None
    platform: Platform
    target_key: str
    url: str
    created_by: uuid.UUID
    created_at: datetime | None = None
    title: str | None = None
    thumbnail_url: str | None = None
    # When the target last changed on the platform (the API's updated_at).
    changed_at: datetime | None = None


@dataclass(frozen=True)
class TargetFacts:
    """What a platform says of a target: its title, a preview image, its last change."""

    title: str
    thumbnail_url: str | None = None
    changed_at: datetime | None = None

    def storable(self) -> TargetFacts:
        thumbnail = self.thumbnail_url if self.thumbnail_url and \
            len(self.thumbnail_url) <= MAX_THUMBNAIL_CHARS else None
        return TargetFacts(title=self.title.strip()[:MAX_TITLE_CHARS],
                           thumbnail_url=thumbnail, changed_at=self.changed_at)


def _refuse(message: str = ACCEPTED) -> InvalidArgument:
    return InvalidArgument.on("url", message if message == ACCEPTED
                              else f"{message}; Labs links {ACCEPTED}")


def target_of(url: str) -> LinkTarget:
    """The target `url` names; anything else is a 422 on `url` naming what is accepted."""
    given = url.strip()
    if not given or len(given) > MAX_URL_CHARS or any(c.isspace() for c in given):
        raise _refuse()
    if "://" not in given:
        given = "https://" + given  # pasted without its scheme: figma.com/file/...
    try:
        parts = urlsplit(given)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise _refuse() from None
    if parts.scheme.lower() not in ("http", "https") or parts.username or port not in (
            None, 80, 443):
        raise _refuse()
    host = host.removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    if host == "figma.com":
        return _figma(segments)
    if host == "notion.so" or host.endswith(".notion.site"):
        return _notion(segments, parts.query)
    if host == "github.com":
        return _github(segments)
    if host == "linear.app":
        return _linear(segments)
    raise _refuse()


def _figma(segments: list[str]) -> LinkTarget:
    # figma.com/file/<key>/<title>, figma.com/design/<key>/<title>; a branch
    # (…/<key>/branch/<branch key>/…) is a file of its own to Figma's API.
    if len(segments) < 2 or segments[0] not in ("file", "design") \
            or not _FIGMA_KEY.match(segments[1]):
        raise _refuse("a Figma link names a file: figma.com/file/<key>/... or "
                      "figma.com/design/<key>/...")
    kind, key = segments[0], segments[1]
    if len(segments) >= 4 and segments[2] == "branch" and _FIGMA_KEY.match(segments[3]):
        key = segments[3]
    return LinkTarget(Platform.FIGMA, key, f"https://www.figma.com/{kind}/{key}")


def notion_page_id(value: str) -> str | None:
    """The page id at the end of a Notion path segment ("Title-<32 hex>", "<32 hex>" or a
    UUID), in UUID form; None when it ends in none."""
    match = _NOTION_ID.search(value)
    if match is None:
        return None
    return str(uuid.UUID(match.group(1).replace("-", "")))


def _notion(segments: list[str], query: str) -> LinkTarget:
    # A page opened as a peek of a database view (…/<database>?v=<view>&p=<page>) is the page.
    peek = (parse_qs(query).get("p") or [""])[0]
    page = notion_page_id(peek) if _HEX32.match(peek) else None
    if page is None and segments:
        page = notion_page_id(segments[-1])
    if page is None or len(segments) > 2:
        raise _refuse("a Notion link names a page: notion.so/<workspace>/<Title>-<page id> or "
                      "notion.so/<page id>")
    return LinkTarget(Platform.NOTION, page, f"https://www.notion.so/{page.replace('-', '')}")


def _github(segments: list[str]) -> LinkTarget:
    if len(segments) < 4 or segments[2] != "issues" or not _GITHUB_OWNER.match(segments[0]) \
            or not _GITHUB_REPO.match(segments[1]) or segments[1] in (".", "..") \
            or not segments[3].isascii() or not segments[3].isdigit() \
            or not 0 < int(segments[3]) <= MAX_ISSUE_NUMBER or len(segments) > 4:
        raise _refuse("a GitHub link names an issue: github.com/<owner>/<repo>/issues/<number>")
    owner, repo, number = segments[0], segments[1].removesuffix(".git"), int(segments[3])
    return LinkTarget(Platform.GITHUB, f"{owner}/{repo}#{number}".lower(),
                      f"https://github.com/{owner}/{repo}/issues/{number}")


def github_issue(key: str) -> tuple[str, int]:
    """"owner/repo" and the number of a GitHub target's key."""
    repository, _, number = key.rpartition("#")
    return repository, int(number)


def _linear(segments: list[str]) -> LinkTarget:
    if len(segments) < 3 or segments[1] != "issue" or not _LINEAR_WORKSPACE.match(segments[0]) \
            or not _LINEAR_ID.match(segments[2]):
        raise _refuse("a Linear link names an issue: linear.app/<workspace>/issue/<ID>/...")
    workspace, identifier = segments[0].lower(), segments[2].upper()
    return LinkTarget(Platform.LINEAR, f"{workspace}/{identifier}",
                      f"https://linear.app/{workspace}/issue/{identifier}")


def linear_issue(key: str) -> tuple[str, str]:
    """The workspace and the identifier ("ENG-123") of a Linear target's key."""
    workspace, _, identifier = key.partition("/")
    return workspace, identifier


def check_editor(principal: Principal) -> None:
    """Members and up link and unlink; a viewer or a client reads links only (403)."""
    if principal.role is Role.CLIENT or not principal.role.at_least(EDITOR_ROLE):
        raise PermissionDenied("Linking needs the member role or higher: viewers and clients "
                               "read links only.", reason="ROLE_TOO_LOW",
                               metadata={"required_role": EDITOR_ROLE.value})


# --- reading links again -------------------------------------------------------------------------

RETRY_BASE = timedelta(minutes=1)
MAX_RETRY_AFTER = timedelta(hours=1)


def after_failure(now: datetime, attempts: int, every: timedelta) -> datetime:
    """When to read a target again after `attempts` failed reads in a row (an outage): a
    minute, doubling, never later than the usual refresh."""
    return now + timedelta(seconds=doubling(attempts, RETRY_BASE.total_seconds(),
                                            every.total_seconds()))


def after_throttle(now: datetime, retry_after: float, every: timedelta) -> datetime:
    """A platform that answered 429 is asked again once its Retry-After is over (at most an
    hour, and no later than the usual refresh)."""
    wait = timedelta(seconds=max(1.0, retry_after))
    return now + min(wait, MAX_RETRY_AFTER, every)


def platform_time(value: object) -> datetime | None:
    """An RFC 3339 time as platforms write it ("2026-05-21T12:34:56Z", with or without
    fractions or an offset), in UTC; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
