"""A fake GitHub at its HTTP boundary: PyGithub (or anything else) talks to it as to
api.github.com, in the REST API v3's JSON, and it sends webhooks signed as GitHub signs them.

    with FakeGitHub() as fake:
        fake.add_token("ghp_alice", "alice", email="alice@example.com")
        fake.add_repo("acme", "site")
        gh = github.Github(base_url=fake.url, auth=github.Auth.Token("ghp_alice"), retry=None)
        fake.webhook_url = receiver_url          # API changes now send `issues` webhooks
        fake.update_issue("acme/site", 1, state="closed")   # as a user on github.com: no webhook

OAuth (the web application flow) is on the same server: GET /login/oauth/authorize (approved
at once as `fake.oauth_user`) and POST /login/oauth/access_token, which is where PyGithub's
ApplicationOAuth looks when base_url is not api.github.com. Pass `retry=None` to Github() (its
default retries every 5xx, so `fake.down` would cost minutes of back-off), and
`seconds_between_requests=None, seconds_between_writes=None` (its default throttle waits 0.25 s
between requests and 1 s between writes).
"""

from labs_common.testing.fake_github.fake import HOOKSHOT, Delivery, FakeGitHub, OAuthApp, sign
from labs_common.testing.github_webhooks import (
    event_payload,
    example,
    issue_comment_payload,
    issues_payload,
)

__all__ = ["HOOKSHOT", "Delivery", "FakeGitHub", "OAuthApp", "event_payload", "example",
           "issue_comment_payload", "issues_payload", "sign"]
