"""An import's view of the org, gathered once per job from identity, projects and capacity with
the importing user's token, then answered from memory for every row (people, rate histories and
resolved project names are small next to the file)."""

from __future__ import annotations

import uuid
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from labs_common.errors import InvalidArgument, NotFound
from labs_time.adapters.directory import Directory, PersonRates, Project, RatePeriod
from labs_time.domain.csv_formats import ParsedRow
from labs_time.domain.model import Rates

NO_RATES = PersonRates(None, Rates.none())


class DirectoryReferences:
    def __init__(self, directory: Directory, token: str, create_missing: bool) -> None:
        self._directory = directory
        self._token = token
        self._create_missing = create_missing
        self._projects: dict[str, Project | str] = {}
        self._by_email: dict[str, uuid.UUID] = {}
        self._by_name: dict[tuple[str, str], uuid.UUID] = {}
        # user id → (each rate period with its PersonRates, the PersonRates outside them all)
        self._rates: dict[uuid.UUID, tuple[list[tuple[RatePeriod, PersonRates]], PersonRates]] = {}
        self.settings: dict = {}
        self.source_zone: ZoneInfo = ZoneInfo("UTC")

    async def load(self) -> None:
        org = await self._directory.organization(self._token)
        self.settings = org.settings
        try:
            self.source_zone = ZoneInfo(org.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.source_zone = ZoneInfo("UTC")
        for member in await self._directory.members(self._token):
            self._by_email[member.email.lower()] = member.user_id
            name = (member.first_name.strip().lower(), member.last_name.strip().lower())
            if all(name):
                self._by_name.setdefault(name, member.user_id)
        self._rates = {
            user_id: ([(period, PersonRates(resource_id, period.rates)) for period in periods],
                      PersonRates(resource_id, Rates.none()))
            for user_id, (resource_id, periods) in
            (await self._directory.resource_rates(self._token)).items()}

    def person(self, row: ParsedRow) -> uuid.UUID | None:
        if row.email and (found := self._by_email.get(row.email)):
            return found
        return self._by_name.get((row.first_name.lower(), row.last_name.lower()))

    async def project(self, name: str) -> Project | str:
        key = name.strip().lower()
        if key not in self._projects:
            try:
                found = await self._directory.resolve_project(self._token, name.strip(),
                                                              self._create_missing)
                self._projects[key] = (
                    "the project is archived" if found.archived else found)
            except NotFound:
                self._projects[key] = ("no project of this name in the organization "
                                       "(import with create_missing=true to create it)")
            except InvalidArgument as error:
                self._projects[key] = error.detail
        return self._projects[key]

    def rates(self, user_id: uuid.UUID, on: date) -> PersonRates:
        """The same object for every row of one rate period (the mapper caches by it)."""
        known = self._rates.get(user_id)
        if known is None:
            return NO_RATES
        periods, outside = known
        for period, rates in periods:
            if period.covers(on):
                return rates
        return outside
