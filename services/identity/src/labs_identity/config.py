"""Settings of the identity service, read from LABS_* variables."""

from __future__ import annotations

from pydantic import Field, model_validator

from labs_common.config import DEV_PLACEHOLDER, ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "identity"
    access_token_ttl_seconds: int = Field(900, ge=60, le=3600)
    api_key_token_ttl_seconds: int = Field(300, ge=60, le=3600)
    refresh_token_ttl_days: int = Field(30, ge=1, le=365)
    invitation_ttl_days: int = Field(7, ge=1, le=60)
    # Private signing keys are stored encrypted with this passphrase.
    signing_key_passphrase: str = DEV_PLACEHOLDER
    # The active signing key is replaced once it is this old (checked at start-up).
    signing_key_max_age_days: int = Field(90, ge=1)
    # A new key is published this long before it signs, so every verifier knows it first.
    signing_key_activation_seconds: int = Field(60, ge=0)
    # Where invitation and password-reset emails go out: smtp://[user:password@]host:port
    # [?starttls=true] or smtps://...; unset, mails wait (production) or are only logged (else).
    smtp_url: str = ""
    mail_from: str = "Labs <no-reply@labs.localhost>"
    password_reset_ttl_minutes: int = Field(60, ge=5, le=24 * 60)

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> Settings:
        if self.env == "production" and self.signing_key_passphrase == DEV_PLACEHOLDER:
            raise ValueError("LABS_SIGNING_KEY_PASSPHRASE must be set in production")
        if self.smtp_url:
            from labs_identity.adapters.mailer import SmtpServer

            SmtpServer.parse(self.smtp_url)  # a malformed URL fails the start, not every mail
        return self
