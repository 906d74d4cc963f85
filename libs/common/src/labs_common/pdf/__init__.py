"""What every PDF Labs prints shares: the print style sheet its HTML template includes
(templates/labs-print.css: the footer's type and page numbers, the text's type, numbers aligned
right) and the renderer that fetches nothing but `data:` URLs, so user input in a document can
never make it reach the network or read a local file.

WeasyPrint is imported on the first render, by the services that print (their images install it
and its fonts): a process that never renders neither pays for the import nor fails to start where
Pango is missing (WeasyPrint loads it on import); a render there raises OSError naming it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

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
