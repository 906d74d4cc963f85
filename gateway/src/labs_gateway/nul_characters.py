"""U+0000 in any text a request carries is a 422 naming each field, before any service is called.

PostgreSQL's text cannot hold the NUL character: a service storing one fails with "invalid byte
sequence", which would be a 500 for bad input. JSON escapes it (`"\\u0000"`), query strings and
paths percent-encode it (`%00`), multipart carries it raw; all are refused here alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import HTTPConnection

from labs_common.errors import FieldError, InvalidArgument

NUL = "\x00"
MESSAGE = "must not contain the NUL character (U+0000)"


def _name(part: object) -> str:
    # A field name holding the character itself is named with it escaped, readable in any log.
    return str(part).replace(NUL, "\\u0000")


def json_fields(value: Any, path: tuple[str, ...] = ()) -> Iterable[str]:
    """The API names (items.0.notes) of the strings in a parsed JSON value that hold U+0000; a
    key holding it is named too."""
    if isinstance(value, str):
        if NUL in value:
            yield ".".join(path) or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in str(key):
                yield ".".join((*path, _name(key)))
            else:
                yield from json_fields(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_fields(item, (*path, str(index)))


def connection_fields(connection: HTTPConnection) -> Iterable[str]:
    """Path parameters (by their public names) and query parameters that hold U+0000."""
    for name, value in connection.path_params.items():
        if NUL in str(value):
            yield _name(name)
    for name, value in connection.query_params.multi_items():
        if NUL in name or NUL in value:
            yield _name(name)


def form_fields(form: FormData) -> Iterable[str]:
    """Multipart fields whose value, or whose file's name, holds U+0000."""
    for name, value in form.multi_items():
        text = (value.filename or "") if isinstance(value, UploadFile) else value
        if NUL in name or NUL in text:
            yield _name(name)


def refuse(fields: Iterable[str]) -> None:
    """InvalidArgument naming each field once (in the order found), if there is any."""
    named = list(dict.fromkeys(fields))
    if named:
        raise InvalidArgument("; ".join(f"{field}: {MESSAGE}" for field in named),
                              reason="NUL_CHARACTER",
                              field_errors=[FieldError(field, MESSAGE) for field in named])
