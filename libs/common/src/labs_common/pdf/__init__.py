"""What every PDF Labs prints shares: the print style sheet its HTML template includes
(templates/labs-print.css: the footer's type and page numbers, the text's type, numbers aligned
right) and the renderer that fetches nothing but `data:` URLs, so user input in a document can
never make it reach the network or read a local file.

WeasyPrint is imported on the first render, by the services that print (their images install it
and its fonts): a process that never renders neither pays for the import nor fails to start where
Pango is missing (WeasyPrint loads it on import); a render there raises OSError naming it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache, partial
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger(__name__)
# WeasyPrint reports each of its seven layout steps at INFO, seven lines a document, in the
# service's own log: only its warnings (a missing font, a CSS rule it ignores) are news.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# A Jinja2 search path next to a service's own: `{% include "labs-print.css" %}` in its <style>,
# before the rules of its own (page size and margins, what the footer says on the left).
TEMPLATES = Path(__file__).parent / "templates"


@cache
def url_fetcher() -> Any:
    """WeasyPrint's URL fetcher for data: URLs only: no http(s), no file."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",))


def write_pdf(html: str) -> bytes:
    """`html` laid out as a PDF, with nothing fetched from outside it."""
    from weasyprint import HTML

    return HTML(string=html, base_url=None, url_fetcher=url_fetcher()).write_pdf()


# Layout is CPU work of 0.1-1 s: off the event loop, so other calls keep being served, one at a
# time (Pango and fontconfig are not to be shared between threads).
_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf")
_WARM_UP = "<!doctype html><html><body><p>Labs 0123456789</p></body></html>"


async def in_render_thread(render: Callable[..., bytes], *args: Any, **kwargs: Any) -> Any:
    """`render(*args, **kwargs)` on the one thread that lays out PDFs."""
    return await asyncio.get_running_loop().run_in_executor(
        _THREAD, partial(render, *args, **kwargs))


def _warm() -> None:
    try:
        write_pdf(_WARM_UP)
    except Exception as error:
        log.warning("pdf.warm_up_failed", error=repr(error))
    else:
        log.info("pdf.warm")


def warm_up() -> None:
    """Lays out a line of text on the render thread, in the background: the first render of a
    process imports WeasyPrint and loads Pango and the fonts (seconds on a busy machine)."""
    _THREAD.submit(_warm)


async def warmed_up() -> None:
    """warm_up(), awaited: what a service that prints does before it reports ready. Started in
    the background instead, a request made as soon as the service is ready (a test, right after
    the suite is) queued behind it on the render thread and missed the gateway's deadline (504)."""
    await in_render_thread(_warm)
