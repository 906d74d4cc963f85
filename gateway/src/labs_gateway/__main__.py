"""`python -m labs_gateway`: serve REST and WebSocket on LABS_GATEWAY_HOST:LABS_GATEWAY_PORT."""

from __future__ import annotations

import asyncio

from labs_gateway.main import main


def run() -> None:
    asyncio.run(main())


if __name__ == "__main__":
    run()
