"""`python -m labs_gateway`: serve REST and WebSocket on LABS_GATEWAY_HOST:LABS_GATEWAY_PORT."""

from __future__ import annotations

import uvloop

from labs_gateway.main import main


def run() -> None:
    # uvloop: uvicorn installs it only when it owns the loop (uvicorn.run), which it does not here.
    uvloop.run(main())


if __name__ == "__main__":
    run()
