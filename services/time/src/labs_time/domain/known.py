"""What time knows of other services' data from their events (its read models), as plain values,
and the rules it answers with: a person's rates on a date as capacity's GetRates answers them,
and which of two states of a row is the newer one.

Pure: no I/O. The rows live in adapters/read_models.py; events reach them through
entrypoints/read_model_consumers.py; service_layer/known.py reads them before a write."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from labs_time.domain.model import Rates

# Capacity's SINCE_ALWAYS: the first rates of a resource apply to every earlier date. An empty
# effective_from in capacity's messages means this day.
SINCE_ALWAYS = date.min

# The as_of of what time filled in from an answer rather than an event: any event is newer.
BEFORE_ANY_EVENT = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class KnownRate:
    """One period of a resource's rates: from `effective_from` until the next period begins."""

    effective_from: date
    billing_rate: Decimal | None
    cost_rate: Decimal | None
    currency: str
    as_of: datetime = field(default=BEFORE_ANY_EVENT, compare=False)


@dataclass(frozen=True)
class KnownResource:
    """A person (or placeholder) in capacity; `rates_complete` once its whole rate history is
    known (read from capacity once; events then keep it current)."""

    id: uuid.UUID
    name: str
    email: str
    user_id: uuid.UUID | None
    is_placeholder: bool
    rates_complete: bool
    as_of: datetime = field(default=BEFORE_ANY_EVENT, compare=False)


def effective_from(value: str) -> date:
    """An effective_from of capacity's messages: "YYYY-MM-DD", or empty for always."""
    return date.fromisoformat(value) if value else SINCE_ALWAYS


def rates_on(periods: Iterable[KnownRate], on: date) -> Rates | None:
    """The rates in effect on `on`, by capacity's rule (GetRates): the period whose
    effective_from is the latest on or before that date; None before the first period (GetRates
    answers found = false then)."""
    best: KnownRate | None = None
    for period in periods:
        if period.effective_from <= on and (best is None
                                            or period.effective_from > best.effective_from):
            best = period
    if best is None:
        return None
    return Rates(best.billing_rate, best.cost_rate, best.currency or None, "resource")


def settled(as_of: datetime | None, now: datetime, settle: timedelta) -> bool:
    """Whether a row last changed at `as_of` may answer without its owner: it has been left
    alone for `settle`. Changes come in bursts (an org set up, then its rounding; a project
    created, then archived), so a row changed a moment ago may have a newer change on its way,
    and the owner is asked instead; a row that has been quiet answers. None: no row."""
    return as_of is not None and as_of <= now - settle


def rates_settled(resource: KnownResource, periods: Iterable[KnownRate], now: datetime,
                  settle: timedelta) -> bool:
    """A person's rates answer locally once the resource's whole history is known and neither
    it nor any of its periods changed within `settle`."""
    return resource.rates_complete and all(
        settled(as_of, now, settle) for as_of in (resource.as_of, *(p.as_of for p in periods)))


def the_resource_of(user_id: uuid.UUID, resources: Iterable[KnownResource]
                    ) -> KnownResource | None:
    """The one resource linked to `user_id`, or None when there is none or, while a link moves
    from one resource to another and only one of the two events has arrived, two: then the
    owner must be asked."""
    linked = [r for r in resources if r.user_id == user_id and not r.is_placeholder]
    return linked[0] if len(linked) == 1 else None


def unlinked(user_id: uuid.UUID, resources: Iterable[KnownResource]) -> bool:
    """No person time knows of is linked to `user_id` (not even two in the middle of a move)."""
    return not any(r.user_id == user_id and not r.is_placeholder for r in resources)


class NoRatesAnswers:
    """Capacity's "no rates for this user on this day" (GetRates: found = false), kept per
    (org, user, day) while time's read model knows no resource linked to the user, so that a
    member who logs time without being in capacity is not asked about on every write.

    Like a row, an answer speaks for capacity only once it has held for `settle` (the first
    "none" may be the moment before an owner adds the person), and then only while the read
    model still links no resource to the user: the resource's event, when it arrives, takes over
    (in every replica: the read model is shared, these answers are not). Kept for `keep` at the
    most, then capacity is asked again, so a change no event of the user's resource announced
    is missed for that long at worst; and for `most` keys, the oldest forgotten first."""

    def __init__(self, keep: timedelta = timedelta(minutes=10), most: int = 10_000) -> None:
        self._keep, self._most = keep, most
        self._since: dict[tuple[uuid.UUID, uuid.UUID, date], datetime] = {}

    def since(self, org_id: uuid.UUID, user_id: uuid.UUID, on: date, now: datetime
              ) -> datetime | None:
        """Since when capacity has answered "none" for the user on `on`; None: not held."""
        since = self._since.get((org_id, user_id, on))
        return since if since is not None and since > now - self._keep else None

    def heard(self, org_id: uuid.UUID, user_id: uuid.UUID, on: date, now: datetime) -> None:
        """Capacity answered "none" at `now`; an answer still held keeps its first time."""
        if self.since(org_id, user_id, on, now) is not None:
            return
        key = (org_id, user_id, on)
        self._since.pop(key, None)
        if len(self._since) >= self._most:
            del self._since[next(iter(self._since))]
        self._since[key] = now

    def forget(self, org_id: uuid.UUID, user_id: uuid.UUID, on: date) -> None:
        self._since.pop((org_id, user_id, on), None)
