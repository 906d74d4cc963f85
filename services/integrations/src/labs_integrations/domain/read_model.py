"""What integrations knows of other services' data, kept from their events: the projects (their
GitHub repository and Slack channel) and the members (their email, for matching a Slack or
GitHub user with a Labs member)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

# https://github.com/owner/name(.git)(/...), git@github.com:owner/name.git, or "owner/name".
_REPOSITORY = re.compile(
    r"^(?:(?:https?://)?(?:www\.)?github\.com[/:]|git@github\.com:)?"
    r"(?P<owner>[A-Za-z0-9_.-]+)/(?P<name>[A-Za-z0-9_.-]+?)(?:\.git)?/?(?:[/#?].*)?$")


def repository_of(url: str) -> str | None:
    """"owner/name", lowercased (GitHub's names are case-insensitive), of a GitHub repository
    URL; None for an empty or unrecognizable one."""
    match = _REPOSITORY.match(url.strip())
    if not url.strip() or match is None:
        return None
    return f"{match['owner']}/{match['name']}".lower()


@dataclass(frozen=True)
class KnownProject:
    project_id: uuid.UUID
    org_id: uuid.UUID
    name: str
    client_id: uuid.UUID | None
    status: str
    github_repository: str | None
    slack_channel_id: str | None
    archived: bool
    as_of: datetime


@dataclass(frozen=True)
class KnownMember:
    org_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    name: str
    role: str
    active: bool
    as_of: datetime

    @property
    def is_staff(self) -> bool:
        return self.role != "client"
