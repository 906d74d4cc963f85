"""Opaque credentials (refresh tokens, invitation tokens, API keys): random, prefixed so a leak
is recognisable by scanners, and stored only as a SHA-256 digest (they carry 256 bits of
entropy, so a slow hash would add nothing)."""

from __future__ import annotations

import hashlib
import secrets

REFRESH_TOKEN_PREFIX = "lbr_"
INVITATION_PREFIX = "lbi_"
API_KEY_PREFIX = "lbk_"
API_KEY_DISPLAY_LENGTH = 12


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
