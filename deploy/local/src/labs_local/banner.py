"""What `up` prints once everything is healthy: where to point a browser or a client."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from labs_local.suite import Suite


def print_banner(console: Console, suite: Suite) -> None:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    # Fold rather than truncate: a URL cut with an ellipsis cannot be copied.
    table.add_column(overflow="fold")
    if suite.gateway:
        urls = suite.urls
        table.add_row("Console", f"{urls.base}/")
        table.add_row("REST docs", urls.docs)
        table.add_row("OpenAPI", urls.openapi)
        table.add_row("WebSocket", urls.websocket)
        table.add_row("Health", urls.health)
        table.add_row("", "")
    for name in suite.services:
        table.add_row(f"gRPC {name}", suite.address_of(name))
    table.add_row("PostgreSQL", suite.database_url or "")
    table.add_row("NATS", suite.nats_url or "")
    if suite.data_dir is not None:
        table.add_row("Data", str(suite.data_dir))
    console.print(Panel(table, title="Labs is up", subtitle="Ctrl-C stops everything",
                        border_style="green", expand=False))
