"""Settings of the integrations service, read from LABS_* variables."""

from labs_common.config import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "integrations"
