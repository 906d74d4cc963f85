"""The browsable API docs: Swagger UI served from the gateway itself, never from a CDN.

FastAPI's own docs page loads Swagger UI's script and stylesheet from a CDN, so it is blank
offline or behind a strict proxy. Here the page is FastAPI's (`get_swagger_ui_html`), and its
assets are the ones the `swagger-ui-bundle-v2` package ships, served under `<prefix>/docs/assets/`.
A Content-Security-Policy on the page keeps it that way: the browser loads nothing from elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

API_REFERENCE = "docs/API.md"

DESCRIPTION = (
    "The contract this API keeps (general rules, roles, every resource and event) is the API "
    f"reference, `{API_REFERENCE}` in the Labs repository. This description is generated from "
    "the gateway's code: every operation, its schemas and its answers."
)

# Only what the page uses (and the source maps a browser's developer tools ask for).
ASSETS = frozenset({
    "swagger-ui-bundle.js", "swagger-ui-bundle.js.map",
    "swagger-ui.css", "swagger-ui.css.map",
    "favicon-32x32.png",
})

# The page's own script is inline (FastAPI writes it); Swagger UI styles inline and draws its
# icons as data: URIs. Everything else, the OpenAPI document included, comes from this origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def install_docs(app: FastAPI, prefix: str) -> None:
    """`<prefix>/docs` and its assets, and the OpenAPI description that names the reference.
    The app is created with `docs_url=None` so FastAPI's CDN page is not there too."""
    app.description = DESCRIPTION
    assets_url = f"{prefix}/docs/assets"
    folder = Path(str(swagger_ui_path))

    @app.get(f"{prefix}/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} — docs",
            swagger_js_url=f"{assets_url}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets_url}/swagger-ui.css",
            swagger_favicon_url=f"{assets_url}/favicon-32x32.png",
            # No badge fetched from Swagger's online validator.
            swagger_ui_parameters={"validatorUrl": None},
        )
        page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return page

    @app.get(f"{assets_url}/{{name}}", include_in_schema=False)
    async def swagger_ui_asset(name: str) -> FileResponse:
        if name not in ASSETS:
            raise HTTPException(status_code=404)
        return FileResponse(folder / name, headers={"Cache-Control": "public, max-age=86400"})
