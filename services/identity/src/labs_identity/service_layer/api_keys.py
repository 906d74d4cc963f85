"""API keys: created with a role no higher than their creator's, shown once, revocable, and
exchanged for short-lived access tokens so services only ever verify JWTs."""

from __future__ import annotations

import uuid

from labs.identity.v1 import events_pb2
from labs_common.auth.roles import Role
from labs_common.errors import NotFound, Unauthenticated
from labs_common.grpc.transactions import authorized_by
from labs_identity.adapters import proto
from labs_identity.adapters.credentials import (
    API_KEY_DISPLAY_LENGTH,
    API_KEY_PREFIX,
    digest,
    new_secret,
)
from labs_identity.adapters.sessions import TokenIssuer
from labs_identity.domain import commands, rules
from labs_identity.domain.model import ApiKey
from labs_identity.service_layer.unit_of_work import IdentityUnitOfWork


@authorized_by(lambda principal, command: rules.check_api_key_role(principal.role, command.role))
async def create_api_key(
    command: commands.CreateApiKey, uow: IdentityUnitOfWork
) -> tuple[ApiKey, str]:
    principal = uow.caller
    secret = new_secret(API_KEY_PREFIX)
    key = await uow.api_keys.add(
        ApiKey(
            id=uuid.uuid4(),
            org_id=principal.org_id,
            name=rules.check_name(command.name, "name", required=True),
            role=command.role,
            prefix=secret[:API_KEY_DISPLAY_LENGTH],
            created_by=principal.user_id,
        ),
        digest(secret),
    )
    await uow.outbox.add("api_key.created", events_pb2.ApiKeyCreated(api_key=proto.api_key(key)))
    return key, secret


async def list_api_keys(
    command: commands.ListApiKeys, uow: IdentityUnitOfWork
) -> list[ApiKey]:
    """Admins see every key of the org; others see their own."""
    principal = uow.caller
    own_only = None if principal.role.at_least(Role.ADMIN) else principal.user_id
    return await uow.api_keys.page(principal.org_id, own_only, command.after, command.limit)


async def revoke_api_key(
    command: commands.RevokeApiKey, uow: IdentityUnitOfWork
) -> None:
    principal = uow.caller
    key = await uow.api_keys.get(principal.org_id, command.id)
    if key is None or not (
        key.created_by == principal.user_id or principal.role.at_least(Role.ADMIN)
    ):
        raise NotFound("No such API key.")
    if key.revoked_at is None:
        await uow.api_keys.revoke(key.id)
        await uow.outbox.add("api_key.revoked", events_pb2.ApiKeyRevoked(api_key_id=str(key.id)))


async def authenticate_api_key(
    command: commands.AuthenticateApiKey, uow: IdentityUnitOfWork, *, issuer: TokenIssuer
) -> str:
    """Runs in system scope: the secret names its organization."""
    secret = command.secret
    key = await uow.api_keys.by_hash(digest(secret)) if secret.startswith(API_KEY_PREFIX) else None
    if key is None or key.revoked_at is not None:
        raise Unauthenticated("The API key is not valid.", reason="API_KEY_INVALID")
    creator = await uow.members.get(key.org_id, key.created_by)
    if creator is None:
        raise Unauthenticated(
            "The API key's creator has left the organization.", reason="API_KEY_INVALID"
        )
    await uow.api_keys.touch(key.id)
    role = rules.effective_api_key_role(key.role, creator.role)
    return await issuer.access_token(creator, role=role, api_key_id=key.id)
