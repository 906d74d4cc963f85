"""Opaque credentials (refresh tokens, invitation tokens, password-reset tokens, API keys): random
or keyed, prefixed so a leak is recognisable by scanners, and stored only as a SHA-256 digest
(they carry 256 bits of entropy, so a slow hash would add nothing).

Tokens that are emailed (invitations, password resets) are derived from the row's random id with
a server secret: the mailer recomputes them from the event, so neither the event stream nor the
database ever holds one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid

REFRESH_TOKEN_PREFIX = "lbr_"
INVITATION_PREFIX = "lbi_"
PASSWORD_RESET_PREFIX = "lbp_"
API_KEY_PREFIX = "lbk_"
API_KEY_DISPLAY_LENGTH = 12


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenDeriver:
    """The emailed token of a row: HMAC-SHA256(server secret, purpose + row id)."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"labs-identity-emailed-tokens\0" + secret.encode()).digest()

    def token(self, prefix: str, row_id: uuid.UUID) -> str:
        mac = hmac.new(self._key, f"{prefix}{row_id}".encode(), hashlib.sha256).digest()
        return prefix + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def invitation(self, invitation_id: uuid.UUID) -> str:
        return self.token(INVITATION_PREFIX, invitation_id)

    def password_reset(self, reset_id: uuid.UUID) -> str:
        return self.token(PASSWORD_RESET_PREFIX, reset_id)
