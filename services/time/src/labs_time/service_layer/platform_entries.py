"""A platform's time brought in line (SyncExternalEntries: Harvest's, from the integrations
service). Each entry is named for ever by (source, external_id) through a fingerprint made of
them, so the unique index that keeps a CSV import from doubling keeps syncs from doubling too,
two at once included. Entries go through the CSV import's own mapping (people by email or name,
rates, rounding) and staging, so a synced entry is recorded as an imported one would be.

The org, its people and rates and each project are asked first (`ask_for_sync`); then one
transaction writes the call's changes and their events (`sync_entries`), so a call that dies
leaves nothing half done, and its retry (or the next sync) converges. An entry:

- new → inserted, draft or approved and locked, announced in `entry.imported` as an import's;
- as it was → nothing written, counted unchanged;
- changed → updated in place and announced in `entry.updated`, as an edit in Labs, with the
  fields that changed; a move to another project or person is such an edit too (the id stays,
  and the event's project and person are the new ones: readers move its totals, as forecasting
  does for every `entry.updated`);
- invoiced, on an invoice being drafted, or approved and locked in Labs → left as it is, and
  reported.

With a reconcile window, the source's synced entries dated in it that the platform no longer
lists are deleted (`entry.deleted`), save the same invoiced and locked ones. Entries from a CSV
file have no platform id: no sync ever changes or deletes them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import InvalidArgument
from labs_time.adapters import import_staging, proto
from labs_time.adapters.directory import Directory
from labs_time.adapters.import_references import ProjectIdReferences
from labs_time.domain import commands
from labs_time.domain.model import TimeEntry
from labs_time.domain.platform_entries import check_request, fingerprint, parsed_row
from labs_time.service_layer.asked import SKIPPED, Answer, ask, passes
from labs_time.service_layer.import_rows import RowMapper
from labs_time.service_layer.import_run import imported_events
from labs_time.service_layer.platform_revisions import Incoming, held, revision
from labs_time.service_layer.unit_of_work import TimeUnitOfWork

EntryError = tuple[str, str, str]  # (external_id, field, message)


@dataclass(frozen=True)
class SyncPlan:
    """The call's good entries, staged by fingerprint, and what was wrong with the others."""

    incoming: dict[uuid.UUID, Incoming]
    errors: list[EntryError]


@dataclass
class SyncOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    errors: list[EntryError] = field(default_factory=list)


def _check(principal: Principal, command: commands.SyncPlatformEntries) -> None:
    principal.require(Role.MANAGER)
    check_request(command)


async def ask_for_sync(directory: Directory, principal: Principal,
                       command: commands.SyncPlatformEntries) -> Answer[SyncPlan]:
    """Everyone and everything the entries name, asked before the transaction opens."""
    if not passes(lambda: _check(principal, command)):
        return SKIPPED
    return await ask(lambda: _plan(directory, principal, command))


async def _plan(directory: Directory, principal: Principal,
                command: commands.SyncPlatformEntries) -> SyncPlan:
    plan = SyncPlan({}, [])
    if not command.entries:  # a reconcile's own call: no one to ask about
        return plan
    refs = ProjectIdReferences(directory, principal.token, create_missing=False)
    await refs.load()
    today = datetime.now(refs.source_zone).date()
    mapper = RowMapper(refs)
    for position, entry in enumerate(command.entries, start=1):
        try:
            row = parsed_row(position, entry, today)
        except InvalidArgument as error:
            plan.errors.extend((entry.external_id, e.field, e.message)
                               for e in error.field_errors)
            continue
        key = fingerprint(command.source, entry.external_id)
        if key in plan.incoming:
            plan.errors.append((entry.external_id, "external_id",
                                "appears more than once in this call: the first one is kept"))
            continue
        staged = await mapper.record(row)
        if isinstance(staged, list):  # nobody has the email or name; no such open project
            plan.errors.extend((entry.external_id, "project_id" if e.field == "project"
                                else e.field, e.message) for e in staged)
            continue
        plan.incoming[key] = Incoming(
            entry.external_id,
            staged._replace(fingerprint=str(key), external_id=entry.external_id),
            rounding_given=row.rounded_hours is not None,
            rates_given=row.billable_rate is not None or row.cost_rate is not None)
    return plan


