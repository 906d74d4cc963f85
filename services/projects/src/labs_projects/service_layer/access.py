"""Who may see and change what. A client-role caller sees only its client's projects and may
write nothing but comments; anything it may not see answers 404, like another org's object."""

from __future__ import annotations

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import NotFound
from labs_projects.domain.model import Project


def is_client(principal: Principal) -> bool:
    return principal.role is Role.CLIENT


def require_writer(principal: Principal, role: Role, what: str) -> None:
    """Staff need `role`; a client-role caller is told the object does not exist."""
    if is_client(principal):
        raise NotFound(f"No such {what}.")
    principal.require(role)


def sees_project(principal: Principal, project: Project) -> bool:
    if is_client(principal):
        return principal.client_id is not None and project.client_id == principal.client_id
    return True
