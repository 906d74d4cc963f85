"""Identity's aggregates as plain data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from labs_common.auth.roles import Role
from labs_common.entities import EditableEntity, Entity
from labs_common.etag import Versioned


@dataclass
class Organization(Versioned):
    id: uuid.UUID
    name: str
    timezone: str = "UTC"
    currency: str = "USD"
    settings: dict = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass
class Member(Entity):
    """A person in one organization: their login and their role there."""

    email: str
    role: Role
    password_hash: str
    first_name: str = ""
    last_name: str = ""
    client_id: uuid.UUID | None = None
    last_login_at: datetime | None = None


@dataclass
class Invitation(Entity):
    email: str
    role: Role
    invited_by: uuid.UUID
    expires_at: datetime
    client_id: uuid.UUID | None = None
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass
class Profile(Versioned, EditableEntity):
    """What a person says about themselves in one organization."""

    email: str
    first_name: str = ""
    last_name: str = ""
    # "" = the organization's time zone.
    timezone: str = ""
    avatar_url: str = ""
    # Only the choices made: {alert type: {channel: bool}}; rules.notification_matrix fills in
    # the defaults.
    notification_preferences: dict = field(default_factory=dict)


@dataclass
class PasswordReset(Entity):
    user_id: uuid.UUID
    expires_at: datetime
    used_at: datetime | None = None


@dataclass
class ApiKey(Entity):
    name: str
    role: Role
    prefix: str
    created_by: uuid.UUID
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass
class RefreshToken(Entity):
    user_id: uuid.UUID
    family_id: uuid.UUID
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None
