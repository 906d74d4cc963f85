"""Settings of the projects service, read from LABS_* variables."""

from pathlib import Path

from pydantic import Field, SecretStr

from labs_common.config import ServiceSettings

MIB = 1024 * 1024


class Settings(ServiceSettings):
    service_name: str = "projects"
    # File contents live here (one directory per org); metadata lives in the database.
    object_storage_dir: Path = Path(".data/objects")
    # ...unless a bucket is set: then they live in that S3-compatible bucket. The endpoint is
    # for non-AWS stores (MinIO...); keys left unset fall back to the standard AWS credential
    # chain (environment, profile, instance role).
    s3_bucket: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    # The largest single upload, and the total every org may store (all versions count).
    max_file_bytes: int = Field(100 * MIB, ge=1)
    org_storage_quota_bytes: int = Field(10 * 1024 * MIB, ge=0)
