"""Settings of the forecasting service, read from LABS_* variables."""

from pydantic import Field

from labs_common.config import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "forecasting"
    # How often each replica writes the day's margin of projects that had no change that day.
    snapshot_sweep_seconds: float = Field(600.0, gt=0)
