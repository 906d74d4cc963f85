import sys

from labs_common.service import main
from labs_forecasting.main import DEFINITION


def run() -> None:
    """`python -m labs_forecasting [serve|migrate]` as every service; `... rebuild --api-key
    lbk_...` rebuilds one organization's read model from the owners' APIs (rebuild.py)."""
    if sys.argv[1:2] == ["rebuild"]:
        from labs_forecasting.rebuild import main as rebuild

        rebuild(sys.argv[2:])
        return
    main(DEFINITION)


if __name__ == "__main__":
    run()
