"""Settings of the billing service, read from LABS_* variables."""

from labs_common.config import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "billing"
