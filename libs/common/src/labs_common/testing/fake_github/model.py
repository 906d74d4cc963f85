"""FakeGitHub's state and its JSON, in the shapes the REST API v3 answers (and PyGithub reads)."""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_ids = itertools.count(1000)


def next_id() -> int:
    return next(_ids)


def node_id(kind: str, id: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{id}".encode()).decode().rstrip("=")


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def stamp(at: datetime | None) -> str | None:
    if at is None:
        return None
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime:
    """GitHub's ISO 8601 (`YYYY-MM-DDTHH:MM:SSZ`, offsets accepted)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class User:
    login: str
    email: str | None = None
    name: str | None = None
    id: int = field(default_factory=next_id)
    type: str = "User"
    created_at: datetime = field(default_factory=now)


@dataclass
class Repo:
    owner: str
    name: str
    private: bool = False
    description: str | None = None
    id: int = field(default_factory=next_id)
    created_at: datetime = field(default_factory=now)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class Comment:
    repo: str  # full name
    issue: int
    user: str
    body: str
    id: int = field(default_factory=next_id)
    created_at: datetime = field(default_factory=now)
    updated_at: datetime | None = None


@dataclass
class Issue:
    repo: str  # full name
    number: int
    title: str
    user: str
    body: str | None = None
    state: str = "open"
    state_reason: str | None = None
    assignees: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    pull_request: bool = False
    locked: bool = False
    id: int = field(default_factory=next_id)
    created_at: datetime = field(default_factory=now)
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    comments: list[Comment] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.updated_at is None:
            self.updated_at = self.created_at


class Shapes:
    """The JSON of the fake's objects, with URLs on the fake (`base` is its URL)."""

    def __init__(self, base: str, users: dict[str, User], repos: dict[str, Repo]) -> None:
        self.base = base
        self.users = users
        self.repos = repos

    def user(self, login: str | None, *, private: bool = False) -> dict[str, Any] | None:
        if login is None:
            return None
        user = self.users.get(login) or User(login)
        api = f"{self.base}/users/{login}"
        shape: dict[str, Any] = {
            "login": login, "id": user.id, "node_id": node_id("User", user.id),
            "avatar_url": f"{self.base}/avatars/{login}", "gravatar_id": "",
            "url": api, "html_url": f"{self.base}/{login}",
            "followers_url": f"{api}/followers",
            "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}",
            "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions",
            "organizations_url": f"{api}/orgs", "repos_url": f"{api}/repos",
            "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events",
            "type": user.type, "site_admin": False,
        }
        if private:  # GET /user: the authenticated user's own profile
            shape.update(name=user.name, email=user.email, created_at=stamp(user.created_at),
                         updated_at=stamp(user.created_at), public_repos=0, followers=0,
                         following=0)
        return shape

    def repo(self, repo: Repo) -> dict[str, Any]:
        api = f"{self.base}/repos/{repo.full_name}"
        html = f"{self.base}/{repo.full_name}"
        open_issues = 0  # filled by the fake when it knows
        return {
            "id": repo.id, "node_id": node_id("Repository", repo.id), "name": repo.name,
            "full_name": repo.full_name, "private": repo.private,
            "owner": self.user(repo.owner), "html_url": html,
            "description": repo.description, "fork": False, "url": api,
            "issues_url": f"{api}/issues{{/number}}", "pulls_url": f"{api}/pulls{{/number}}",
            "issue_comment_url": f"{api}/issues/comments{{/number}}",
            "comments_url": f"{api}/comments{{/number}}", "labels_url": f"{api}/labels{{/name}}",
            "hooks_url": f"{api}/hooks", "events_url": f"{api}/events",
            "created_at": stamp(repo.created_at), "updated_at": stamp(repo.created_at),
            "pushed_at": stamp(repo.created_at), "git_url": f"git://fake/{repo.full_name}.git",
            "ssh_url": f"git@fake:{repo.full_name}.git", "clone_url": f"{html}.git",
            "svn_url": html, "homepage": None, "size": 0, "stargazers_count": 0,
            "watchers_count": 0, "language": None, "has_issues": True, "has_projects": False,
            "has_downloads": False, "has_wiki": False, "has_pages": False, "forks_count": 0,
            "mirror_url": None, "archived": False, "disabled": False,
            "open_issues_count": open_issues, "license": None, "forks": 0,
            "open_issues": open_issues, "watchers": 0, "default_branch": "main",
            "is_template": False, "topics": [],
            "visibility": "private" if repo.private else "public",
        }

    def label(self, repo: str, name: str) -> dict[str, Any]:
        id = abs(hash((repo, name))) % 10**9
        return {"id": id, "node_id": node_id("Label", id), "name": name, "color": "ededed",
                "default": False, "description": None,
                "url": f"{self.base}/repos/{repo}/labels/{name}"}

    def issue(self, issue: Issue, *, detail: bool = False) -> dict[str, Any]:
        api = f"{self.base}/repos/{issue.repo}/issues/{issue.number}"
        kind = "pull" if issue.pull_request else "issues"
        shape: dict[str, Any] = {
            "url": api, "repository_url": f"{self.base}/repos/{issue.repo}",
            "labels_url": f"{api}/labels{{/name}}", "comments_url": f"{api}/comments",
            "events_url": f"{api}/events",
            "html_url": f"{self.base}/{issue.repo}/{kind}/{issue.number}",
            "id": issue.id, "node_id": node_id("Issue", issue.id), "number": issue.number,
            "title": issue.title, "user": self.user(issue.user),
            "labels": [self.label(issue.repo, name) for name in issue.labels],
            "state": issue.state, "locked": issue.locked,
            "assignee": self.user(issue.assignees[0]) if issue.assignees else None,
            "assignees": [self.user(login) for login in issue.assignees],
            "milestone": None, "comments": len(issue.comments),
            "created_at": stamp(issue.created_at), "updated_at": stamp(issue.updated_at),
            "closed_at": stamp(issue.closed_at), "author_association": "OWNER",
            "active_lock_reason": None, "body": issue.body,
            "reactions": {"url": f"{api}/reactions", "total_count": 0, "+1": 0, "-1": 0,
                          "laugh": 0, "hooray": 0, "confused": 0, "heart": 0, "rocket": 0,
                          "eyes": 0},
            "timeline_url": f"{api}/timeline", "performed_via_github_app": None,
            "state_reason": issue.state_reason,
        }
        if issue.pull_request:
            pulls = f"{self.base}/repos/{issue.repo}/pulls/{issue.number}"
            shape["draft"] = False
            shape["pull_request"] = {"url": pulls, "html_url": shape["html_url"],
                                     "diff_url": f"{shape['html_url']}.diff",
                                     "patch_url": f"{shape['html_url']}.patch",
                                     "merged_at": None}
        if detail:
            shape["closed_by"] = self.user(issue.closed_by)
        return shape

    def comment(self, comment: Comment) -> dict[str, Any]:
        issue_api = f"{self.base}/repos/{comment.repo}/issues/{comment.issue}"
        return {
            "url": f"{self.base}/repos/{comment.repo}/issues/comments/{comment.id}",
            "html_url": f"{self.base}/{comment.repo}/issues/{comment.issue}"
                        f"#issuecomment-{comment.id}",
            "issue_url": issue_api, "id": comment.id,
            "node_id": node_id("IssueComment", comment.id), "user": self.user(comment.user),
            "created_at": stamp(comment.created_at),
            "updated_at": stamp(comment.updated_at or comment.created_at),
            "author_association": "OWNER", "body": comment.body,
            "performed_via_github_app": None,
        }
