"""JSON request bodies parsed with their numbers exact: `150.5` arrives as Decimal("150.5"), never
as a float, so money, rates and hours keep every digit that was sent (API.md: decimal inputs are
parsed exactly, never through a float).

FastAPI reads a body with `await request.json()`; a router made with `route_class=ExactJsonRoute`
hands its routes an `ExactJsonRequest`, whose `json()` parses floats as Decimal (integers stay int).
Every router of labs_gateway.routes is one (tests/test_exact_decimals.py checks).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.responses import Response

# What `parsed_json` answers while nobody has read the body as JSON.
UNREAD = object()


class ExactJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), parse_float=Decimal)
        return self._json

    def parsed_json(self) -> Any:
        """The body as `json()` parsed it, else UNREAD: looking never reads a body."""
        return getattr(self, "_json", UNREAD)


class ExactJsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            return await handler(ExactJsonRequest(request.scope, request.receive))

        return handle
