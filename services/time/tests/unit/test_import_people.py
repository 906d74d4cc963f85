"""People in an import are matched by email, else first + last name, among the org's members and
its capacity resources: a contractor without a login is found as their resource, and their rows
carry the resource and its rates on each date. Rows take Harvest's own rounding and approval, and
a row names every problem at once, those of whom and what it names included. Nothing here does
I/O: the directory is a fake."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from labs_common.errors import NotFound
from labs_time.adapters.directory import Member, Organization, Project, RatePeriod, Resource
from labs_time.adapters.import_references import DirectoryReferences
from labs_time.domain.csv_formats import BadRow, ParsedRow, RowError
from labs_time.domain.model import Rates
from labs_time.service_layer.import_rows import RowMapper
from labs_time.service_layer.import_run import imported_events

ADA, GRACE = uuid.uuid4(), uuid.uuid4()
ADA_RESOURCE, CARL_RESOURCE, ROLE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
SITE = Project(uuid.uuid4(), "Site", False, None, "USD")


def _rates(billing: str, cost: str) -> Rates:
    return Rates(Decimal(billing), Decimal(cost), "USD", "resource")


class _Directory:
    def __init__(self) -> None:
        self.resolved: list[str] = []

    async def organization(self, token):
        return Organization("UTC", "USD", {"time_rounding": {"unit_minutes": 30, "mode": "up"}})

    async def members(self, token):
        return [Member(ADA, "ada@x.test", "Ada", "Lovelace"),
                Member(GRACE, "grace@x.test", "Grace", "Hopper")]

    async def resources(self, token):
        return [
            (Resource(ADA_RESOURCE, "Ada L.", "ada.l@x.test", ADA),
             [RatePeriod(None, None, _rates("150.00", "70.00"))]),
            # A contractor without a login; their rate went up on March 1st.
            (Resource(CARL_RESOURCE, "Carl  Contractor", "carl@contractors.test", None),
             [RatePeriod(None, date(2026, 2, 28), _rates("120.00", "90.00")),
              RatePeriod(date(2026, 3, 1), None, _rates("130.00", "95.00"))]),
            # Someone who shares a member's name: the member comes first.
            (Resource(uuid.uuid4(), "Grace Hopper", "", None), []),
        ]

    async def resolve_project(self, token, name, create_missing):
        self.resolved.append(name)
        if name != "Site":
            raise NotFound("No such project.")
        return SITE


async def _references(create_missing: bool = False) -> DirectoryReferences:
    references = DirectoryReferences(_Directory(), "t", create_missing)  # type: ignore[arg-type]
    await references.load()
    return references


def _row(number=1, day=date(2026, 2, 2), hours="1.10", email="", first="", last="", **more):
    return ParsedRow(number, day, more.pop("project", "Site"), Decimal(hours), "notes", email,
                     first, last, **more)


async def test_people_are_found_among_members_and_resources():
    references = await _references()
    found = {
        "member by email": references.person(_row(email="ada@x.test")),
        "member by name": references.person(_row(first="ada", last="LOVELACE")),
        "member by their resource's email": references.person(_row(email="ada.l@x.test")),
        "contractor by email": references.person(_row(email="carl@contractors.test")),
        "contractor by name": references.person(_row(first="Carl", last="Contractor")),
        "a member before a resource of the same name": references.person(
            _row(first="Grace", last="Hopper")),
    }
    assert {what: (p.user_id, p.resource_id) for what, p in found.items()} == {
        "member by email": (ADA, ADA_RESOURCE),
        "member by name": (ADA, ADA_RESOURCE),
        "member by their resource's email": (ADA, ADA_RESOURCE),
        "contractor by email": (None, CARL_RESOURCE),
        "contractor by name": (None, CARL_RESOURCE),
        "a member before a resource of the same name": (GRACE, None),
    }
    assert references.person(_row(email="nobody@x.test", first="No", last="Body")) is None


async def test_a_contractors_rows_carry_their_resource_and_its_rates_on_each_date():
    mapper = RowMapper(await _references())
    february = await mapper.record(_row(1, date(2026, 2, 27), email="carl@contractors.test"))
    march = await mapper.record(_row(2, date(2026, 3, 2), first="Carl", last="Contractor"))
    assert [(e.user_id, e.resource_id, e.billable_rate, e.cost_rate, e.rate_source)
            for e in (february, march)] == [
        (None, str(CARL_RESOURCE), 12000, 9000, "resource"),
        (None, str(CARL_RESOURCE), 13000, 9500, "resource"),
    ]
    member = await mapper.record(_row(3, email="ada@x.test"))
    assert (member.user_id, member.resource_id, member.billable_rate) == \
        (str(ADA), str(ADA_RESOURCE), 15000)


async def test_the_files_rounding_and_approval_are_kept():
    mapper = RowMapper(await _references())
    ours = await mapper.record(_row(1, email="ada@x.test"))
    theirs = await mapper.record(_row(2, email="ada@x.test", rounded_hours=Decimal("1.25"),
                                      approved=True))
    # The org rounds up to 30 minutes; the file's own Hours Rounded wins where given.
    assert [(e.hours, e.rounded_hours, e.approved) for e in (ours, theirs)] == [
        (110, 150, False), (110, 125, True)]


async def test_a_row_names_every_problem_with_whom_and_what_it_names():
    mapper = RowMapper(await _references())
    assert await mapper.record(_row(1, email="nobody@x.test", project="Nowhere")) == [
        RowError(1, "email", "no member or resource of the organization has this email"),
        RowError(1, "project", "no project of this name in the organization "
                               "(import with create_missing=true to create it)"),
    ]
    unparsed = BadRow(2, [RowError(2, "hours", "must be greater than 0")], "Nowhere", "",
                      "No", "Body")
    assert [e.field for e in await mapper.explain(unparsed)] == \
        ["hours", "first_name", "project"]


async def test_with_create_missing_a_bad_rows_project_is_not_created():
    references = await _references(create_missing=True)
    mapper = RowMapper(references)
    await mapper.explain(BadRow(1, [RowError(1, "hours", "is required")], "Brand new", "",
                                "Ada", "Lovelace"))
    await mapper.record(_row(2, email="nobody@x.test", project="Also new"))
    assert references._directory.resolved == []  # type: ignore[attr-defined]


async def test_the_imported_event_says_whose_resource_and_which_status():
    mapper = RowMapper(await _references())
    entries = [await mapper.record(_row(1, email="carl@contractors.test", approved=True)),
               await mapper.record(_row(2, email="grace@x.test"))]
    [event] = imported_events("job", "harvest", entries)
    assert list(zip(event.user_ids, event.resource_ids, event.statuses, strict=True)) == [
        ("", str(CARL_RESOURCE), "approved"), (str(GRACE), "", "draft")]
