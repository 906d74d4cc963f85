"""Identity's resources as the API shows them: sessions, users, organizations, members,
invitations and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, Field, StringConstraints

from labs_gateway.schemas.common import (
    CurrencyCode,
    Email,
    Name,
    Password,
    RequestModel,
    RoleName,
    UuidStr,
)
from labs_gateway.schemas.proto_json import PublicModel

Timezone = Annotated[str, StringConstraints(min_length=1, max_length=64)]


# Requests


class SignupCreate(RequestModel):
    email: Email
    password: Password
    organization_name: Name = Field(
        validation_alias=AliasChoices("organization_name", "company_name"),
        description="The agency's name; `company_name` is accepted as an alias.",
    )
    first_name: Annotated[str, Field(max_length=100)] = ""
    last_name: Annotated[str, Field(max_length=100)] = ""


class LoginCreate(RequestModel):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    organization_id: UuidStr | None = Field(
        None, description="Needed only when the email belongs to several organizations.")


class RefreshCreate(RequestModel):
    refresh_token: Annotated[str, Field(min_length=1, max_length=512)]


class InvitationAccept(RequestModel):
    token: Annotated[str, Field(min_length=1, max_length=512)]
    password: Password
    first_name: Annotated[str, Field(max_length=100)] = ""
    last_name: Annotated[str, Field(max_length=100)] = ""


class OrganizationUpdate(RequestModel):
    """Only the fields present are changed; `settings` objects merge into the current ones."""

    # Not Optional: an explicit null is refused rather than clearing a required value.
    name: Name = None  # type: ignore[assignment]
    settings: dict[str, Any] = None  # type: ignore[assignment]
    timezone: Timezone = Field(None, description="IANA zone, e.g. Europe/Paris.")  # type: ignore[assignment]
    currency: CurrencyCode = Field(None, description="ISO 4217, e.g. EUR.")  # type: ignore[assignment]


class InvitationCreate(RequestModel):
    email: Email
    role: RoleName
    client_id: UuidStr | None = Field(None, description="Required for the client role.")


class MemberUpdate(RequestModel):
    role: RoleName
    client_id: UuidStr | None = Field(None, description="Required for the client role.")


class PasswordChange(RequestModel):
    current_password: Annotated[str, Field(min_length=1, max_length=1024)]
    password: Password = Field(description="The new password: at least 10 characters.")


class PasswordResetCreate(RequestModel):
    email: Email


class PasswordResetConfirm(RequestModel):
    token: Annotated[str, Field(min_length=1, max_length=512,
                                description="`lbp_...` from the email; single use, 1 hour.")]
    password: Password


class ChannelPreferences(RequestModel):
    """On or off per delivery channel; a channel left out keeps its current choice."""

    email: bool = None  # type: ignore[assignment]
    slack: bool = None  # type: ignore[assignment]
    in_app: bool = None  # type: ignore[assignment]


class NotificationPreferencesUpdate(RequestModel):
    """Per alert type; an alert type left out keeps its current choices."""

    margin_threshold: ChannelPreferences = None  # type: ignore[assignment]
    over_allocation: ChannelPreferences = None  # type: ignore[assignment]
    risk_score: ChannelPreferences = None  # type: ignore[assignment]
    budget_burn: ChannelPreferences = None  # type: ignore[assignment]
    invoice_overdue: ChannelPreferences = None  # type: ignore[assignment]


class ProfileUpdate(RequestModel):
    """Only the fields present are changed."""

    first_name: Annotated[str, Field(max_length=100)] = None  # type: ignore[assignment]
    last_name: Annotated[str, Field(max_length=100)] = None  # type: ignore[assignment]
    timezone: Annotated[str, Field(max_length=64, description=(
        'IANA zone, e.g. Europe/Paris; "" follows the organization\'s.'))] = None  # type: ignore[assignment]
    avatar_url: Annotated[str, Field(max_length=2048, description=(
        'An http(s) URL; "" removes it.'))] = None  # type: ignore[assignment]
    notification_preferences: NotificationPreferencesUpdate = None  # type: ignore[assignment]


class ApiKeyCreate(RequestModel):
    name: Name
    role: RoleName = Field(description="No higher than the caller's role.")


# Responses


class UserPublic(PublicModel):
    id: str
    email: str
    first_name: str
    last_name: str
    created_at: datetime | None


class OrganizationPublic(PublicModel):
    id: str
    name: str
    settings: dict[str, Any] = Field(None, description="Staff only.")  # type: ignore[assignment]
    timezone: str
    currency: str
    created_at: datetime | None
    updated_at: datetime | None


class SessionPublic(BaseModel):
    user: UserPublic
    organization: OrganizationPublic | None
    role: RoleName | None
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class MePublic(BaseModel):
    user: UserPublic
    organization: OrganizationPublic
    role: RoleName | None
    client_id: str | None = None
    api_key_id: str | None = None


class MemberPublic(PublicModel):
    user: UserPublic
    role: RoleName | None
    client_id: str | None = None


class MemberList(BaseModel):
    members: list[MemberPublic]
    next_cursor: str | None


class InvitationPublic(PublicModel):
    id: str
    email: str
    role: RoleName | None
    client_id: str | None = None
    invited_by: str
    expires_at: datetime | None
    created_at: datetime | None


class InvitationList(BaseModel):
    invitations: list[InvitationPublic]
    next_cursor: str | None


class InvitationCreated(BaseModel):
    invitation: InvitationPublic
    token: str = Field(description="`lbi_...`; shown once, valid 7 days.")


class ApiKeyPublic(PublicModel):
    id: str
    name: str
    role: RoleName | None
    prefix: str
    created_by: str
    created_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(BaseModel):
    api_key: ApiKeyPublic
    secret: str = Field(description="`lbk_...`; shown once.")


class ApiKeyList(BaseModel):
    api_keys: list[ApiKeyPublic]
    next_cursor: str | None


class ChannelPreferencesPublic(BaseModel):
    email: bool
    slack: bool
    in_app: bool


class NotificationPreferencesPublic(BaseModel):
    margin_threshold: ChannelPreferencesPublic
    over_allocation: ChannelPreferencesPublic
    risk_score: ChannelPreferencesPublic
    budget_burn: ChannelPreferencesPublic
    invoice_overdue: ChannelPreferencesPublic


class ProfilePublic(PublicModel):
    id: str
    email: str
    first_name: str
    last_name: str
    timezone: str = Field(description='IANA zone; "" follows the organization\'s.')
    avatar_url: str
    notification_preferences: NotificationPreferencesPublic
    updated_at: datetime | None
