"""Identity's tables. Every tenant-owned table carries org_id under row-level security."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from labs_common.db.tables import tenant_table

metadata = MetaData()

organizations = Table(
    "organizations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False),
    Column("timezone", Text, nullable=False, server_default="UTC"),
    Column("currency", Text, nullable=False, server_default="USD"),
    Column("settings", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

users = tenant_table(
    "users",
    metadata,
    ForeignKeyConstraint(["org_id"], ["organizations.id"]),
    # Lower-cased on the way in: emails are case-insensitive.
    Column("email", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("first_name", Text, nullable=False, server_default=""),
    Column("last_name", Text, nullable=False, server_default=""),
    Column("role", Text, nullable=False),
    Column("client_id", UUID(as_uuid=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_login_at", DateTime(timezone=True)),
    # The profile: "" = the organization's time zone; preferences hold only what was changed.
    Column("timezone", Text, nullable=False, server_default=""),
    Column("avatar_url", Text, nullable=False, server_default=""),
    Column("notification_preferences", JSONB, nullable=False,
           server_default=text("'{}'::jsonb")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Removed members keep their row (history refers to them) but can no longer sign in.
    Column("removed_at", DateTime(timezone=True)),
    Index(
        "users_active_email",
        "org_id",
        "email",
        unique=True,
        postgresql_where=text("removed_at IS NULL"),
    ),
    Index("users_email", "email"),
)

refresh_tokens = tenant_table(
    "refresh_tokens",
    metadata,
    ForeignKeyConstraint(["org_id"], ["organizations.id"]),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id"), nullable=False),
    # One family per sign-in (the access token's `sid`); every rotation stays in it.
    Column("family_id", UUID(as_uuid=True), nullable=False, index=True),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

invitations = tenant_table(
    "invitations",
    metadata,
    ForeignKeyConstraint(["org_id"], ["organizations.id"]),
    Column("email", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("client_id", UUID(as_uuid=True)),
    Column("invited_by", UUID(as_uuid=True), ForeignKey("users.id"), nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("accepted_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

# A reset token is emailed, never stored: only its digest is (see adapters.credentials.derived).
password_resets = tenant_table(
    "password_resets",
    metadata,
    ForeignKeyConstraint(["org_id"], ["organizations.id"]),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id"), nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Index("password_resets_user", "user_id"),
)

api_keys = tenant_table(
    "api_keys",
    metadata,
    ForeignKeyConstraint(["org_id"], ["organizations.id"]),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("prefix", Text, nullable=False),
    Column("secret_hash", Text, nullable=False, unique=True),
    Column("created_by", UUID(as_uuid=True), ForeignKey("users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

# Platform-wide, not tenant data: the keys that sign every org's access tokens.
signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", Text, primary_key=True),
    # PKCS#8 PEM encrypted with LABS_SIGNING_KEY_PASSPHRASE.
    Column("private_key", LargeBinary, nullable=False),
    Column("public_x", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Platform-wide, like the signing keys: failed sign-ins per account (the SHA-256 of the
# lower-cased email, unknown ones too), so the throttle holds across replicas and restarts.
login_failures = Table(
    "login_failures",
    metadata,
    Column("account", Text, primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("locked_until", DateTime(timezone=True)),
    Index("login_failures_last_failed_at", "last_failed_at"),
)
