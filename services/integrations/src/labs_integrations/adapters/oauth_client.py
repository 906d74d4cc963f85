"""Labs' OAuth app at a platform (`OAuthClient`): the code and refresh-token grants at its token
endpoint (RFC 6749 §4.1.3 and §6), one implementation for every side that has OAuth. The
transport's failures, 429 and 5xx are Unavailable (worth asking again); any other answer
without an access token is the platform refusing the grant, an InvalidArgument on the field
that carried it (`code`, `refresh_token`). Platforms differ only in the body (form or JSON),
in how the app signs in (client_id/client_secret in the body, or HTTP Basic) and, for Figma,
in where refreshes go: those are the client's fields. What comes back is read the same way for
all of them (`issued`).

Also the revocation endpoints' POST, which needs the same handling of an outage. Never called
inside a transaction."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

import httpx
from pydantic import SecretStr

from labs_common.errors import InvalidArgument, Unavailable

TIMEOUT_SECONDS = 10


async def _post(url: str, platform: str, **request: Any) -> httpx.Response:
    headers = {"Accept": "application/json", **(request.pop("headers", None) or {})}
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            answer = await client.post(url, headers=headers, **request)
    except httpx.HTTPError as error:
        raise Unavailable(f"{platform} cannot be reached; try again shortly.") from error
    if answer.status_code >= 500 or answer.status_code == 429:
        raise Unavailable(f"{platform} answered {answer.status_code}; try again shortly.")
    return answer


async def request_tokens(url: str, *, platform: str, field: str,
                         data: dict[str, str] | None = None, json: dict[str, str] | None = None,
                         auth: tuple[str, str] | None = None,
                         headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The token endpoint's answer (a JSON object with an `access_token`)."""
    answer = await _post(url, platform, data=data, json=json, auth=auth, headers=headers)
    try:
        body = answer.json() if answer.status_code == 200 else None
    except ValueError:
        body = None
    if not isinstance(body, dict) or not body.get("access_token"):
        raise InvalidArgument.on(field, f"{platform} did not accept it")
    return body


def issued(body: dict[str, Any], *, now: float | None = None) -> dict[str, Any]:
    """What a secret keeps of a token answer: the access token, the refresh token when one came
    (Figma's and Asana's refreshes send none: the one held stays good), and `expires_at` (epoch
    seconds) when the platform said how long the token lasts."""
    tokens: dict[str, Any] = {"access_token": str(body["access_token"])}
    if body.get("refresh_token"):
        tokens["refresh_token"] = str(body["refresh_token"])
    try:
        lifetime = float(body["expires_in"])
    except (KeyError, TypeError, ValueError):
        return tokens
    tokens["expires_at"] = (time.time() if now is None else now) + lifetime
    return tokens


async def revoke_at(url: str, *, platform: str, **request: Any) -> None:
    """A revocation: an outage raises (the sweeper asks again); any other answer is the end of
    it, since a token the platform no longer knows is revoked already."""
    await _post(url, platform, **request)


@dataclass(frozen=True)
class OAuthClient:
    platform: str  # as messages name it: "Asana"
    token_url: str
    client_id: str
    client_secret: SecretStr
    basic: bool = False  # the app signs in with HTTP Basic rather than in the body
    body: Literal["form", "json"] = "form"
    refresh_url: str = ""  # where refresh grants go, when not to the token URL (Figma)
    headers: dict[str, str] = field(default_factory=dict)  # sent with every grant

    def authorize_url(self, url: str, **params: str) -> str:
        """The consent page `url` with the app's client_id and `params` as its query."""
        return f"{url}?{urlencode({'client_id': self.client_id, **params})}"

    def sign_in(self) -> tuple[str, str]:
        return self.client_id, self.client_secret.get_secret_value()

    async def grant(self, grant: dict[str, str], field: str, url: str = "") -> dict[str, Any]:
        """The token endpoint's whole answer to `grant` (the caller reads what else it sends:
        Notion's workspace, Figma's user id)."""
        fields = dict(grant) if self.basic else {**grant, "client_id": self.client_id,
                                                  "client_secret": self.sign_in()[1]}
        return await request_tokens(
            url or self.token_url, platform=self.platform, field=field,
            data=fields if self.body == "form" else None,
            json=fields if self.body == "json" else None,
            auth=self.sign_in() if self.basic else None, headers=self.headers)

    async def exchange(self, code: str, redirect_url: str, **extra: str) -> dict[str, Any]:
        return await self.grant({"grant_type": "authorization_code", "code": code,
                                 "redirect_uri": redirect_url, **extra}, "code")

    async def refresh(self, secret: dict[str, Any], **extra: str) -> dict[str, Any]:
        """`secret` with the tokens of a refresh grant (the refresh token it holds spent where
        the platform rotates them)."""
        answer = await self.grant({"grant_type": "refresh_token",
                                   "refresh_token": str(secret.get("refresh_token") or ""),
                                   **extra}, "refresh_token", self.refresh_url)
        return {**secret, **issued(answer)}
