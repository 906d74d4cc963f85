from labs_billing.main import DEFINITION
from labs_common.service import main


def run() -> None:
    main(DEFINITION)


if __name__ == "__main__":
    run()
