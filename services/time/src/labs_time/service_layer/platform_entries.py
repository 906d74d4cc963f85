"""A platform's time brought in line (SyncExternalEntries: Harvest's, from the integrations
service). Each entry is named for ever by (source, external_id), through a fingerprint derived
from them, so the unique index that keeps CSV imports from doubling keeps syncs from doubling too,
even two at once. Rows go through the CSV import's own mapping (people by email or name, rates,
rounding), so a synced entry is recorded as an imported one would be.

For each entry: new → inserted (and `entry.imported`, like an import); the same → nothing;
changed → updated in place (`entry.updated`), or, when it moved to another project or person,
deleted and recorded anew, so every reader's per-project totals move with it; invoiced, reserved
or locked in Labs → left as it is and reported. A reconcile window deletes the source's synced
entries of those dates that the platform no longer lists."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument
from labs_common.parsing import decimal_of
from labs_time.adapters import import_staging, proto
from labs_time.adapters.import_staging import StagedEntry
from labs_time.domain import commands, rules
from labs_time.domain.csv_formats import ParsedRow
from labs_time.domain.model import APPROVED, TimeEntry
from labs_time.service_layer.import_rows import References, RowMapper
from labs_time.service_layer.import_run import imported_events
from labs_time.service_layer.unit_of_work import TimeUnitOfWork

MAX_ENTRIES = 2000
MAX_RECONCILE_DAYS = 400
SOURCE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz_")
CENT = Decimal("0.01")


@dataclass
class SyncOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    # (external_id, field, message)
    errors: list[tuple[str, str, str]] = field(default_factory=list)


def fingerprint(source: str, external_id: str) -> uuid.UUID:
    return uuid.UUID(hashlib.md5(f"{source}:{external_id}".encode(),
                                 usedforsecurity=False).hexdigest())


def check_request(command: commands.SyncPlatformEntries) -> None:
    if not command.source or not set(command.source) <= SOURCE_CHARS:
        raise InvalidArgument.on("source", "the platform's name in lower case, e.g. harvest")
    if len(command.entries) > MAX_ENTRIES:
        raise InvalidArgument.on("entries", f"at most {MAX_ENTRIES} a call")
    window = command.reconcile
    if window is not None:
        if window.date_to < window.date_from:
            raise InvalidArgument.on("reconcile.date_to", "must not be before date_from")
        if (window.date_to - window.date_from).days > MAX_RECONCILE_DAYS:
            raise InvalidArgument.on("reconcile.date_to",
                                     f"a window of at most {MAX_RECONCILE_DAYS} days")


def parsed_row(position: int, entry: commands.PlatformEntry) -> ParsedRow:
    """The entry as a CSV row would have parsed; InvalidArgument names the field at fault."""
    if not entry.external_id.strip():
        raise InvalidArgument.on("external_id", "the platform's id of the entry is required")

    def money(value: str, name: str) -> Decimal | None:
        if not value:
            return None
        parsed = decimal_of(value, name, places=2)
        if parsed < 0:
            raise InvalidArgument.on(name, "must not be negative")
        return parsed.quantize(CENT)

    rounded = money(entry.rounded_hours, "rounded_hours")
    billable_rate, cost_rate = money(entry.billable_rate, "billable_rate"), \
        money(entry.cost_rate, "cost_rate")
    given = billable_rate is not None or cost_rate is not None
    return ParsedRow(
        row=position, date_worked=rules.parse_date(entry.date_worked, "date_worked"),
        project=entry.project_id, hours=rules.hours(entry.hours), notes=rules.notes(entry.notes),
        email=entry.email.strip().lower(), first_name=entry.first_name.strip(),
        last_name=entry.last_name.strip(), billable=entry.billable,
        billable_rate=billable_rate, cost_rate=cost_rate,
        currency=rules.currency(entry.currency) if given and entry.currency else None,
        rounded_hours=rounded, approved=entry.approved)


def _scaled(amount: Decimal | None) -> int | None:
    return None if amount is None else int(amount.scaleb(2))


def differences(entry: TimeEntry, staged: StagedEntry) -> list[str]:
    """What the platform's version changes of `entry`, by the names events carry."""
    now = {
        "project_id": str(entry.project_id), "user_id": entry.user_id and str(entry.user_id),
        "resource_id": entry.resource_id and str(entry.resource_id),
        "date_worked": entry.date_worked, "hours": _scaled(entry.hours),
        "rounded_hours": _scaled(entry.rounded_hours), "notes": entry.notes,
        "billable": entry.billable, "billable_rate": _scaled(entry.rates.billable_rate),
        "cost_rate": _scaled(entry.rates.cost_rate), "currency": entry.rates.currency,
        "status": entry.status == APPROVED}
    then = {**staged._asdict(), "status": staged.approved}
    return [name for name, value in now.items() if then[name] != value]


MOVES = frozenset({"project_id", "user_id", "resource_id"})


