"""Field types shared by the request and response schemas.

Requests ignore unknown fields but never coerce types ("1" is not a number, 1 is not a string).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

RoleName = Literal["owner", "admin", "manager", "member", "viewer", "client"]

# Deliberately loose (one @, a dot in the domain, no spaces): identity owns the real rules, and
# test or internal domains (*.test, *.local) must pass.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value):
        raise ValueError("Not a valid email address.")
    return value


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError("Not a valid UUID.") from None


Email = Annotated[str, Field(max_length=254, examples=["ada@agency.example"]),
                  AfterValidator(_email)]
Password = Annotated[str, Field(min_length=10, max_length=1024,
                                description="At least 10 characters.")]
UuidStr = Annotated[str, Field(examples=["9b2f8c4e-1a0d-4f6e-8f0a-2f4c1d7e9a31"]),
                    AfterValidator(_uuid)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class RequestModel(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", populate_by_name=True)


def timestamp(value: Timestamp) -> datetime | None:
    """A proto Timestamp as an aware UTC datetime; unset (the epoch) means absent."""
    if value.seconds == 0 and value.nanos == 0:
        return None
    return value.ToDatetime(tzinfo=UTC)
