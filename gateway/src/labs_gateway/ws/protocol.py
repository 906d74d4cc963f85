"""Messages a client may send over the socket, validated into typed commands."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from labs_gateway.schemas.common import UuidStr


class _Command(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class Auth(_Command):
    type: Literal["auth"]
    token: Annotated[str, Field(min_length=1, max_length=8192)]


class Subscribe(_Command):
    type: Literal["subscribe"]
    project_id: UuidStr


class Unsubscribe(_Command):
    type: Literal["unsubscribe"]
    project_id: UuidStr


class Typing(_Command):
    type: Literal["typing"]
    project_id: UuidStr | None = None
    task_id: UuidStr | None = None


class Ping(_Command):
    type: Literal["ping"]


Command = Annotated[Auth | Subscribe | Unsubscribe | Typing | Ping, Field(discriminator="type")]
_COMMAND = TypeAdapter(Command)


class ProtocolError(ValueError):
    """A message the server cannot act on; reported to the client, the socket stays open."""


def parse_command(text: str) -> Auth | Subscribe | Unsubscribe | Typing | Ping:
    try:
        return _COMMAND.validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        if first["type"] == "json_invalid":
            raise ProtocolError("The message is not valid JSON.") from None
        if first["type"] in ("union_tag_invalid", "union_tag_not_found", "model_type"):
            raise ProtocolError(
                "Unknown message: type must be one of auth, subscribe, unsubscribe, typing, ping."
            ) from None
        where = ".".join(str(part) for part in first["loc"][1:]) or "message"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ProtocolError(f"{where}: {message}") from None
