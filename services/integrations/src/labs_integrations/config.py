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

    # Harvest: API v2, OAuth (id.getharvest.com), and how its syncs run: incrementally this
    # often, re-reading `overlap` seconds before the last change seen (clocks and in-flight
    # edits), and at most `requests_per_window` requests per `window_seconds` per account
    # (Harvest allows 100 per 15 s). The nightly reconcile rereads `reconcile_days` of entries
    # to find those deleted in Harvest.
    harvest_api_url: str = "https://api.harvestapp.com"
    harvest_oauth_url: str = "https://id.getharvest.com"
    harvest_client_id: str = ""
    harvest_client_secret: SecretStr = SecretStr("")
    harvest_sync_seconds: float = Field(900.0, gt=0)
    harvest_overlap_seconds: float = Field(600.0, ge=0)
    harvest_requests_per_window: int = Field(80, ge=1, le=100)
    harvest_window_seconds: float = Field(15.0, gt=0)
    harvest_reconcile_seconds: float = Field(24 * 3600.0, gt=0)
    harvest_reconcile_days: int = Field(800, ge=1)

    # QuickBooks Online: the Accounting API, Intuit's OAuth 2.0 (authorize on appcenter, tokens
    # on oauth.platform, revocation on developer.api: three hosts, so three settings rather than
    # one base), Labs' Intuit app, how often each company's payments are read (Change Data
    # Capture), the item invoice lines are booked on (found by name, created if missing), and
    # the retries of invoice pushes (the first after `push_retry_base`, doubling, for 3 days).
    # Intuit allows 10 concurrent requests per company; `max_concurrency` stays at or below it.
    quickbooks_api_url: str = "https://quickbooks.api.intuit.com"
    quickbooks_oauth_url: str = "https://oauth.platform.intuit.com"
    quickbooks_authorize_url: str = "https://appcenter.intuit.com/connect/oauth2"
    quickbooks_revoke_url: str = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
    quickbooks_client_id: str = ""
    quickbooks_client_secret: SecretStr = SecretStr("")
    quickbooks_minor_version: str = "75"
    quickbooks_sync_seconds: float = Field(900.0, gt=0)
    quickbooks_item_name: str = Field("Services", min_length=1, max_length=100)
    quickbooks_push_retry_base_seconds: float = Field(60.0, gt=0)
    quickbooks_max_concurrency: int = Field(10, ge=1, le=10)

    # Jira Cloud (REST API v3) and Asana (API 1.0): where they are, for connecting with a token
    # and importing their issues into tasks. Jira Cloud has no one address (each site is
    # https://<your-domain>.atlassian.net): the setting is the site's base URL, and unset, Jira
    # cannot be connected. A 429 waits its Retry-After; `import_max_throttles` in a row fail the
    # import.
    jira_api_url: str = ""
    asana_api_url: str = "https://app.asana.com/api/1.0"
    import_max_throttles: int = Field(8, ge=1, le=100)
    # Their OAuth apps. Jira Cloud's OAuth 2.0 (3LO): consent and tokens on auth.atlassian.com,
    # then every call through Atlassian's API gateway (`/oauth/token/accessible-resources`
    # names the sites the grant reaches, `/ex/jira/{cloudid}/rest/api/3/...` is a site's API),
    # so an OAuth connection needs no LABS_JIRA_API_URL. Asana's consent and tokens are on
    # app.asana.com (`/-/oauth_authorize`, `/-/oauth_token`, `/-/oauth_revoke`).
    jira_oauth_url: str = "https://auth.atlassian.com"
    atlassian_api_url: str = "https://api.atlassian.com"
    jira_client_id: str = ""
    jira_client_secret: SecretStr = SecretStr("")
    asana_oauth_url: str = "https://app.asana.com"
    asana_client_id: str = ""
    asana_client_secret: SecretStr = SecretStr("")

    # Linear: its GraphQL API (personal API keys in Authorization as they are, OAuth tokens as
    # Bearer), OAuth (the consent page on linear.app; the token and revocation endpoints beside
    # the API, at /oauth/token and /oauth/revoke of its host), the signing secret of its
    # webhooks, the first retry of an issue change Linear did not take (doubling, given up after
    # 3 days), and how often the reconciler reads what changed in the mapped teams and projects.
    linear_api_url: str = "https://api.linear.app/graphql"
    linear_authorize_url: str = "https://linear.app/oauth/authorize"
    linear_client_id: str = ""
    linear_client_secret: SecretStr = SecretStr("")
    linear_webhook_secret: SecretStr = SecretStr("")
    linear_push_retry_base_seconds: float = Field(60.0, gt=0)
    linear_reconcile_seconds: float = Field(600.0, gt=0)

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

    # Links to Figma files and Notion pages (and GitHub and Linear issues): where Figma's REST
    # API and Notion's API are, how often every link's title, thumbnail and last change are read
    # again (a Figma FILE_UPDATE webhook reads them at once), and the public URL of
    # POST /webhooks/figma that Labs registers as the endpoint of a Figma team's webhooks
    # (unset: Labs registers none, and links are kept fresh by the periodic read alone).
    figma_api_url: str = "https://api.figma.com"
    notion_api_url: str = "https://api.notion.com"
    # Their OAuth apps: Figma's consent page is on www.figma.com (`/oauth`), its token and
    # refresh endpoints beside the API (`/v1/oauth/token`, `/v1/oauth/refresh`); Notion's
    # consent page and token endpoint are the API's (`/v1/oauth/authorize`, `/v1/oauth/token`).
    figma_oauth_url: str = "https://www.figma.com"
    figma_client_id: str = ""
    figma_client_secret: SecretStr = SecretStr("")
    notion_client_id: str = ""
    notion_client_secret: SecretStr = SecretStr("")
    link_refresh_seconds: float = Field(3600.0, gt=0)
    figma_webhook_url: str = ""
