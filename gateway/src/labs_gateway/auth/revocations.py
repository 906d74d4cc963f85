"""Forget cached API-key tokens as soon as identity announces the key's revocation.

Without this a revoked key would keep working at this replica until its cached access token
expired. Core NATS: every replica must hear every revocation (no queue group, no durable).
"""

from __future__ import annotations

import structlog
from nats.aio.client import Client as Nats
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2
from labs_gateway.auth.credentials import ApiKeyTokens

log = structlog.get_logger("labs.gateway.auth")

SUBJECT = "labs.identity.v1.*.api_key.revoked"


class ApiKeyRevocations:
    def __init__(self, nats: Nats | None, tokens: ApiKeyTokens) -> None:
        self._nats = nats
        self._tokens = tokens
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        if self._nats is not None:
            self._subscription = await self._nats.subscribe(SUBJECT, cb=self._on_revoked)
            await self._nats.flush()

    async def stop(self) -> None:
        if self._subscription is not None:
            try:
                await self._subscription.unsubscribe()
            except Exception as error:  # the connection may be closed already
                log.debug("auth.unsubscribe_failed", error=str(error))
            self._subscription = None

    async def _on_revoked(self, msg: Msg) -> None:
        envelope, revoked = envelope_pb2.Envelope(), events_pb2.ApiKeyRevoked()
        try:
            envelope.ParseFromString(msg.data)
            if not envelope.payload.Unpack(revoked):
                raise ValueError(envelope.payload.type_url)
        except Exception as error:
            log.warning("auth.bad_revocation_event", subject=msg.subject, error=str(error))
            return
        self._tokens.forget(revoked.api_key_id)
