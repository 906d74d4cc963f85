from labs_common.service import main
from labs_identity.main import DEFINITION


def run() -> None:
    main(DEFINITION)


if __name__ == "__main__":
    run()
