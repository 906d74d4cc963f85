"""Secrets at rest (platform credentials, outgoing webhooks' signing secrets): AES-256-GCM from
`cryptography`, each ciphertext prefixed by the id of the key that sealed it so keys can rotate.

Sealed: `<key id>` `:` 12-byte nonce, ciphertext+tag. The associated data binds a ciphertext to
its row (org, row id, purpose): a sealed value copied onto another row does not open there.

Keys come from `LABS_CREDENTIALS_KEYS` ("kid:base64(32 bytes)", comma separated; the first
seals, all open). Development and tests without keys use one derived from a fixed label, which
production refuses."""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
DEVELOPMENT_KEY_ID = "dev"


class VaultError(Exception):
    """A sealed value that no configured key opens (a removed key, a tampered value)."""


def parse_keys(spec: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id:
            raise ValueError("each credentials key is '<key id>:<base64 of 32 bytes>'")
        key = base64.b64decode(encoded, validate=True)
        if len(key) != 32:
            raise ValueError(f"credentials key {key_id!r} is not 32 bytes")
        keys[key_id] = key
    return keys


class Vault:
    def __init__(self, keys: dict[str, bytes]) -> None:
        if not keys:
            raise ValueError("the vault needs at least one key")
        self._current = next(iter(keys))
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}

    @classmethod
    def from_settings(cls, spec: str, env: str) -> Vault:
        keys = parse_keys(spec)
        if not keys:
            if env == "production":
                raise ValueError("LABS_CREDENTIALS_KEYS is required in production")
            keys = {DEVELOPMENT_KEY_ID: hashlib.sha256(b"labs-integrations-development").digest()}
        return cls(keys)

    @property
    def current_key_id(self) -> str:
        return self._current

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self._current].encrypt(nonce, plaintext, aad)
        return self._current.encode() + b":" + nonce + sealed

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        key_id, sep, rest = bytes(sealed).partition(b":")
        cipher = self._ciphers.get(key_id.decode(errors="replace"))
        if not sep or cipher is None or len(rest) <= NONCE_BYTES:
            raise VaultError(f"no key {key_id.decode(errors='replace')!r} to open this value")
        try:
            return cipher.decrypt(rest[:NONCE_BYTES], rest[NONCE_BYTES:], aad)
        except InvalidTag:
            raise VaultError("the sealed value does not verify") from None

    def key_id_of(self, sealed: bytes) -> str:
        return bytes(sealed).partition(b":")[0].decode(errors="replace")


def aad(org_id: object, row_id: object, purpose: str) -> bytes:
    return f"{org_id}:{row_id}:{purpose}".encode()
