"""Who may do what to whom, and what a valid credential looks like."""

from __future__ import annotations

import hmac
import json
import re
import uuid
import zoneinfo

from labs_common.auth.roles import Role
from labs_common.currency import currency_code
from labs_common.errors import Conflict, FieldError, InvalidArgument, PermissionDenied
from labs_identity.domain.org_settings import settings_errors

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
# Settings travel whole in organization.updated: far below NATS's 1 MiB payload limit, so an
# owner's settings can never make the event too big to publish.
MAX_SETTINGS_BYTES = 64 * 1024
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The name of a Labs service asking for a delegated token (the `act` claim's `service:<name>`).
_ACTOR = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
MAX_DELEGATION_REASON = 500


def normalize_email(email: str, field: str = "email") -> str:
    """Emails are case-insensitive: stored and compared lower-cased."""
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidArgument.on(field, "must be a valid email address")
    return email


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidArgument.on("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidArgument.on("password", f"must be at most {MAX_PASSWORD_LENGTH} characters")


def check_name(value: str, field: str, *, required: bool, max_length: int = 200) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidArgument.on(field, "is required")
    if len(value) > max_length:
        raise InvalidArgument.on(field, f"must be at most {max_length} characters")
    return value


def check_timezone(value: str) -> str:
    if not value or len(value) > 64:
        raise InvalidArgument.on("timezone", "must be an IANA time zone such as Europe/Paris")
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidArgument.on(
            "timezone", "must be an IANA time zone such as Europe/Paris"
        ) from error
    return value


def check_settings(value: dict) -> dict:
    """The organization's settings as they would be stored (after a PATCH's merge)."""
    if _has_nul(value):
        # PostgreSQL's jsonb cannot hold U+0000.
        raise InvalidArgument.on("settings", "must not contain NUL characters")
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
    if size > MAX_SETTINGS_BYTES:
        raise InvalidArgument.on(
            "settings",
            f"must be at most {MAX_SETTINGS_BYTES // 1024} KiB serialized (would be {size} bytes)",
        )
    if errors := settings_errors(value):
        raise InvalidArgument("Some settings are not ones Labs can use.", field_errors=errors)
    return value


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def check_currency(value: str) -> str:
    return currency_code(value, "currency")


def client_binding(role: Role, client_id: str, field: str = "client_id") -> uuid.UUID | None:
    """A client-role member names the client it belongs to; nobody else does."""
    if role is not Role.CLIENT:
        if client_id:
            raise InvalidArgument.on(field, "is only allowed with the client role")
        return None
    if not client_id:
        raise InvalidArgument.on(field, "is required for the client role")
    try:
        return uuid.UUID(client_id)
    except ValueError as error:
        raise InvalidArgument.on(field, "must be a UUID") from error


def check_can_grant(actor: Role, granted: Role) -> None:
    """Admins manage everyone but owners; only an owner makes or unmakes an owner."""
    if not actor.at_least(Role.ADMIN):
        raise PermissionDenied("Only owners and admins manage members.", reason="ROLE_TOO_LOW")
    if granted is Role.OWNER and actor is not Role.OWNER:
        raise PermissionDenied("Only an owner can grant the owner role.", reason="OWNER_ONLY")


def check_role_change(actor: Role, current: Role, new: Role, owners: int) -> None:
    check_can_grant(actor, new)
    if current is Role.OWNER:
        if actor is not Role.OWNER:
            raise PermissionDenied("Only an owner can change an owner.", reason="OWNER_ONLY")
        if new is not Role.OWNER and owners <= 1:
            raise Conflict("An organization keeps at least one owner.", reason="LAST_OWNER")


def check_removal(actor: Role, target: Role, owners: int) -> None:
    check_can_grant(actor, target)
    if target is Role.OWNER and owners <= 1:
        raise Conflict("An organization keeps at least one owner.", reason="LAST_OWNER")


def check_api_key_role(creator: Role, requested: Role) -> None:
    if creator is Role.CLIENT or not creator.at_least(Role.MEMBER):
        raise PermissionDenied("Viewers and clients cannot create API keys.", reason="ROLE_TOO_LOW")
    if requested is Role.CLIENT:
        raise InvalidArgument.on("role", "API keys cannot have the client role")
    if not creator.at_least(requested):
        raise InvalidArgument(
            "An API key cannot have a higher role than its creator.",
            field_errors=[FieldError("role", "is higher than your own role")],
        )


def effective_api_key_role(key_role: Role, creator_role: Role) -> Role:
    """A key never outranks its creator as they are now (demoting a person demotes their keys)."""
    return key_role if creator_role.at_least(key_role) else creator_role


# Alert types and delivery channels of API.md's alerts (POST /alerts/subscribe).
ALERT_TYPES = ("margin_threshold", "over_allocation", "risk_score", "budget_burn",
               "invoice_overdue")
CHANNELS = ("email", "slack", "in_app")
MAX_URL_LENGTH = 2048
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def check_notification_preferences(value: object,
                                   field: str = "notification_preferences") -> dict:
    """{alert type: {channel: true|false}}; every unknown key and every non-boolean is named."""
    if not isinstance(value, dict):
        raise InvalidArgument.on(field, "must be an object of alert types")
    errors = []
    for alert_type, channels in value.items():
        where = f"{field}.{alert_type}"
        if alert_type not in ALERT_TYPES:
            errors.append(
                FieldError(where, f"is not an alert type (one of {', '.join(ALERT_TYPES)})"))
            continue
        if not isinstance(channels, dict):
            errors.append(
                FieldError(where, f"must be an object of channels ({', '.join(CHANNELS)})"))
            continue
        for channel, enabled in channels.items():
            if channel not in CHANNELS:
                errors.append(FieldError(f"{where}.{channel}",
                                         f"is not a channel (one of {', '.join(CHANNELS)})"))
            elif not isinstance(enabled, bool):
                errors.append(FieldError(f"{where}.{channel}", "must be true or false"))
    if errors:
        raise InvalidArgument("Some notification preferences are not valid.",
                              field_errors=errors)
    return value


def notification_matrix(chosen: dict) -> dict:
    """Every alert type and channel: what the person chose, else on (Slack and email deliveries
    still follow the alert subscriptions)."""
    return {alert_type: {channel: bool(chosen.get(alert_type, {}).get(channel, True))
                         for channel in CHANNELS}
            for alert_type in ALERT_TYPES}


def merge_preferences(current: dict, changes: dict) -> dict:
    """A PATCH names only the channels it changes; the others keep their choice."""
    merged = {alert_type: dict(channels) for alert_type, channels in current.items()}
    for alert_type, channels in changes.items():
        merged.setdefault(alert_type, {}).update(channels)
    return merged


def check_avatar_url(value: str) -> str:
    value = value.strip()
    if value and (len(value) > MAX_URL_LENGTH or not _URL.match(value)):
        raise InvalidArgument.on("avatar_url", "must be an http or https URL")
    return value


def check_profile_timezone(value: str) -> str:
    """A person's zone, or "" to follow the organization's."""
    return check_timezone(value) if value else ""


def check_service_credential(given: str | None, configured: str) -> None:
    """A delegated token is issued only to a caller that shows identity's delegation secret.

    Compared in constant time; an empty configured secret refuses everyone (an unset secret
    must never match an empty or missing credential)."""
    if not configured:
        raise PermissionDenied("Delegation is not configured.",
                               reason="DELEGATION_NOT_CONFIGURED")
    if not given or not hmac.compare_digest(given.encode(), configured.encode()):
        raise PermissionDenied("The service credential is not valid.",
                               reason="SERVICE_CREDENTIAL_INVALID")


def check_actor(actor: str) -> str:
    """The calling service's name: lower-case letters, digits and hyphens."""
    actor = actor.strip()
    if not _ACTOR.match(actor):
        raise InvalidArgument.on("actor", "must be a service name (lower-case letters, digits, -)")
    return actor


def check_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) > MAX_DELEGATION_REASON:
        raise InvalidArgument.on("reason", f"must be at most {MAX_DELEGATION_REASON} characters")
    return reason
