"""Connections to other platforms as the API shows them, their syncs and sync logs.

Credentials are never part of any answer: a connection shows who it is on the platform
(`account_name`), its settings and how its last sync went."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from labs_gateway.schemas.common import RequestModel, UuidStr
from labs_gateway.schemas.proto_json import PublicModel

PlatformName = Literal["github", "slack", "harvest", "quickbooks", "jira", "asana", "linear",
                       "figma", "notion"]
Token = Annotated[str, Field(min_length=1, max_length=4096)]
# Intuit's company ids (realmId) are digits; letters and digits only, since it lands in paths.
RealmId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z]+$")]


class AuthorizationStart(RequestModel):
    """Either `redirect_url` (OAuth: answers where to send the user) or the platform's token
    (`access_token` with Harvest's `account_id`, or `api_key`): connects at once."""

    redirect_url: Annotated[str, Field(max_length=2048)] | None = Field(
        None, description="OAuth: where the platform sends the user back, with code and state.")
    access_token: Token | None = Field(
        None, description="A token the platform issued (a GitHub personal access token, a "
        "Slack bot token, a Jira API token, an Asana personal access token); checked with the "
        "platform before it is stored.")
    account_id: Annotated[str, Field(max_length=200)] | None = Field(
        None, description="Harvest: the account id. Jira: the email of the Atlassian account "
        "the API token belongs to (Jira Cloud signs in with both).")
    api_key: Token | None = None

    @model_validator(mode="after")
    def _one_way(self) -> AuthorizationStart:
        given = [name for name in ("redirect_url", "access_token", "api_key")
                 if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of redirect_url, access_token or api_key")
        return self


class AuthorizationCallback(RequestModel):
    code: Annotated[str, Field(min_length=1, max_length=2048)]
    state: Annotated[str, Field(min_length=1, max_length=512)]
    realm_id: RealmId | None = Field(
        None, description="QuickBooks: the `realmId` Intuit's redirect carries beside code and "
        "state (the company the user connected); required there. The other platforms name "
        "their account in their own answers and do not use it.")


class ConnectionUpdate(RequestModel):
    settings: dict[str, Any] = Field(
        description="Platform settings, e.g. Slack `default_channel` and `audience` (the role "
        "whose view a channel's messages show: `member` by default); Linear `teams` (team key → "
        "Labs project id) and `projects` (Linear project id → Labs project id, which wins over "
        "the team's).")


class ImportStart(RequestModel):
    project_id: UuidStr = Field(description="The Labs project the tasks are made in.")
    source: Annotated[str, Field(min_length=1, max_length=2000)] = Field(
        description="Jira: a JQL query, e.g. `project = WEB AND statusCategory != Done`; "
        "Asana: a project id (the digits of its URL).")


class AuthorizationUrl(BaseModel):
    auth_url: str
    state: str


class ConnectionPublic(PublicModel):
    id: str
    platform: PlatformName
    status: Literal["connected", "error", "revoked"]
    account_name: str
    settings: dict[str, Any] | None = None
    connected_at: datetime | None
    last_sync_at: datetime | None
    last_sync_status: Literal["success", "failed", "in_progress"] | None
    last_sync_error: str | None = None
    connected_by: str | None = None


class ConnectionList(BaseModel):
    integrations: list[ConnectionPublic]
    next_cursor: str | None = None


class SyncAccepted(BaseModel):
    job_id: str


class SyncStatusPublic(BaseModel):
    status: Literal["in_progress", "success", "failed"] | None
    records_synced: int
    errors: list[str]
    next_sync_in_minutes: int


class SyncLogPublic(PublicModel):
    id: str
    started_at: datetime | None
    finished_at: datetime | None
    status: Literal["in_progress", "success", "failed"] | None
    records_synced: int
    error_message: str | None
    trigger: str


class SyncLogList(BaseModel):
    sync_logs: list[SyncLogPublic]
    next_cursor: str | None = None
