"""Wiring of the identity service on the shared service runtime.

Identity verifies access tokens with its own key ring instead of asking itself over gRPC.
"""

from __future__ import annotations

from datetime import timedelta

from labs.identity.v1 import identity_service_pb2 as pb
from labs.identity.v1 import identity_service_pb2_grpc as pb_grpc
from labs_common.auth.tokens import TokenVerifier
from labs_common.grpc.server import ServiceRegistration
from labs_common.service import Runtime, ServiceDefinition
from labs_identity.adapters.credentials import TokenDeriver
from labs_identity.adapters.mailer import Mailer
from labs_identity.adapters.sessions import DELEGATION_TTL, TokenIssuer
from labs_identity.adapters.signing import KeyRing
from labs_identity.config import Settings
from labs_identity.entrypoints.consumers import MailSender
from labs_identity.entrypoints.grpc_servicer import PUBLIC_METHODS, IdentityServicer
from labs_identity.service_layer.unit_of_work import IdentityUnitOfWork


def key_ring(runtime: Runtime) -> KeyRing:
    settings: Settings = runtime.settings  # type: ignore[assignment]
    return runtime.shared("keyring", lambda: KeyRing(
        runtime.engine,
        settings.signing_key_passphrase,
        max_age=timedelta(days=settings.signing_key_max_age_days),
        # Keys stay published as long as the longest-lived token they sign can live.
        token_ttl=max(timedelta(seconds=settings.access_token_ttl_seconds),
                      timedelta(seconds=settings.api_key_token_ttl_seconds), DELEGATION_TTL),
        activation_delay=timedelta(seconds=settings.signing_key_activation_seconds),
    ))


def verifier(runtime: Runtime) -> TokenVerifier:
    # Reading our own keys is cheap, so an unknown kid may re-read them at once.
    return TokenVerifier(
        key_ring(runtime).published,
        runtime.settings.jwt_issuer,
        runtime.settings.jwt_audience,
        min_refresh_seconds=0,
        revoked=runtime.revoked_sessions,
    )


def registrations(runtime: Runtime) -> list[ServiceRegistration]:
    settings: Settings = runtime.settings
    issuer = TokenIssuer(
        key_ring(runtime),
        settings.jwt_issuer,
        settings.jwt_audience,
        access_ttl=timedelta(seconds=settings.access_token_ttl_seconds),
        api_key_ttl=timedelta(seconds=settings.api_key_token_ttl_seconds),
        refresh_ttl=timedelta(days=settings.refresh_token_ttl_days),
    )
    servicer = IdentityServicer(
        runtime.uow, issuer, key_ring(runtime), timedelta(days=settings.invitation_ttl_days),
        deriver(settings), reset_ttl=timedelta(minutes=settings.password_reset_ttl_minutes),
        delegation_secret=settings.delegation_secret.get_secret_value(),
    )
    return [ServiceRegistration.of(pb, pb_grpc, servicer, public=PUBLIC_METHODS)]


def deriver(settings: Settings) -> TokenDeriver:
    """Emailed tokens are keyed with the secret that already guards the signing keys."""
    return TokenDeriver(settings.signing_key_passphrase)


def subscriptions(runtime: Runtime):
    settings: Settings = runtime.settings
    mailer = Mailer(settings.smtp_url, settings.mail_from,
                    keep_unsent=settings.env == "production")
    return MailSender(mailer, deriver(settings)).subscriptions()


async def on_start(runtime: Runtime) -> None:
    """The first start creates a signing key; a later one replaces a key past its age."""
    await key_ring(runtime).rotate_if_old()


DEFINITION = ServiceDefinition(
    settings_class=Settings,
    registrations=registrations,
    uow_class=IdentityUnitOfWork,
    subscriptions=subscriptions,
    verifier=verifier,
    on_start=on_start,
)
