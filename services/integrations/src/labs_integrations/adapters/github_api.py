"""What the GitHub slice asks of GitHub, through PyGithub (synchronous: every call runs in a
worker thread, never on the event loop, and never inside a transaction)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from labs_common.errors import InvalidArgument, NotFound, Unavailable
from labs_integrations.adapters.platforms import github_client
from labs_integrations.adapters.rate_limited import Throttled
from labs_integrations.config import Settings

if TYPE_CHECKING:
    import github

# PyGithub (`import github`, the largest import of this service) is imported by the calls that
# use it, on the first one: a replica that never talks to GitHub never loads it.

PAGE = 100  # issues per read of the reconciler (GitHub's largest page)


class GitHubFailed(Exception):
    """GitHub refused or could not be reached; `permanent` when asking again cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def _failure(error: Exception) -> GitHubFailed:
    import github  # on first use: see the note at the top

    if isinstance(error, github.GithubException):
        status = error.status or 0
        return GitHubFailed(f"GitHub answered {status}", permanent=status in (404, 410, 422))
    return GitHubFailed(f"GitHub cannot be reached: {type(error).__name__}")


def _wait_of(headers: dict[str, Any]) -> float:
    """Seconds GitHub asks to wait: Retry-After (secondary limits), else until the primary
    limit's X-RateLimit-Reset (unix seconds)."""
    lowered = {str(k).lower(): v for k, v in headers.items()}
    try:
        if lowered.get("retry-after"):
            return max(0.0, float(lowered["retry-after"]))
        if lowered.get("x-ratelimit-reset"):
            return max(0.0, float(lowered["x-ratelimit-reset"]) - time.time())
    except ValueError:
        pass
    return 60.0


class GitHubApi:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def _client(self, token: str) -> github.Github:
        return github_client(self._settings, token)

    async def user_email(self, token: str, login: str) -> str | None:
        """The public email of a GitHub user (None when hidden, or GitHub does not answer: the
        task then stays unassigned)."""
        def read() -> str | None:
            return self._client(token).get_user(login).email

        try:
            return await asyncio.to_thread(read)
        except Exception:  # an assignee is a nicety, never a reason to fail
            return None

    async def edit_issue(self, token: str, repository: str, number: int, *,
                         title: str | None, state: str | None) -> dict[str, Any]:
        """PATCHes the issue (only what is given); answers its JSON after."""
        def edit() -> dict[str, Any]:
            issue = self._client(token).get_repo(repository).get_issue(number)
            changes = {k: v for k, v in (("title", title), ("state", state)) if v is not None}
            if changes:
                issue.edit(**changes)
            return issue.raw_data

        try:
            return await asyncio.to_thread(edit)
        except Exception as error:  # classified for the retry
            raise _failure(error) from error

    async def can_access(self, token: str, repository: str) -> bool:
        """Whether `token` sees the repository (GET /repos/{owner}/{name}): False when GitHub
        answers 404 or 403 (not there for this token, or forbidden to it); Unavailable when
        GitHub cannot say now (asked again later)."""
        import github  # on first use: see the note at the top

        def read() -> None:
            self._client(token).get_repo(repository)

        try:
            await asyncio.to_thread(read)
        except github.GithubException as error:
            if error.status in (403, 404):
                return False
            raise Unavailable(str(_failure(error))) from error
        except Exception as error:
            raise Unavailable(str(_failure(error))) from error
        return True

    async def issue(self, token: str, repository: str, number: int) -> dict[str, Any]:
        """One issue's JSON (a link's title and last change): NotFound when the token does not
        see it (404, 410, or a 403 that is no rate limit), InvalidArgument naming
        `access_token` when GitHub refuses the token, Throttled when GitHub asks to wait."""
        import github  # on first use: see the note at the top

        def read() -> dict[str, Any]:
            repo = self._client(token).get_repo(repository, lazy=True)
            return repo.get_issue(number).raw_data

        try:
            return await asyncio.to_thread(read)
        except github.RateLimitExceededException as error:
            raise Throttled("GitHub", _wait_of(error.headers or {})) from None
        except github.BadCredentialsException:
            raise InvalidArgument.on("access_token", "GitHub does not accept this token") \
                from None
        except github.GithubException as error:
            if error.status in (403, 404, 410):
                raise NotFound(f"GitHub shows this token no issue {repository}#{number}") \
                    from None
            raise Unavailable(str(_failure(error))) from error
        except Exception as error:
            raise Unavailable(str(_failure(error))) from error

    async def issue_pages(self, token: str, repository: str, since: datetime | None
                          ) -> AsyncIterator[list[dict[str, Any]]]:
        """Issues (pull requests left out) updated at or after `since`, oldest update first, a
        page at a time: PyGithub's PaginatedList is read lazily, one page per worker-thread
        call, so a repository's first read never holds every issue at once. NotFound when the
        token does not see the repository (404 or 403)."""
        import github  # on first use: see the note at the top

        def first() -> Iterator[Any]:
            repo = self._client(token).get_repo(repository)
            kwargs: dict[str, Any] = {"state": "all", "sort": "updated", "direction": "asc"}
            if since is not None:
                kwargs["since"] = since
            return iter(repo.get_issues(**kwargs))

        def page(issues: Iterator[Any]) -> list[dict[str, Any]]:
            return [issue.raw_data for issue in itertools.islice(issues, PAGE)]

        try:
            issues = await asyncio.to_thread(first)
            while True:
                raw = await asyncio.to_thread(page, issues)
                if not raw:
                    return
                yield [issue for issue in raw if not issue.get("pull_request")]
                if len(raw) < PAGE:
                    return
        except github.GithubException as error:
            if error.status in (403, 404):
                raise NotFound(f"GitHub has no repository {repository} for this token") from None
            raise Unavailable(str(_failure(error))) from error
        except (NotFound, Unavailable):
            raise
        except Exception as error:
            raise Unavailable(str(_failure(error))) from error
