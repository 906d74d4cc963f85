"""Settings of the forecasting service, read from LABS_* variables."""

from pydantic import Field

from labs_common.config import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "forecasting"
    # How often each replica writes the day's margin of projects that had no change that day.
    snapshot_sweep_seconds: float = Field(600.0, gt=0)
    # The rebuild command's credential when --api-key is not given: an admin's API key (lbk_...).
    rebuild_api_key: str = ""
    # Where alert emails go out (LABS_SMTP_URL, as identity's): smtp://[user:password@]host:port
    # [?starttls=true] or smtps://...; unset, mails wait (production) or are only logged (else).
    smtp_url: str = ""
    mail_from: str = "Labs alerts <alerts@labs.localhost>"
