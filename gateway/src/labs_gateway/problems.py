"""Every error leaves the gateway as application/problem+json (RFC 9457).

LabsError (raised here or rebuilt from a service's gRPC status), Starlette's HTTP errors (404, 405)
and FastAPI's request validation all end up in `problem_response`; 422s carry
`errors: [{field, message}]` with the API's field names.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from labs_common.errors import LabsError, Unauthenticated
from labs_gateway.upstream import rpc_failure

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://labs.dev/problems/"
BEARER_CHALLENGE = 'Bearer realm="labs"'

# One `type` per kind of failure; the stable `reason` member says which one exactly.
_SLUGS = {
    400: "bad-request", 401: "unauthenticated", 403: "forbidden", 404: "not-found",
    405: "method-not-allowed", 409: "conflict", 412: "precondition-failed",
    413: "payload-too-large", 422: "validation-failed", 429: "rate-limited",
    500: "internal", 501: "not-implemented", 503: "unavailable", 504: "upstream-timeout",
}
# Locations FastAPI prefixes to a field's path; the API names fields without them.
_LOCATIONS = {"body", "query", "path", "header", "cookie"}


class FieldProblem(BaseModel):
    field: str
    message: str


class OrganizationChoice(BaseModel):
    id: str
    name: str


class Problem(BaseModel):
    """RFC 9457 problem details (documented shape of every error response)."""

    type: str
    title: str
    status: int
    detail: str
    reason: str | None = None
    errors: list[FieldProblem] | None = None
    organizations: list[OrganizationChoice] | None = Field(
        None, description="A login whose email is in several organizations (422 naming "
                          "organization_id): the ones to choose from.")


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    reason: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + _SLUGS.get(status, "error"),
        "title": title or _phrase(status),
        "status": status,
        "detail": detail,
    }
    if reason:
        body["reason"] = reason
    if errors is not None:
        body["errors"] = errors
    body.update(extra or {})
    headers = dict(headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", BEARER_CHALLENGE)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def labs_error_response(error: LabsError) -> JSONResponse:
    headers = {}
    if isinstance(error, Unauthenticated):
        headers["WWW-Authenticate"] = getattr(error, "challenge", BEARER_CHALLENGE)
    if retry_after := error.metadata.get("retry_after"):
        headers["Retry-After"] = retry_after
    errors = [{"field": f.field, "message": f.message} for f in error.field_errors]
    # A reason that only repeats the kind of error ("NOT_FOUND") tells the client nothing.
    reason = error.reason if error.reason != type(error)("").reason else None
    return problem_response(
        error.http_status, error.detail, title=error.title, reason=reason,
        errors=errors if (errors or error.http_status == 422) else None, headers=headers,
        extra=_extensions(error),
    )


def _extensions(error: LabsError) -> dict[str, Any]:
    """Members beyond RFC 9457's that a service sent in its error's metadata."""
    if error.reason == "ORGANIZATION_REQUIRED" and "organizations" in error.metadata:
        try:
            return {"organizations": json.loads(error.metadata["organizations"])}
        except ValueError:
            return {}
    return {}


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """FastAPI's errors as `{field, message}`: loc ("body", "items", 0, "hours") → items.0.hours."""
    result = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        if error.get("type") == "json_invalid":
            message = f"Malformed JSON: {error.get('ctx', {}).get('error', 'cannot be parsed')}."
            result.append({"field": "body", "message": message})
            continue
        if loc and loc[0] in _LOCATIONS:
            loc = loc[1:] or loc[:1]
        message = str(error.get("msg", "Invalid value.")).removeprefix("Value error, ")
        if error.get("type") == "extra_forbidden":
            message = "is not a field of this request (or repeats a field under another name)"
        result.append({"field": ".".join(loc) or "body", "message": message})
    return result


async def _on_labs_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LabsError)
    return labs_error_response(exc)


async def _on_rpc_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, grpc.aio.AioRpcError)
    return labs_error_response(rpc_failure(exc))


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else _phrase(exc.status_code)
    if exc.status_code == 404 and detail == "Not Found":
        detail = "No such resource."
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem_response(exc.status_code, detail, headers=headers)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers on this path: Starlette's 405 names only the
    first route's, and FastAPI makes a route per method."""
    routes = request.app.router.routes
    return [method for method in _METHODS
            if any(route.matches({**request.scope, "method": method})[0] == Match.FULL
                   for route in routes)]


async def _on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = validation_errors(exc)
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    return problem_response(422, detail or "The request is invalid.", errors=errors)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LabsError, _on_labs_error)
    app.add_exception_handler(grpc.aio.AioRpcError, _on_rpc_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    _document_problem_media_type(app)


def _document_problem_media_type(app: FastAPI) -> None:
    """FastAPI documents a response model under application/json; errors are problem+json."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()  # cached by FastAPI after the first call, so this runs once
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    if PROBLEM_JSON in content and "application/json" in content:
                        content[PROBLEM_JSON] = content.pop("application/json")
        _document_statuses(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


_WRITES = {"post", "put", "patch", "delete"}


def _document_statuses(schema: dict[str, Any]) -> None:
    """The statuses every operation can answer beyond those its route declares: 504 anywhere (a
    service's deadline passed), 400 (a body that is not JSON) and 413 with a body, 409 on writes
    (an object's state forbids it), 412 where If-Match is read. An update's body must name at
    least one field (minProperties), as the routes enforce."""
    problem = {"$ref": "#/components/schemas/Problem"}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = [504]
            if "requestBody" in operation:
                statuses += [400, 413]
                if method in ("patch", "put"):
                    _require_a_field(schema, operation["requestBody"])
            if method in _WRITES:
                statuses.append(409)
            if any(p.get("name") == "If-Match" for p in operation.get("parameters", [])):
                statuses.append(412)
            for status in statuses:
                operation["responses"].setdefault(str(status), {
                    "description": _phrase(status),
                    "content": {PROBLEM_JSON: {"schema": problem}},
                })


def _require_a_field(schema: dict[str, Any], body: dict[str, Any]) -> None:
    for content in body.get("content", {}).values():
        reference = content.get("schema", {}).get("$ref", "")
        name = reference.removeprefix("#/components/schemas/")
        component = schema.get("components", {}).get("schemas", {}).get(name)
        if component is not None and component.get("type") == "object":
            component["minProperties"] = 1


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# Documented on every route so the OpenAPI shows the real error shape instead of FastAPI's.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": _phrase(status)}
    for status in (401, 403, 404, 422, 429, 503)
}
