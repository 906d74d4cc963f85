"""Approvals: a person submits a range of their time, a manager approves (which locks it) or
rejects it back to draft with a reason; an admin may reopen approved entries, with a reason that
the entry.reopened event carries into the activity feed. Invoiced entries never reopen. The org
(whose timezone bounds the range) is asked before the transaction opens (see asked.py)."""

from __future__ import annotations

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_common.errors import Conflict, InvalidArgument, NotFound
from labs_time.adapters import proto
from labs_time.adapters.directory import Directory, Organization
from labs_time.domain import commands, rules
from labs_time.domain.model import APPROVED, DRAFT, SUBMITTED, TimeEntry
from labs_time.service_layer.asked import SKIPPED, Answer
from labs_time.service_layer.entries import ask_organization, require_staff, today_in
from labs_time.service_layer.unit_of_work import TimeUnitOfWork


async def ask_for_range(directory: Directory, principal: Principal, needs: Role
                        ) -> Answer[Organization]:
    """The org, whose timezone says what today is (a range ends at most a year after it);
    nothing is asked for a caller below `needs`, whom the handler refuses first."""
    if not principal.role.at_least(needs):
        return SKIPPED
    return await ask_organization(directory, principal)


def _range(asked: Answer[Organization], date_from: str, date_to: str):
    return rules.date_range(date_from, date_to, today_in(asked.get()))


async def _move(uow: TimeUnitOfWork, entries: list[TimeEntry], event: str, reason: str = ""
                ) -> list[TimeEntry]:
    saved = []
    for entry in entries:
        entry = await uow.entries.save(entry)
        await uow.outbox.add(event, proto.entry_changed(entry, reason=reason),
                             project_id=entry.project_id)
        saved.append(entry)
    return saved


async def submit(command: commands.SubmitTimeEntries, uow: TimeUnitOfWork, *,
                 asked: Answer[Organization]) -> list[TimeEntry]:
    principal = uow.caller
    require_staff(principal)
    start, end = _range(asked, command.date_from, command.date_to)
    entries = await uow.entries.of_user_in_range(principal.user_id, start, end, DRAFT)
    for entry in entries:
        entry.status = SUBMITTED
    return await _move(uow, entries, "entry.submitted")


async def approve(command: commands.ApproveTimeEntries, uow: TimeUnitOfWork, *,
                  asked: Answer[Organization]) -> list[TimeEntry]:
    uow.caller.require(Role.MANAGER)
    start, end = _range(asked, command.date_from, command.date_to)
    entries = await uow.entries.of_user_in_range(command.user_id, start, end, SUBMITTED)
    for entry in entries:
        entry.status, entry.is_locked, entry.locked_reason = APPROVED, True, "approved"
    return await _move(uow, entries, "entry.approved")


async def reject(command: commands.RejectTimeEntries, uow: TimeUnitOfWork, *,
                 asked: Answer[Organization]) -> list[TimeEntry]:
    uow.caller.require(Role.MANAGER)
    why = rules.reason(command.reason)
    start, end = _range(asked, command.date_from, command.date_to)
    entries = await uow.entries.of_user_in_range(command.user_id, start, end, SUBMITTED)
    for entry in entries:
        entry.status = DRAFT
    return await _move(uow, entries, "entry.rejected", why)


async def reopen(command: commands.ReopenTimeEntries, uow: TimeUnitOfWork) -> list[TimeEntry]:
    """All or nothing: an unknown id is 404, an invoiced entry 409, and nothing reopens."""
    uow.caller.require(Role.ADMIN)
    why = rules.reason(command.reason)
    if not command.entry_ids:
        raise InvalidArgument.on("entry_ids", "must name at least one entry")
    if len(command.entry_ids) > 1000:
        raise InvalidArgument.on("entry_ids", "at most 1000 entries at once")
    ids = sorted(set(command.entry_ids))
    entries = await uow.entries.by_ids(ids)
    if len(entries) != len(ids):
        raise NotFound("No such time entry.", reason="ENTRY_NOT_FOUND")
    if any(e.invoice_id is not None for e in entries):
        raise Conflict("Invoiced entries cannot reopen; void the invoice first.",
                       reason="ENTRY_INVOICED")
    for entry in entries:
        entry.status, entry.is_locked, entry.locked_reason = DRAFT, False, ""
    return await _move(uow, entries, "entry.reopened", why)
