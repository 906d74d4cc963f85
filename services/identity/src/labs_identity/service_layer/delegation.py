"""Delegated access tokens: a Labs service (integrations) acting as one member of an organization.

The caller has already shown the delegation secret (the servicer checks it before any
transaction); what is left is finding the member as they are now and signing a short token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog

from labs_common.errors import NotFound
from labs_identity.adapters.sessions import TokenIssuer
from labs_identity.domain import commands, rules
from labs_identity.domain.model import Member
from labs_identity.service_layer.unit_of_work import IdentityUnitOfWork

log = structlog.get_logger("labs.identity.delegation")


@dataclass(frozen=True)
class DelegatedToken:
    member: Member
    access_token: str
    expires_at: datetime


async def issue_delegated_token(
    command: commands.IssueDelegatedToken, uow: IdentityUnitOfWork, *, issuer: TokenIssuer
) -> DelegatedToken:
    """Runs in system scope: the organization is the request's, not a caller's. Only an active
    member qualifies (a removed one is not found), with their current role and client."""
    actor = rules.check_actor(command.actor)
    reason = rules.check_reason(command.reason)
    member = None
    if await uow.organizations.get(command.org_id) is not None:
        if command.user_id is not None:
            member = await uow.members.get(command.org_id, command.user_id)
        elif command.email is not None:
            member = await uow.members.by_email(command.org_id, command.email.strip().lower())
    if member is None:
        log.info("delegation.refused", org_id=str(command.org_id), actor=actor, reason=reason,
                 user_id=str(command.user_id or ""), by_email=command.email is not None)
        raise NotFound("No such member in this organization.", reason="MEMBER_NOT_FOUND")
    token, expires_at = await issuer.delegated_token(member, actor)
    log.info("delegation.issued", org_id=str(member.org_id), user_id=str(member.id),
             role=member.role.value, actor=actor, reason=reason,
             expires_at=expires_at.isoformat())
    return DelegatedToken(member, token, expires_at)
