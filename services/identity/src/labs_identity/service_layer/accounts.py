"""A person's own account: their profile, changing their password, and resetting a forgotten one.

A reset token is derived from the reset's id (adapters.credentials.TokenDeriver) and mailed by
the mailer from the password_reset.requested event: it is never stored and never travels on the
event stream; only its digest is kept, for one hour, single use.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from labs.identity.v1 import events_pb2
from labs_common.errors import FieldError, InvalidArgument, NotFound
from labs_common.etag import require_match
from labs_identity.adapters import proto
from labs_identity.adapters.credentials import TokenDeriver, digest
from labs_identity.adapters.passwords import hash_password, verify_password
from labs_identity.domain import commands, rules
from labs_identity.domain.model import PasswordReset, Profile
from labs_identity.service_layer.auth import announce_revoked, login_account
from labs_identity.service_layer.unit_of_work import IdentityUnitOfWork

PROFILE_FIELDS = frozenset(
    {"first_name", "last_name", "timezone", "avatar_url", "notification_preferences"})
# A flood of reset requests for one account mails only this many live tokens.
MAX_LIVE_RESETS = 3


async def get_profile(command: commands.GetProfile, uow: IdentityUnitOfWork) -> Profile:
    principal = uow.caller
    profile = await uow.members.profile(principal.org_id, principal.user_id)
    if profile is None:
        raise NotFound("The account no longer exists.")
    return profile


async def update_profile(command: commands.UpdateProfile, uow: IdentityUnitOfWork) -> Profile:
    principal = uow.caller
    unknown = set(command.fields) - PROFILE_FIELDS
    if unknown:
        raise InvalidArgument("Some fields cannot be changed.", field_errors=[
            FieldError(name, "is not a field of the profile") for name in sorted(unknown)])
    profile = await uow.members.profile(principal.org_id, principal.user_id, for_update=True)
    if profile is None:
        raise NotFound("The account no longer exists.")
    require_match(profile.etag, command.if_match, "profile")
    changes, errors = command.changes, []
    checks = {
        "first_name": lambda v: rules.check_name(v, "first_name", required=False, max_length=100),
        "last_name": lambda v: rules.check_name(v, "last_name", required=False, max_length=100),
        "timezone": rules.check_profile_timezone,
        "avatar_url": rules.check_avatar_url,
        "notification_preferences": lambda v: rules.merge_preferences(
            profile.notification_preferences, rules.check_notification_preferences(v)),
    }
    checked = {}
    for name in sorted(command.fields):
        try:
            checked[name] = checks[name](changes[name])
        except InvalidArgument as error:
            errors.extend(error.field_errors)
    if errors:
        raise InvalidArgument("Some fields are not valid.", field_errors=errors)
    for name, value in checked.items():
        setattr(profile, name, value)
    saved = await uow.members.save_profile(profile)
    await uow.outbox.add("profile.updated", events_pb2.ProfileUpdated(
        profile=proto.profile(saved), user_id=str(principal.user_id),
        changed_fields=sorted(checked)))
    return saved


async def change_password(
    command: commands.ChangePassword, uow: IdentityUnitOfWork, *, access_ttl: timedelta
) -> None:
    """The caller's new password; every other session of theirs ends (this one goes on)."""
    principal = uow.caller
    member = await uow.members.get(principal.org_id, principal.user_id, for_update=True)
    if member is None:
        raise NotFound("The account no longer exists.")
    errors = []
    if not await verify_password(member.password_hash, command.current_password):
        errors.append(FieldError("current_password", "is not your current password"))
    try:
        rules.check_password(command.new_password)
    except InvalidArgument as error:
        errors.extend(FieldError("password", f.message) for f in error.field_errors)
    if errors:
        raise InvalidArgument("The password was not changed.", field_errors=errors)
    await uow.members.set_password(member.id, await hash_password(command.new_password))
    ended = await uow.refresh_tokens.revoke_user(member.id, keep=principal.session_id)
    await announce_revoked(uow, member.org_id, member.id, ended, "password_changed", access_ttl)


async def request_password_reset(
    command: commands.RequestPasswordReset,
    uow: IdentityUnitOfWork,
    *,
    deriver: TokenDeriver,
    ttl: timedelta,
) -> None:
    """Runs in system scope. One reset per account with this email (an email may have one in
    several organizations); nothing at all for an unknown email, and the caller cannot tell."""
    email = command.email.strip().lower()
    found = await uow.members.everywhere_by_email(email) if email else []
    for member, _org_name in found:
        if await uow.password_resets.count_live(member.id) >= MAX_LIVE_RESETS:
            continue
        reset = PasswordReset(
            id=uuid.uuid4(), org_id=member.org_id, user_id=member.id,
            expires_at=datetime.now(UTC) + ttl,
        )
        await uow.password_resets.add(reset, digest(deriver.password_reset(reset.id)))
        payload = events_pb2.PasswordResetRequested(
            reset_id=str(reset.id), user_id=str(member.id), email=member.email)
        payload.expires_at.FromDatetime(reset.expires_at)
        await uow.outbox.add("password_reset.requested", payload, org_id=member.org_id,
                             actor_id=member.id)


async def reset_password(
    command: commands.ResetPassword, uow: IdentityUnitOfWork, *, access_ttl: timedelta
) -> None:
    """Runs in system scope: the token says whose password this is. Every session of that
    account ends, and every other open reset of it is spent."""
    reset = (
        await uow.password_resets.by_hash_for_update(digest(command.token))
        if command.token else None
    )
    errors = []
    if reset is None or reset.used_at is not None or reset.expires_at <= datetime.now(UTC):
        errors.append(FieldError("token", "is not a valid reset token (used, expired or unknown)"))
    try:
        rules.check_password(command.password)
    except InvalidArgument as error:
        errors.extend(error.field_errors)
    member = await uow.members.get(reset.org_id, reset.user_id, for_update=True) if reset else None
    if reset is not None and member is None and not errors:
        errors.append(FieldError("token", "belongs to an account that no longer exists"))
    if errors:
        raise InvalidArgument("The password was not reset.", reason="PASSWORD_RESET_REFUSED",
                              field_errors=errors)
    await uow.members.set_password(member.id, await hash_password(command.password))
    await uow.password_resets.spend_all(member.id)
    # Whoever reads the mailbox owns the account: a throttle an attacker set off lets them in.
    await uow.login_failures.forget(login_account(member.email))
    ended = await uow.refresh_tokens.revoke_user(member.id)
    await announce_revoked(uow, member.org_id, member.id, ended, "password_reset", access_ttl)
