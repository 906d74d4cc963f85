"""No credential reaches the logs through a URL: a socket's ?token= is logged as ***."""

from __future__ import annotations

import json
import logging

import pytest
from websockets.asyncio.client import connect

from labs_gateway.log_redaction import RedactUrls, redact_urls


@pytest.mark.parametrize(("logged", "expected"), [
    ('1.2.3.4:5 - "WebSocket /api/v1/ws?token=eyJ.a.b" [accepted]',
     '1.2.3.4:5 - "WebSocket /api/v1/ws?token=***" [accepted]'),
    ("/api/v1/ws?room=p1&access_token=abc&limit=5", "/api/v1/ws?room=p1&access_token=***&limit=5"),
    ("/cb?code=4%2F0Ab&state=xyz#frag", "/cb?code=***&state=***#frag"),
    ("/x?API-Key=lbk_live_1&Refresh_Token=r&client_secret=s&reset_token=t",
     "/x?API-Key=***&Refresh_Token=***&client_secret=***&reset_token=***"),
    ("/x?api%5Fkey=lbk_1", "/x?api%5Fkey=***"),
    ("/api/v1/projects?status=active&q=token", "/api/v1/projects?status=active&q=token"),
    ("no url here: token=abc", "no url here: token=abc"),
])
def test_credentials_in_query_strings_are_masked(logged, expected):
    assert redact_urls(logged) == expected


def test_a_record_keeps_its_arguments_shape_for_uvicorns_formatters():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("1.2.3.4:5", "GET", "/a?token=secret", "1.1", 200), None)
    assert RedactUrls().filter(record)
    assert record.args == ("1.2.3.4:5", "GET", "/a?token=***", "1.1", 200)
    assert record.getMessage() == '1.2.3.4:5 - "GET /a?token=*** HTTP/1.1" 200'


async def test_a_socket_upgrade_is_logged_without_its_token(start_gateway, issue_token, caplog):
    gateway = await start_gateway()
    token = issue_token()
    caplog.set_level(logging.INFO)
    async with connect(f"{gateway.ws_url}?token={token}") as ws:
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv())["type"] in ("ready", "pong")
    upgrades = [r.getMessage() for r in caplog.records if "WebSocket" in r.getMessage()]
    assert upgrades and all("/api/v1/ws?token=***" in line for line in upgrades), upgrades
    # The signature alone would do: no part of the token is anywhere in the log.
    assert not [r for r in caplog.records if token.split(".")[2] in r.getMessage()]
    assert token.split(".")[2] not in caplog.text
