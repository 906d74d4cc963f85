"""What every PDF Labs prints shares: the print style sheet its HTML template includes
(templates/labs-print.css: the footer's type and page numbers, the text's type, numbers aligned
right) and the renderer that fetches nothing but `data:` URLs, so user input in a document can
never make it reach the network or read a local file.

WeasyPrint is imported on the first render, by the services that print (their images install it
and its fonts): a process that never renders neither pays for the import nor fails to start where
Pango is missing (WeasyPrint loads it on import); a render there raises OSError naming it. That
import is most of a first render's cost (~2 s of CPU: fontTools, cffi's parse of Pango's
declarations), paid by the process's first PDF rather than by every start and every idle
process (~30 MiB); the RPCs that render declare a deadline long enough for it
(`option (labs.options.v1.deadline_seconds)`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache, partial
from pathlib import Path
from typing import Any

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


async def in_render_thread(render: Callable[..., bytes], *args: Any, **kwargs: Any) -> Any:
    """`render(*args, **kwargs)` on the one thread that lays out PDFs."""
    return await asyncio.get_running_loop().run_in_executor(
        _THREAD, partial(render, *args, **kwargs))

