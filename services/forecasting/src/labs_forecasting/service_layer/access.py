"""Who reads margins: manager and up, or down to the role the organization's
`financials_visible_to` names (members, viewers); a client never. Cost rates themselves (the
margin detail export) stay manager and up whatever the setting."""

from __future__ import annotations

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import PermissionDenied
from labs_forecasting.domain.model import Organization


def financials_from(org: Organization) -> Role:
    return Role(org.financials_visible_to) if org.financials_visible_to in (
        "member", "viewer") else Role.MANAGER


def require_financials(principal: Principal, org: Organization) -> None:
    lowest = financials_from(org)
    if principal.role is Role.CLIENT or not principal.role.at_least(lowest):
        raise PermissionDenied(f"Margins are for the {lowest.value} role or higher.",
                               reason="ROLE_TOO_LOW", metadata={"required_role": lowest.value})


def require_cost_rates(principal: Principal) -> None:
    principal.require(Role.MANAGER)
