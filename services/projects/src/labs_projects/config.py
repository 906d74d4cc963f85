"""Settings of the projects service, read from LABS_* variables."""

from pathlib import Path

from pydantic import Field

from labs_common.config import ServiceSettings

MIB = 1024 * 1024


class Settings(ServiceSettings):
    service_name: str = "projects"
    # File contents live here (one directory per org); metadata lives in the database.
    object_storage_dir: Path = Path(".data/objects")
    # The largest single upload, and the total every org may store (all versions count).
    max_file_bytes: int = Field(100 * MIB, ge=1)
    org_storage_quota_bytes: int = Field(10 * 1024 * MIB, ge=0)
