"""Connections to other platforms, their sync logs, and the rules about them (pure Python)."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from labs_common.errors import InvalidArgument
from labs_integrations.domain import figma, linear

OAUTH_STATE_LIFETIME = timedelta(minutes=10)
MAX_SETTINGS_BYTES = 16 * 1024
MAX_TOKEN_CHARS = 4096
# Whose view a Slack channel's messages show (never a client's: a channel is the agency's).
CHANNEL_AUDIENCES = ("viewer", "member", "manager", "admin", "owner")


class Platform(enum.StrEnum):
    GITHUB = "github"
    SLACK = "slack"
    HARVEST = "harvest"
    QUICKBOOKS = "quickbooks"
    JIRA = "jira"
    ASANA = "asana"
    LINEAR = "linear"
    FIGMA = "figma"
    NOTION = "notion"


# Platforms whose account (a Slack workspace) may be connected by one organization only: its
# requests (slash commands) name the account, and must find one organization.
ONE_ORG_PER_ACCOUNT = frozenset({Platform.SLACK})


class ConnectionStatus(enum.StrEnum):
    CONNECTED = "connected"
    ERROR = "error"
    REVOKED = "revoked"


class SyncStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUCCESS = "success"
    FAILED = "failed"


@dataclass(frozen=True)
class Account:
    """Who the credentials are on the platform: a GitHub login, a Slack workspace."""

    name: str
    external_id: str


@dataclass
class Connection:
    id: uuid.UUID
    org_id: uuid.UUID
    platform: Platform
    status: ConnectionStatus
    account_name: str
    external_account_id: str
    settings: dict[str, Any]
    connected_by: uuid.UUID
    connected_at: datetime
    last_sync_at: datetime | None = None
    last_sync_status: SyncStatus | None = None
    last_sync_error: str | None = None
    next_sync_at: datetime | None = None


@dataclass
class SyncLog:
    id: uuid.UUID
    org_id: uuid.UUID
    connection_id: uuid.UUID
    trigger: str
    status: SyncStatus
    records_synced: int = 0
    errors: list[str] = field(default_factory=list)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class Credentials:
    """A connection with its opened credentials (`secret`: the platform's token and whatever
    else it issued), for the parts of the service that call the platform."""

    connection: Connection
    secret: dict[str, Any]

    @property
    def access_token(self) -> str:
        return str(self.secret.get("access_token", ""))


def refreshable(secret: dict[str, Any]) -> bool:
    """An OAuth grant with a refresh token: a new access token can be had without its user."""
    return secret.get("kind") == "oauth" and bool(secret.get("refresh_token"))


def lapses(secret: dict[str, Any], now: datetime, margin: timedelta) -> bool:
    """True when a refreshable secret's access token has less than `margin` left. A token whose
    platform named no lifetime (Notion's) does not lapse by the clock: it is refreshed when the
    platform refuses it."""
    if not refreshable(secret) or secret.get("expires_at") in (None, ""):
        return False
    try:
        expires_at = float(secret["expires_at"])
    except (TypeError, ValueError):
        return True
    return expires_at - now.timestamp() < margin.total_seconds()


def check_redirect_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.username:
        raise InvalidArgument.on("redirect_url",
                                 "an http(s) URL the platform sends the user back to")
    return url.strip()


def check_token(token: str, field: str = "access_token") -> str:
    """Platforms issue tokens of printable ASCII ("ghp_…", "xoxb-…"); anything else cannot even
    be sent to them in a header, so it is refused here by the field that carried it."""
    token = token.strip()
    if not token:
        raise InvalidArgument.on(field, "the platform's token is required")
    if len(token) > MAX_TOKEN_CHARS or not all("!" <= c <= "~" for c in token):
        raise InvalidArgument.on(field, "not a token this platform issues")
    return token


def check_settings(platform: Platform, settings: dict[str, Any], size: int) -> dict[str, Any]:
    if size > MAX_SETTINGS_BYTES:
        raise InvalidArgument.on("settings", f"at most {MAX_SETTINGS_BYTES // 1024} KiB")
    if platform is Platform.SLACK and "default_channel" in settings:
        channel = settings["default_channel"]
        if channel is not None and (not isinstance(channel, str) or not channel.strip()):
            raise InvalidArgument.on("settings.default_channel",
                                     "a Slack channel id or name, e.g. C0123456 or #general")
    if platform is Platform.SLACK and "audience" in settings \
            and settings["audience"] not in CHANNEL_AUDIENCES:
        raise InvalidArgument.on("settings.audience",
                                 f"one of {', '.join(CHANNEL_AUDIENCES)}: whose view of Labs "
                                 "the channels' messages show")
    if platform is Platform.LINEAR:
        return linear.check_settings(settings)
    if platform is Platform.FIGMA:
        return figma.check_settings(settings)
    return settings
