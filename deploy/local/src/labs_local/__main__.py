"""`python -m labs_local up`: the whole suite in the foreground until Ctrl-C or SIGTERM.

Exit status: 0 after a requested stop, 1 when the suite did not come up (the reason is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape

from labs_common.config import SERVICES
from labs_local.banner import print_banner
from labs_local.settings import LocalSettings
from labs_local.suite import Suite


def _names(value: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    if unknown := [n for n in names if n not in SERVICES]:
        raise argparse.ArgumentTypeError(f"unknown services: {', '.join(unknown)}")
    return names


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m labs_local", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser(
        "up", help="start PostgreSQL, NATS, every service and the gateway; Ctrl-C stops them",
        description="Configured by LABS_* variables: LABS_DATA_DIR, LABS_PORT_BASE, "
                    "LABS_GATEWAY_PORT, LABS_GATEWAY_HOST, LABS_DATABASE_URL, LABS_NATS_URL, ...",
    )
    up.add_argument("--only", type=_names, metavar="A,B", help="run only these services")
    up.add_argument("--skip", type=_names, default=[], metavar="A,B",
                    help="run every service but these")
    up.add_argument("--no-gateway", action="store_true", help="do not run the gateway")
    return parser


async def up(settings: LocalSettings, services: Sequence[str], gateway: bool) -> int:
    console = Console(highlight=False)
    suite = Suite.from_settings(settings, services=services, gateway=gateway, console=console)
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()
    # SIGHUP too: closing the terminal must stop the suite cleanly, not orphan PostgreSQL.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, stop_requested.set)

    starting = asyncio.create_task(suite.start())
    stopping = asyncio.create_task(stop_requested.wait())
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    status = 0
    if not starting.done():
        # Asked to stop while starting: start() stops what it began when cancelled.
        console.print("[bold]stopping…[/]")
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await starting
    elif error := starting.exception():
        # start() has already stopped everything; the reason is the last thing on screen.
        console.print(f"[bold red]Labs did not start:[/] {escape(str(error))}", soft_wrap=True)
        status = 1
    else:
        print_banner(console, suite)
        await stopping
        console.print("[bold]stopping…[/]")
    stopping.cancel()
    await suite.stop()
    return status


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    services = [s for s in (args.only or SERVICES) if s not in args.skip]
    return asyncio.run(up(LocalSettings(), services, gateway=not args.no_gateway))


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
