"""Settings of the projects service, read from LABS_* variables."""

from labs_common.config import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "projects"
