"""The authorization server the fakes of OAuth platforms share (fake_asana, fake_figma,
fake_jira, fake_notion), as RFC 6749 has it and those platforms do: each fake serves its own
token endpoint in its own wire shape and asks this one what a grant is worth.

- apps are client ids with their secrets; a grant from an unknown app, or with a wrong secret,
  is `invalid_client`;
- `authorize(client_id, subject, redirect_uri)` is the user's consent: a code for that app, used
  once, within 10 minutes, with the redirect URI it was given for (when one was named);
- access tokens last `token_lifetime` seconds (None: no lifetime said, as Notion's), and
  `lapse()` ends every one issued so far, as time would;
- refresh tokens `rotate` (Jira's, Notion's: each use spends it and answers a new one) or stay
  (Asana's, Figma's), and a revoked one is gone with its access tokens.

    oauth = FakeOAuth(token_lifetime=3600, rotate=True)
    oauth.add_app("client", "secret")
    code = oauth.authorize("client", user, "https://labs.example/back")
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from labs_common.testing.fake_server import Call, CallLog

CODE_LIFETIME = 600.0


class OAuthRefused(Exception):
    """The grant is refused: `error` as RFC 6749 §5.2 names it, the HTTP status to answer."""

    def __init__(self, error: str, status: int = 400) -> None:
        super().__init__(error)
        self.error, self.status = error, status


@dataclass
class Grant:
    client_id: str
    subject: Any  # whom the tokens act for: a user, a bot
    redirect_uri: str | None = None
    expires_at: float | None = None


def basic_client(authorization: str) -> tuple[str, str] | None:
    """The (client_id, client_secret) of an `Authorization: Basic` header."""
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, client_secret = base64.b64decode(encoded, validate=True).decode() \
            .partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, client_secret


async def token_request(request: Request, log: CallLog) -> dict[str, Any]:
    """The fields of a token request, a form or a JSON object (as the platform takes it),
    logged as a Call."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            body = None
        fields = body if isinstance(body, dict) else {}
    else:
        fields = {k: str(v) for k, v in (await request.form()).items()}
    log.append(Call("POST", request.url.path, fields, dict(request.headers),
                    json=fields if "json" in request.headers.get("content-type", "") else None))
    return fields


class FakeOAuth:
    def __init__(self, *, token_lifetime: float | None = 3600.0, rotate: bool = False,
                 prefix: str = "oauth") -> None:
        self.token_lifetime, self.rotate, self.prefix = token_lifetime, rotate, prefix
        self.apps: dict[str, str] = {}
        self.codes: dict[str, Grant] = {}
        self.access: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, Grant] = {}
        self.refreshed = 0  # refresh grants answered
        self._lock = threading.Lock()

    def add_app(self, client_id: str, client_secret: str) -> None:
        self.apps[client_id] = client_secret

    def authorize(self, client_id: str, subject: Any, redirect_uri: str | None = None) -> str:
        code = secrets.token_urlsafe(16)
        self.codes[code] = Grant(client_id, subject, redirect_uri, time.time() + CODE_LIFETIME)
        return code

    def lapse(self) -> None:
        """Every access token issued so far expires now."""
        with self._lock:
            for grant in self.access.values():
                grant.expires_at = time.time() - 1

    def subject_of(self, access_token: str) -> Any:
        """Whom a live access token acts for, else None."""
        grant = self.access.get(access_token)
        if grant is None or (grant.expires_at is not None and grant.expires_at < time.time()):
            return None
        return grant.subject

    def check_client(self, client_id: str, client_secret: str) -> None:
        if not client_id or self.apps.get(client_id) != client_secret:
            raise OAuthRefused("invalid_client", 401)

    def _issue(self, grant: Grant, refresh_token: str | None) -> dict[str, Any]:
        access = f"{self.prefix}_{secrets.token_urlsafe(24)}"
        expires_at = None if self.token_lifetime is None else time.time() + self.token_lifetime
        self.access[access] = Grant(grant.client_id, grant.subject, expires_at=expires_at)
        tokens: dict[str, Any] = {"access_token": access, "token_type": "bearer"}
        if self.token_lifetime is not None:
            tokens["expires_in"] = int(self.token_lifetime)
        if refresh_token is None:
            refresh_token = f"{self.prefix}_r_{secrets.token_urlsafe(24)}"
            self.refresh_tokens[refresh_token] = Grant(grant.client_id, grant.subject)
        tokens["refresh_token"] = refresh_token
        return tokens

    def exchange(self, client_id: str, code: str, redirect_uri: str | None) -> tuple[Any, dict]:
        """(the subject, the tokens) for a code; OAuthRefused when it is worth nothing."""
        with self._lock:
            grant = self.codes.pop(code, None)
            if grant is None or grant.client_id != client_id or (
                    grant.expires_at or 0) < time.time():
                raise OAuthRefused("invalid_grant")
            if grant.redirect_uri is not None and grant.redirect_uri != redirect_uri:
                raise OAuthRefused("invalid_grant")
            return grant.subject, self._issue(grant, None)

    def refresh(self, client_id: str, refresh_token: str) -> tuple[Any, dict]:
        """(the subject, the tokens) for a refresh token: a new one in place of the one used
        when they rotate, else none (the one used stays good)."""
        with self._lock:
            grant = self.refresh_tokens.get(refresh_token)
            if grant is None or grant.client_id != client_id:
                raise OAuthRefused("invalid_grant")
            self.refreshed += 1
            if self.rotate:
                del self.refresh_tokens[refresh_token]
                return grant.subject, self._issue(grant, None)
            tokens = self._issue(grant, refresh_token)
            del tokens["refresh_token"]
            return grant.subject, tokens

    def grant(self, fields: dict[str, Any], client_id: str, client_secret: str
              ) -> tuple[Any, dict]:
        """(the subject, the tokens) of a token request's authorization_code or refresh_token
        grant by the app that signed in as `client_id`."""
        self.check_client(client_id, client_secret)
        if fields.get("grant_type") == "authorization_code":
            return self.exchange(client_id, str(fields.get("code") or ""),
                                 fields.get("redirect_uri"))
        if fields.get("grant_type") == "refresh_token":
            return self.refresh(client_id, str(fields.get("refresh_token") or ""))
        raise OAuthRefused("unsupported_grant_type")

    def revoke(self, token: str) -> bool:
        """Ends a refresh token with every access token of its grant, or one access token."""
        with self._lock:
            grant = self.refresh_tokens.pop(token, None) or self.access.pop(token, None)
            if grant is None:
                return False
            for access, issued in list(self.access.items()):
                if issued.subject == grant.subject and issued.client_id == grant.client_id:
                    del self.access[access]
            return True
