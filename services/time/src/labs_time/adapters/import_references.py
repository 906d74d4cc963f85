"""An import's view of the org, gathered once per job from identity, projects and capacity with
the importing user's token, then answered from memory for every row (people, rate histories and
resolved project names are small next to the file).

People are matched by email, else by first + last name, among the org's members and its
capacity resources (placeholders aside): a member first, then a resource, so a contractor
without a login is found as their resource. A member linked to a resource carries that
resource's rates; a resource without a login is a person of its own, with its own rates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from labs_common.errors import InvalidArgument, NotFound
from labs_time.adapters.directory import Directory, PersonRates, Project, RatePeriod
from labs_time.domain.csv_formats import ParsedRow
from labs_time.domain.model import Rates

NO_RATES = PersonRates(None, Rates.none())


# Compared and hashed by identity: one object per person, which the mapper caches by.
@dataclass(frozen=True, eq=False)
class Person:
    """Whom rows name: a member (`user_id`, and `resource_id` when linked to a resource) or a
    resource without a login (`user_id` None). Its rates: one PersonRates per rate period, and
    the one outside them all."""

    user_id: uuid.UUID | None
    resource_id: uuid.UUID | None
    periods: tuple[tuple[RatePeriod, PersonRates], ...] = ()
    outside: PersonRates = NO_RATES


def full_name(first: str, last: str) -> str:
    """The key a person is matched by name with: "first last", case and spacing aside."""
    return " ".join(f"{first} {last}".lower().split())


class DirectoryReferences:
    def __init__(self, directory: Directory, token: str, create_missing: bool) -> None:
        self._directory = directory
        self._token = token
        self.create_missing = create_missing
        self._projects: dict[str, Project | str] = {}
        self._by_email: dict[str, Person] = {}
        self._by_name: dict[str, Person] = {}
        self.settings: dict = {}
        self.source_zone: ZoneInfo = ZoneInfo("UTC")

    async def load(self) -> None:
        org = await self._directory.organization(self._token)
        self.settings = org.settings
        try:
            self.source_zone = ZoneInfo(org.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.source_zone = ZoneInfo("UTC")
        members = await self._directory.members(self._token)
        resources = await self._directory.resources(self._token)
        of_resource = {resource.id: Person(
            resource.user_id, resource.id,
            tuple((period, PersonRates(resource.id, period.rates)) for period in periods),
            PersonRates(resource.id, Rates.none())) for resource, periods in resources}
        of_user: dict[uuid.UUID, Person] = {}
        for resource, _periods in resources:
            if resource.user_id is not None:
                of_user.setdefault(resource.user_id, of_resource[resource.id])
        for member in members:
            person = of_user.setdefault(member.user_id, Person(member.user_id, None))
            self._by_email[member.email.lower()] = person
            if member.first_name.strip() and member.last_name.strip():
                self._by_name.setdefault(full_name(member.first_name, member.last_name), person)
        member_ids = {member.user_id for member in members}
        for resource, _periods in resources:  # after members: a member's own email wins
            if resource.user_id is None:
                person = of_resource[resource.id]
            elif resource.user_id in member_ids:
                person = of_user[resource.user_id]
            else:
                continue  # linked to a user who is not a member of this org
            if resource.email:
                self._by_email.setdefault(resource.email.lower(), person)
            if resource.name.strip():
                self._by_name.setdefault(full_name(resource.name, ""), person)

    def person(self, row: ParsedRow) -> Person | None:
        if row.email and (found := self._by_email.get(row.email)):
            return found
        if row.first_name and row.last_name:
            return self._by_name.get(full_name(row.first_name, row.last_name))
        return None

    async def project(self, name: str) -> Project | str:
        key = name.strip().lower()
        if key not in self._projects:
            try:
                found = await self._directory.resolve_project(self._token, name.strip(),
                                                              self.create_missing)
                self._projects[key] = (
                    "the project is archived" if found.archived else found)
            except NotFound:
                self._projects[key] = ("no project of this name in the organization "
                                       "(import with create_missing=true to create it)")
            except InvalidArgument as error:
                self._projects[key] = error.detail
        return self._projects[key]

    def rates(self, person: Person, on: date) -> PersonRates:
        """The same object for every row of one rate period (the mapper caches by it)."""
        for period, rates in person.periods:
            if period.covers(on):
                return rates
        return person.outside


class ProjectIdReferences(DirectoryReferences):
    """An import's view for rows that name their project by id (a platform's sync: the
    integrations service links each platform project to a Labs one)."""

    async def project(self, name: str) -> Project | str:
        if name not in self._projects:
            try:
                found = await self._directory.project(self._token, uuid.UUID(name))
                self._projects[name] = "the project is archived" if found.archived else found
            except (ValueError, NotFound):
                self._projects[name] = "no project of the organization has this id"
        return self._projects[name]
