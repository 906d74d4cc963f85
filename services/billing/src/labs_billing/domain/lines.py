"""Invoice items from reserved time and expenses: entries grouped as the manager asked (by task,
person, date, the whole project, or one item per entry), one item per group and rate so that
quantity times unit price is the amount, with a description a client understands."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from decimal import Decimal
from enum import StrEnum

from labs_billing.domain.directory import BillableEntry, BillableExpense, Names, Reservation
from labs_billing.domain.model import Item, ItemKind


class GroupBy(StrEnum):
    TASK = "task"
    PERSON = "person"
    DATE = "date"
    PROJECT = "project"
    NONE = "none"


def span(days: Iterable[date]) -> str:
    """"3 Mar 2026", "2 to 27 Mar 2026" or "28 Feb to 3 Mar 2026", with an en dash."""
    ordered = sorted(days)
    first, last = ordered[0], ordered[-1]
    if first == last:
        return _day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day} – {_day(last)}"  # noqa: RUF001 (a range reads with an en dash)
    if first.year == last.year:
        return f"{first.day} {first:%b} – {_day(last)}"  # noqa: RUF001
    return f"{_day(first)} – {_day(last)}"  # noqa: RUF001


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def time_items(entries: Iterable[BillableEntry], group_by: GroupBy, project_name: str,
               names: Names) -> list[Item]:
    def task(entry: BillableEntry) -> str:
        if entry.task_id is None:
            return "General work"
        return names.tasks.get(entry.task_id, "Task")

    def person(entry: BillableEntry) -> str:
        return names.people.get(entry.person_id, "Team member") if entry.person_id else "Team"

    keys: dict[GroupBy, Callable[[BillableEntry], Hashable]] = {
        GroupBy.TASK: task,
        GroupBy.PERSON: person,
        GroupBy.DATE: lambda e: e.date_worked,
        GroupBy.PROJECT: lambda e: project_name,
        GroupBy.NONE: lambda e: e.id,
    }
    key = keys[group_by]
    groups: dict[tuple[Hashable, Decimal], list[BillableEntry]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: (e.date_worked, str(e.id))):
        groups[(key(entry), entry.rate)].append(entry)

    def order(group):  # by first day, then name, dearer rate first: the same every time
        (label, rate), members = group
        return members[0].date_worked, str(label), -rate

    items = []
    for (label, rate), members in sorted(groups.items(), key=order):
        days = [e.date_worked for e in members]
        if group_by is GroupBy.DATE:
            title = f"{project_name} — work"
        elif group_by is GroupBy.NONE:
            entry = members[0]
            title = f"{task(entry)} — {person(entry)}"
        else:
            title = str(label)
        items.append(Item(
            id=uuid.uuid4(), kind=ItemKind.TIME,
            description=f"{title} ({span(days)})",
            quantity=sum((e.hours for e in members), Decimal("0")),
            unit_price=rate,
            time_entry_ids=tuple(e.id for e in members),
        ))
    return items


def expense_items(expenses: Iterable[BillableExpense]) -> list[Item]:
    return [
        Item(id=uuid.uuid4(), kind=ItemKind.EXPENSE,
             description=f"{x.description} ({x.category}, {_day(x.expense_date)})",
             quantity=Decimal("1"), unit_price=x.amount, expense_ids=(x.id,))
        for x in sorted(expenses, key=lambda x: (x.expense_date, str(x.id)))
    ]


def items_of(reservation: Reservation, group_by: GroupBy, project_name: str,
             names: Names) -> list[Item]:
    return (time_items(reservation.entries, group_by, project_name, names)
            + expense_items(reservation.expenses))