def _apply(entry: TimeEntry, staged: StagedEntry) -> None:
    entry.date_worked = staged.date_worked
    entry.hours = Decimal(staged.hours).scaleb(-2)
    entry.rounded_hours = Decimal(staged.rounded_hours).scaleb(-2)
    entry.notes, entry.billable = staged.notes, staged.billable
    entry.rates = type(entry.rates)(
        None if staged.billable_rate is None else Decimal(staged.billable_rate).scaleb(-2),
        None if staged.cost_rate is None else Decimal(staged.cost_rate).scaleb(-2),
        staged.currency, staged.rate_source)
    if staged.approved:
        entry.status, entry.is_locked, entry.locked_reason = APPROVED, True, "approved"


def _held(entry: TimeEntry) -> str | None:
    if entry.invoice_id is not None:
        return "on an invoice in Labs: left as it is"
    if entry.is_locked:
        return "approved and locked in Labs: left as it is (an admin can reopen it)"
    return None


async def staged_entries(command: commands.SyncPlatformEntries, refs: References,
                         outcome: SyncOutcome) -> dict[uuid.UUID, tuple[str, StagedEntry]]:
    """Each good entry staged by the import's mapping under its platform fingerprint; the rest
    reported. Asks other services (a project by id) and so runs before the transaction."""
    mapper = RowMapper(refs)
    staged: dict[uuid.UUID, tuple[str, StagedEntry]] = {}
    for position, entry in enumerate(command.entries, start=1):
        try:
            row = parsed_row(position, entry)
        except InvalidArgument as error:
            outcome.errors += [(entry.external_id, e.field, e.message)
                               for e in error.field_errors]
            continue
        record = await mapper.record(row)
        if isinstance(record, list):
            outcome.errors += [(entry.external_id, "project_id" if e.field == "project"
                                else e.field, e.message) for e in record]
            continue
        key = fingerprint(command.source, entry.external_id)
        staged[key] = (entry.external_id, record._replace(fingerprint=str(key)))
    return staged


async def sync_entries(command: commands.SyncPlatformEntries, uow: TimeUnitOfWork, *,
                       staged: dict[uuid.UUID, tuple[str, StagedEntry]], outcome: SyncOutcome
                       ) -> SyncOutcome:
    uow.caller.require(Role.MANAGER)
    outcome = SyncOutcome(errors=list(outcome.errors))  # this attempt's own tally
    source = command.source
    existing = await uow.entries.by_fingerprints(list(staged)) if staged else {}
    new: list[StagedEntry] = []
    names: dict[str, str] = {}
    moved: set[str] = set()  # recorded anew, counted as updated
    for key, (external_id, record) in staged.items():
        entry = existing.get(key)
        if entry is None:
            new.append(record)
            names[record.id] = external_id
            continue
        changed = differences(entry, record)
        if not changed:
            outcome.unchanged += 1
            continue
        if (held := _held(entry)) is not None or entry.is_running:
            outcome.errors.append((external_id, "entry", held or "a running timer in Labs"))
            continue
        outcome.updated += 1
        if MOVES & set(changed):
            await _delete(uow, entry)
            new.append(record)
            names[record.id] = external_id
            moved.add(record.id)
            continue
        _apply(entry, record)
        entry = await uow.entries.save(entry)
        await uow.outbox.add("entry.updated", proto.entry_changed(entry, changed=changed),
                             project_id=entry.project_id)
    if new:
        inserted = await import_staging.import_batch(uow.session, uow.caller.org_id, None,
                                                     source, new)
        # Another sync inserted the rest a moment ago; this one's next run compares them.
        new = [new[i] for i in inserted]
        await uow.entries.name_synced({r.id: names[r.id] for r in new})
        await uow.outbox.add_many("entry.imported", imported_events("", source, new))
        outcome.created += sum(1 for r in new if r.id not in moved)
    if command.reconcile is not None:
        await _reconcile(uow, command, staged, outcome)
    return outcome


async def _delete(uow: TimeUnitOfWork, entry: TimeEntry) -> None:
    await uow.entries.delete(entry.id)
    await uow.outbox.add("entry.deleted", proto.entry_changed(entry), project_id=entry.project_id)


async def _reconcile(uow: TimeUnitOfWork, command: commands.SyncPlatformEntries,
                     staged: dict, outcome: SyncOutcome) -> None:
    window = command.reconcile
    assert window is not None
    keep = {fingerprint(command.source, external_id) for external_id in window.external_ids}
    keep |= {fingerprint(command.source, e.external_id) for e in command.entries}
    keep |= set(staged)
    for entry in await uow.entries.synced_outside(command.source, window.date_from,
                                                  window.date_to, list(keep)):
        if (held := _held(entry)) is not None:
            outcome.errors.append(("", "entry", f"time entry {entry.id}: deleted in "
                                   f"{command.source}, but {held}"))
            continue
        await _delete(uow, entry)
        outcome.deleted += 1
