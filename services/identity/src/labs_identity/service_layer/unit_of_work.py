"""Identity's unit of work: the platform one plus identity's repositories."""

from __future__ import annotations

from labs_common.db.uow import UnitOfWork
from labs_identity.adapters.repository import (
    SqlAlchemyApiKeyRepository,
    SqlAlchemyInvitationRepository,
    SqlAlchemyLoginFailureRepository,
    SqlAlchemyMemberRepository,
    SqlAlchemyOrganizationRepository,
    SqlAlchemyPasswordResetRepository,
    SqlAlchemyRefreshTokenRepository,
)


class IdentityUnitOfWork(UnitOfWork):
    def _start(self) -> None:
        self.organizations = SqlAlchemyOrganizationRepository(self.session)
        self.members = SqlAlchemyMemberRepository(self.session)
        self.refresh_tokens = SqlAlchemyRefreshTokenRepository(self.session)
        self.invitations = SqlAlchemyInvitationRepository(self.session)
        self.api_keys = SqlAlchemyApiKeyRepository(self.session)
        self.password_resets = SqlAlchemyPasswordResetRepository(self.session)
        self.login_failures = SqlAlchemyLoginFailureRepository(self.session)
