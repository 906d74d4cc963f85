"""The web console: the built single-page app (`web/dist`) served at `/`.

Hashed assets under `/assets/` are cached for a year; every other path that is not the API's
answers `index.html` (the app routes in the browser), never cached, so a deploy is seen on the
next load. Every answer carries a Content-Security-Policy that allows only this origin's scripts,
styles and connections: the build has no inline script or style, and the API and the WebSocket are
same-origin.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from labs_gateway.problems import problem_response

# img-src: invoice logos and the thumbnails integrations link (Figma's) are https images; blob:
# for a PDF or file the console downloads with the bearer header and hands to the browser.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob: https:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-src blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# Never the app's fallback: an unknown API path stays a problem+json 404, and a missing asset a
# 404 (a tab open across a deploy asks for chunks the new build no longer has, and must see so).
NOT_THE_APP = ("api/", ".well-known/", "assets/")


def default_dir() -> Path:
    """web/dist of the checkout this package runs from (an image sets LABS_CONSOLE_DIR)."""
    return Path(__file__).resolve().parents[3] / "web" / "dist"


class _Assets(StaticFiles):
    """Vite's content-hashed files: a name never changes its bytes, so browsers keep them; sent
    as the Brotli or gzip copy the build wrote beside each (web/scripts/precompress.mjs) when the
    browser accepts it."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200 and isinstance(response, FileResponse):
            accepted = _accepted_encodings(scope)
            for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
                compressed = Path(response.path).with_name(Path(response.path).name + suffix)
                if encoding in accepted and compressed.is_file():
                    response = FileResponse(compressed, media_type=response.media_type,
                                            headers={"Content-Encoding": encoding})
                    break
            response.headers["Vary"] = "Accept-Encoding"
        return response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                headers.append((b"cache-control", b"public, max-age=31536000, immutable"))
                for name, value in SECURITY_HEADERS.items():
                    headers.append((name.lower().encode(), value.encode()))
            await send(message)

        await super().__call__(scope, receive, with_headers)


def _accepted_encodings(scope: Scope) -> set[str]:
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            return {part.split(";")[0].strip() for part in value.decode("latin-1").split(",")}
    return set()


def install_console(app: FastAPI, directory: Path) -> None:
    """Serve the console from `directory`: hashed assets under /assets, and `index.html` for a
    GET that no API route answers. It is the not-found handler's fallback rather than a catch-all
    route, so the API's own answers are untouched: an unknown API path is still a problem+json
    404, a wrong method still a 405. Call it after install_problem_handlers."""
    index = directory.resolve() / "index.html"
    app.mount("/assets", _Assets(directory=directory / "assets", check_dir=False),
              name="console-assets")
    not_found = app.exception_handlers[StarletteHTTPException]

    async def console_or_not_found(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        path = request.url.path.lstrip("/")
        if (exc.status_code != 404 or request.method not in ("GET", "HEAD")
                or path.startswith(NOT_THE_APP)):
            return await not_found(request, exc)
        return await run_in_threadpool(app_file, path)

    def app_file(path: str) -> Response:
        """A file at the root of the build (favicon, robots.txt), else the app, which routes.
        (Looked up off the event loop: it touches the disk.)"""
        if not index.is_file():
            return problem_response(
                503, "The web console has not been built on this server: `make console` "
                "builds it.", title="Console not built")
        root = directory.resolve()
        try:
            candidate = (root / path).resolve()
            served = candidate.is_relative_to(root) and candidate.is_file()
        except (OSError, ValueError):  # a NUL byte, a name too long: not a file of the build
            candidate, served = index, False
        if served and candidate != index:
            return FileResponse(candidate, headers=SECURITY_HEADERS)
        return FileResponse(index, headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})

    app.add_exception_handler(StarletteHTTPException, console_or_not_found)