async def sync_entries(command: commands.SyncPlatformEntries, uow: TimeUnitOfWork, *,
                       plan: Answer[SyncPlan]) -> SyncOutcome:
    _check(uow.caller, command)
    found = plan.get()
    outcome = SyncOutcome(errors=list(found.errors))  # this attempt's own tally
    existing = (await uow.entries.by_fingerprints(list(found.incoming))
                if found.incoming else {})
    fresh = [incoming for key, incoming in found.incoming.items() if key not in existing]
    fresh += await _revise(uow, existing, found.incoming, outcome)
    lost = await _insert(uow, command.source, fresh, outcome)
    if lost:  # another call inserted these a moment ago: compare with what it wrote
        raced = await uow.entries.by_fingerprints([uuid.UUID(i.record.fingerprint)
                                                   for i in lost])
        await _revise(uow, raced, found.incoming, outcome)
    if command.reconcile is not None:
        await _reconcile(uow, command, command.reconcile, outcome)
    return outcome


async def _revise(uow: TimeUnitOfWork, existing: dict[uuid.UUID, TimeEntry],
                  incoming: dict[uuid.UUID, Incoming], outcome: SyncOutcome
                  ) -> list[Incoming]:
    """Brings the entries the platform changed in line; answers those that went from Labs
    between the read and the lock (deleted in Labs: the platform still has them)."""
    changing = {}
    for key, entry in existing.items():
        if revision(entry, incoming[key])[1]:
            changing[entry.id] = key
        else:
            outcome.unchanged += 1
    if not changing:
        return []
    # Locked only now, and compared again: what was read may have changed since.
    locked = {entry.id: entry for entry in await uow.entries.by_ids(sorted(changing))}
    gone = [incoming[key] for entry_id, key in changing.items() if entry_id not in locked]
    for entry in locked.values():
        sent = incoming[changing[entry.id]]
        revised, changed = revision(entry, sent)
        if not changed:
            outcome.unchanged += 1
        elif (why := held(entry)) is not None:
            outcome.errors.append((sent.external_id, "entry", why))
        else:
            saved = await uow.entries.save(revised)
            await uow.outbox.add("entry.updated", proto.entry_changed(saved, changed=changed),
                                 project_id=saved.project_id)
            outcome.updated += 1
    return gone


async def _insert(uow: TimeUnitOfWork, source: str, fresh: list[Incoming],
                  outcome: SyncOutcome) -> list[Incoming]:
    """Inserts the new entries with their events; answers those another call inserted first."""
    if not fresh:
        return []
    # In fingerprint order, as any other call inserts them: two calls at once then wait for
    # each other instead of deadlocking.
    fresh = sorted(fresh, key=lambda incoming: incoming.record.fingerprint)
    records = [incoming.record for incoming in fresh]
    inserted = await import_staging.import_batch(uow.session, uow.caller.org_id, None, source,
                                                 records)
    new = [records[i] for i in inserted]
    # No import job made them: consumers of entry.imported read the entries, not the job.
    await uow.outbox.add_many("entry.imported", imported_events("", source, new))
    outcome.created += len(new)
    written = set(inserted)
    return [incoming for i, incoming in enumerate(fresh) if i not in written]


async def _reconcile(uow: TimeUnitOfWork, command: commands.SyncPlatformEntries,
                     window: commands.Reconcile, outcome: SyncOutcome) -> None:
    keep = {*window.external_ids, *(entry.external_id for entry in command.entries)}
    for entry in await uow.entries.synced_gone(command.source, window.date_from,
                                               window.date_to, sorted(keep)):
        if (why := held(entry)) is not None:
            outcome.errors.append((entry.external_id or "", "entry",
                                   f"deleted in {command.source}, but {why}"))
            continue
        await uow.entries.delete(entry.id)
        await uow.outbox.add("entry.deleted", proto.entry_changed(entry),
                             project_id=entry.project_id)
        outcome.deleted += 1
