"""Ed25519 keys that sign access tokens: created, stored encrypted, rotated, published as JWKS.

A new key is published at once but signs only after `activation_delay`, by when every verifier
(other identity replicas, other services' JWKS caches) has seen it. A replaced key stays published
for one token lifetime after its successor took over, so a rotation never invalidates a token
already handed out.
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from labs_common.auth.tokens import ACCESS_TOKEN_TYPE
from labs_identity.adapters.orm import signing_keys

RELOAD_SECONDS = 30.0


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey
    public_x: str
    created_at: datetime

    @property
    def jwk(self) -> dict:
        return {
            "kid": self.kid,
            "kty": "OKP",
            "crv": "Ed25519",
            "x": self.public_x,
            "alg": "EdDSA",
            "use": "sig",
        }


class KeyRing:
    """The signing keys, read from identity's database and cached briefly (several replicas
    share them; a rotation on one is seen by the others within RELOAD_SECONDS)."""

    def __init__(
        self,
        engine: AsyncEngine,
        passphrase: str,
        max_age: timedelta,
        token_ttl: timedelta,
        activation_delay: timedelta,
    ) -> None:
        self._engine = engine
        self._passphrase = passphrase.encode()
        self._max_age = max_age
        self._token_ttl = token_ttl
        self._activation_delay = activation_delay
        self._keys: list[SigningKey] = []
        self._loaded_at = 0.0

    async def active(self) -> SigningKey:
        """The newest key old enough to be known everywhere (the only key on a first start)."""
        keys = await self._current()
        if not keys:
            await self.rotate()
            keys = await self._current()
        activated_before = datetime.now(UTC) - self._activation_delay
        return next((key for key in keys if key.created_at <= activated_before), keys[-1])

    async def published(self) -> list[dict]:
        return [key.jwk for key in await self._current()]

    async def rotate(self) -> str:
        """Add a fresh key (it signs from now on) and forget keys nobody can still hold."""
        private_key = Ed25519PrivateKey.generate()
        kid = uuid.uuid4().hex
        raw_public = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        encrypted = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(self._passphrase),
        )
        horizon = datetime.now(UTC) - 2 * self._max_age - self._token_ttl
        async with self._engine.begin() as connection:
            await connection.execute(
                insert(signing_keys).values(
                    kid=kid,
                    private_key=encrypted,
                    public_x=base64.urlsafe_b64encode(raw_public).decode().rstrip("="),
                )
            )
            await connection.execute(
                delete(signing_keys).where(signing_keys.c.created_at < horizon)
            )
        self._loaded_at = 0.0
        return kid

    async def rotate_if_old(self) -> str | None:
        keys = await self._current()
        if keys and datetime.now(UTC) - keys[0].created_at < self._max_age:
            return None
        return await self.rotate()

    def sign(self, key: SigningKey, claims: dict) -> str:
        return jwt.encode(
            claims,
            key.private_key,
            algorithm="EdDSA",
            headers={"kid": key.kid, "typ": ACCESS_TOKEN_TYPE},
        )

    async def _current(self) -> list[SigningKey]:
        if time.monotonic() - self._loaded_at > RELOAD_SECONDS:
            await self._load()
        return self._keys

    async def _load(self) -> None:
        still_valid_since = datetime.now(UTC) - self._token_ttl
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(signing_keys).order_by(signing_keys.c.created_at.desc())
                )
            ).all()
        keys = []
        for index, row in enumerate(rows):
            successor = rows[index - 1].created_at + self._activation_delay if index else None
            if successor and successor < still_valid_since:
                break  # replaced longer ago than any token it signed can live
            private_key = serialization.load_pem_private_key(row.private_key, self._passphrase)
            keys.append(SigningKey(row.kid, private_key, row.public_x, row.created_at))
        self._keys = keys
        self._loaded_at = time.monotonic()
