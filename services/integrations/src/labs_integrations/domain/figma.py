"""Figma's webhooks (v2), pure Python: what a delivery says (`FigmaEvent.of`), the key that
recognises it when Figma sends it again, the passcode that proves it comes from a webhook
registered for one of our connections, and which team's webhooks a connection registers
(`team_of`: its settings' `team_id`, checked by `check_settings`, else the token's `account_id`).

Figma signs nothing: each webhook carries the `passcode` given when it was created. Labs gives
each Figma connection a passcode of its own (256 random bits) and keeps its SHA-256, so a
delivery names its organization by its passcode, and a wrong one names none. Figma sends no
delivery id either, and counts its retries in the body (`retries`): a delivery is known by its
event, file, and timestamp (FILE_UPDATE) or comment id (FILE_COMMENT), which a retry repeats."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from labs_common.errors import FieldError, InvalidArgument

FILE_UPDATE = "FILE_UPDATE"
FILE_COMMENT = "FILE_COMMENT"
PING = "PING"
# The events Labs registers and applies; others a team's owner registered are answered and
# ignored.
APPLIED = (FILE_UPDATE, FILE_COMMENT)
MAX_PASSCODE = 200
MAX_ID = 128
MAX_TEXT = 2000
MAX_NAME = 500
MAX_TEAM_ID = 40
TEAM_ID = "team_id"
TEAM_ID_RULE = "the id of a Figma team: the digits of figma.com/files/team/<id>"


@dataclass(frozen=True)
class FigmaEvent:
    event_type: str
    passcode: str
    file_key: str = ""
    file_name: str = ""
    timestamp: str = ""
    webhook_id: str = ""
    comment_id: str = ""
    text: str = ""
    author: str = ""

    @classmethod
    def of(cls, payload: Any) -> FigmaEvent:
        """The delivery's facts (its passcode checked before: `passcode_of`); a body that is
        not one of Figma's is a 422 naming what is missing."""
        if not isinstance(payload, dict):
            raise InvalidArgument.on("payload", "is not a JSON object")
        passcode = passcode_of(payload) or ""
        event_type = payload.get("event_type")
        if not isinstance(event_type, str) or not event_type:
            raise InvalidArgument.on("event_type", "is required")
        event = cls(event_type=event_type, passcode=passcode,
                    webhook_id=_text(payload.get("webhook_id"), MAX_ID),
                    timestamp=_text(payload.get("timestamp"), MAX_ID))
        if event_type not in APPLIED:
            return event
        file_key = _text(payload.get("file_key"), MAX_ID)
        if not file_key:
            raise InvalidArgument.on("file_key", "is required")
        comment_id = _text(payload.get("comment_id"), MAX_ID)
        if event_type == FILE_COMMENT and not comment_id:
            raise InvalidArgument.on("comment_id", "is required")
        author = payload.get("triggered_by") if isinstance(payload.get("triggered_by"),
                                                           dict) else {}
        return cls(event_type=event_type, passcode=passcode, file_key=file_key,
                   file_name=_text(payload.get("file_name"), MAX_NAME),
                   timestamp=event.timestamp, webhook_id=event.webhook_id,
                   comment_id=comment_id,
                   text=comment_text(payload.get("comment"), payload.get("mentions")),
                   author=_text(author.get("handle"), MAX_NAME))

    @property
    def applied(self) -> bool:
        return self.event_type in APPLIED

    @property
    def delivery_key(self) -> str:
        """What a retry of this delivery repeats (never `retries` or the passcode)."""
        moment = self.comment_id if self.event_type == FILE_COMMENT else self.timestamp
        return f"{self.event_type}:{self.file_key}:{moment}"


def passcode_of(payload: Any) -> str | None:
    """The passcode a delivery carries; None when it has none Labs could have given."""
    passcode = payload.get("passcode") if isinstance(payload, dict) else None
    if not isinstance(passcode, str) or not passcode or len(passcode) > MAX_PASSCODE:
        return None
    return passcode


def _text(value: Any, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def comment_text(fragments: Any, mentions: Any = None) -> str:
    """A comment's fragments (`{text}` and `{mention: <user id>}`) as one text, mentions as
    @handle (Figma's `mentions` list names them), at most MAX_TEXT characters."""
    handles = {str(m.get("id")): str(m.get("handle") or "")
               for m in mentions or [] if isinstance(m, dict)} if isinstance(mentions,
                                                                             list) else {}
    said: list[str] = []
    for fragment in fragments if isinstance(fragments, list) else []:
        if not isinstance(fragment, dict):
            continue
        if isinstance(fragment.get("text"), str):
            said.append(fragment["text"])
        elif fragment.get("mention") is not None:
            said.append("@" + (handles.get(str(fragment["mention"])) or "someone"))
    return "".join(said).strip()[:MAX_TEXT]


def new_passcode() -> str:
    return secrets.token_urlsafe(32)


def passcode_hash(passcode: str) -> bytes:
    """How a passcode is found (and compared): its SHA-256, never the passcode itself."""
    return hashlib.sha256(passcode.encode()).digest()


# --- which team ---------------------------------------------------------------------------------

def is_team_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= MAX_TEAM_ID


def check_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """`{"team_id": "<digits>"}`: the team whose webhooks Labs registers, over the one named on
    connecting (`account_id`, which an OAuth connection cannot name); `null` names none. A
    string only: a JSON number would lose a long id's digits. Every wrong key named (422)."""
    errors = [FieldError(f"settings.{name}", "not a Figma setting: team_id names the team "
                         "whose webhooks Labs registers") for name in settings if name != TEAM_ID]
    clean: dict[str, Any] = {}
    if TEAM_ID in settings:
        team = settings[TEAM_ID]
        if team is None:
            clean[TEAM_ID] = None
        elif isinstance(team, str) and is_team_id(team.strip()):
            clean[TEAM_ID] = team.strip()
        else:
            errors.append(FieldError(f"settings.{TEAM_ID}", f"{TEAM_ID_RULE}, as a string"))
    if errors:
        raise InvalidArgument("Some Figma settings are not valid.", field_errors=errors)
    return clean


def team_of(secret: dict[str, Any], settings: dict[str, Any]) -> str | None:
    """The team the connection registers webhooks for: its settings' when they name the key
    (`null`: none, even over the token's), else the one named on connecting, else none."""
    if TEAM_ID in settings:
        team = settings[TEAM_ID]
    else:
        team = secret.get("account_id")
    return str(team or "").strip() or None
