"""Settings of the integrations service, read from LABS_* variables.

Where each platform is reached is a setting, so tests point the official SDKs at local fakes;
each defaults to the real platform."""

from pydantic import Field, SecretStr

from labs_common.config import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "integrations"

    # Keys that encrypt credentials at rest: "<key id>:<base64 of 32 bytes>", comma separated,
    # the first one encrypts and every one decrypts (rotation: put the new key first, re-encrypt,
    # drop the old). Empty in development: a key derived from the service's name, never in
    # production (ServiceSettings refuses it there).
    credentials_keys: SecretStr = SecretStr("")

    # GitHub: the REST API (PyGithub's base_url), OAuth, and the App's webhook secret.
    github_api_url: str = "https://api.github.com"
    github_oauth_url: str = "https://github.com"
    github_client_id: str = ""
    github_client_secret: SecretStr = SecretStr("")
    github_webhook_secret: SecretStr = SecretStr("")
    # The first retry of an issue change GitHub did not take; each next one twice as long, given
    # up after 3 days. Tests make it small.
    github_push_retry_base_seconds: float = Field(60.0, gt=0)

    # Slack: the Web API (slack-sdk's base_url, ending in "/"), OAuth, and the signing secret of
    # slash commands.
    slack_api_url: str = "https://slack.com/api/"
    slack_oauth_url: str = "https://slack.com"
    slack_client_id: str = ""
    slack_client_secret: SecretStr = SecretStr("")
    slack_signing_secret: SecretStr = SecretStr("")

    # Outgoing webhooks may target private, loopback and link-local addresses (development and
    # tests only: in a cluster that would be a way in to its internal services).
    webhooks_allow_private_targets: bool = False
    # How long an outgoing delivery is retried before it is given up (3 days).
    webhook_retry_seconds: float = Field(3 * 24 * 3600.0, gt=0)
    webhook_timeout_seconds: float = Field(10.0, gt=0)
    # The first retry of a failed delivery waits about this long, each next one twice as long
    # (capped at 6 hours); tests make it small.
    webhook_retry_base_seconds: float = Field(30.0, gt=0)

    # How often each replica's workers look for due work (webhook intake, deliveries, outbound
    # GitHub and Slack calls); they are also woken at once when work arrives.
    sweep_seconds: float = Field(5.0, gt=0)
    # The reconciler reads what changed in each linked repository this often.
    reconcile_seconds: float = Field(600.0, gt=0)
    # The weekday reminder to log yesterday's time, at this hour of the org's timezone.
    reminder_hour: int = Field(9, ge=0, le=23)
    # Slack: how often the reminder looks for orgs that are due, and the first retry of a message
    # Slack did not take (each next one twice as long, capped at an hour, for 3 days).
    slack_reminder_seconds: float = Field(180.0, gt=0)
    slack_retry_base_seconds: float = Field(10.0, gt=0)
