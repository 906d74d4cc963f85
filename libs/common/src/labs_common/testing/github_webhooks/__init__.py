"""Real GitHub webhook payloads (from @octokit/webhooks-examples, see README.md here) and builders
that patch them to be about FakeGitHub's own repositories, issues and users.

    example("issues", "opened")          # a deep copy of the recorded payload
    example("pull_request", "closed", merged=True)
    issues_payload("closed", issue=..., repository=..., sender=...)   # JSON shapes of the fake
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
EVENTS = {
    "issues": ("opened", "edited", "closed", "reopened", "assigned", "unassigned"),
    "issue_comment": ("created",),
    "pull_request": ("opened", "closed"),
    "pull_request_review": ("submitted",),
    "push": (None,),
    "deployment_status": ("created",),
}


@cache
def _load(name: str) -> dict[str, Any]:
    return json.loads((HERE / f"{name}.json").read_text())


def example(event: str, action: str | None = None, *, merged: bool = False) -> dict[str, Any]:
    """A deep copy of the recorded example of `event` (and `action`; the first one listed for the
    event when None). Two are derived, the package having none recorded: issues/closed (from
    issues/reopened: state closed, state_reason completed) and issues/unassigned (from
    issues/assigned); `merged=True` makes pull_request/closed a merge (merged, merged_at,
    merged_by)."""
    if event not in EVENTS:
        raise KeyError(f"no example for event {event!r}; have {sorted(EVENTS)}")
    action = EVENTS[event][0] if action is None else action
    if action not in EVENTS[event]:
        raise KeyError(f"no example for {event}/{action}; have {EVENTS[event]}")
    if event == "issues" and action == "closed":
        payload = copy.deepcopy(_load("issues.reopened"))
        issue = payload["issue"]
        issue.update(state="closed", state_reason="completed", closed_at=issue["updated_at"])
    elif event == "issues" and action == "unassigned":
        payload = copy.deepcopy(_load("issues.assigned"))
        payload["issue"].update(assignee=None, assignees=[])
    else:
        payload = copy.deepcopy(_load(event if action is None else f"{event}.{action}"))
    if action is not None:
        payload = {"action": action, **{k: v for k, v in payload.items() if k != "action"}}
    if merged:
        if (event, action) != ("pull_request", "closed"):
            raise ValueError("merged=True is for pull_request/closed")
        pull = payload["pull_request"]
        pull.update(merged=True, merged_at=pull["closed_at"], merged_by=payload["sender"],
                    mergeable=None, mergeable_state="unknown")
    return payload


def _patched(event: str, action: str | None, *, repository: dict, sender: dict,
             installation: dict | None) -> dict[str, Any]:
    payload = example(event, action)
    payload["repository"].update(copy.deepcopy(repository))
    payload["sender"] = copy.deepcopy(sender)
    if installation is None:  # a repository's own webhook carries no app installation
        payload.pop("installation", None)
    else:
        payload["installation"] = installation
    return payload


def issues_payload(action: str, *, issue: dict, repository: dict, sender: dict,
                   changes: dict | None = None, assignee: dict | None = None,
                   installation: dict | None = None) -> dict[str, Any]:
    """An `issues` webhook payload about `issue` (its REST JSON) in `repository`, by `sender`.
    `changes` for edited ({"title": {"from": old}}), `assignee` for assigned/unassigned."""
    payload = _patched("issues", action, repository=repository, sender=sender,
                       installation=installation)
    payload["issue"].update(copy.deepcopy(issue))
    payload["issue"].pop("closed_by", None)  # webhooks carry the list shape of an issue
    if action == "edited":
        payload["changes"] = copy.deepcopy(changes or {})
    if action in ("assigned", "unassigned"):
        payload["assignee"] = copy.deepcopy(assignee)
    return payload


def issue_comment_payload(action: str, *, comment: dict, issue: dict, repository: dict,
                          sender: dict, installation: dict | None = None) -> dict[str, Any]:
    payload = _patched("issue_comment", action, repository=repository, sender=sender,
                       installation=installation)
    payload["issue"].update(copy.deepcopy(issue))
    payload["issue"].pop("closed_by", None)
    payload["comment"].update(copy.deepcopy(comment))
    return payload


def event_payload(event: str, action: str | None = None, *, repository: dict, sender: dict,
                  installation: dict | None = None, **parts: Any) -> dict[str, Any]:
    """Any example patched with `repository` and `sender`; `parts` update its top-level
    objects (e.g. pull_request={...}, review={...}) or set other top-level keys."""
    payload = _patched(event, action, repository=repository, sender=sender,
                       installation=installation)
    for key, value in parts.items():
        if isinstance(value, dict) and isinstance(payload.get(key), dict):
            payload[key].update(copy.deepcopy(value))
        else:
            payload[key] = copy.deepcopy(value)
    return payload
