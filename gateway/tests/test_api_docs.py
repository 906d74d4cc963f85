"""The docs page works offline: everything it loads is served by the gateway itself, and the
OpenAPI description points at the API reference kept in the repository."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from labs_gateway.api_docs import API_REFERENCE

REPOSITORY = Path(__file__).resolve().parents[2]


def _references(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*'([^']+)'""", html)


async def test_the_docs_page_loads_only_assets_the_gateway_serves(client):
    page = await client.get("/api/v1/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    references = [src or url for src, url in _references(page.text)]
    assert "/api/v1/openapi.json" in references
    assert len(references) >= 4  # stylesheet, icon, script, the OpenAPI document
    for reference in references:
        parts = urlsplit(reference)
        assert not parts.scheme and not parts.netloc, f"{reference} is not local"
        asset = await client.get(reference)
        assert asset.status_code == 200, reference
        assert asset.content
    assert "cdn" not in page.text.lower()


async def test_the_docs_page_forbids_loading_from_elsewhere(client):
    policy = (await client.get("/api/v1/docs")).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    for kind in ("script-src", "style-src", "connect-src"):
        assert "http" not in directives[kind] and "'self'" in directives[kind]


async def test_assets_have_their_types_and_nothing_else_of_the_bundle_is_served(client):
    script = await client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert "javascript" in script.headers["content-type"]
    assert "SwaggerUIBundle" in script.text
    style = await client.get("/api/v1/docs/assets/swagger-ui.css")
    assert style.headers["content-type"].startswith("text/css")
    # The bundle's own index.html would load the Petstore example from the internet.
    missing = await client.get("/api/v1/docs/assets/index.html")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert (await client.get("/api/v1/docs/assets/..%2Fpyproject.toml")).status_code == 404


async def test_the_openapi_description_names_the_api_reference_in_the_repository(client):
    document = (await client.get("/api/v1/openapi.json")).json()
    assert API_REFERENCE in document["info"]["description"]
    assert (REPOSITORY / API_REFERENCE).is_file()
