"""The invoice's rules, as a client and an accountant would check them: totals to the cent,
numbers, what can be paid, voided or changed when."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from labs_billing.domain.directory import BillableEntry, BillableExpense, Names, Reservation
from labs_billing.domain.lines import GroupBy, items_of, span
from labs_billing.domain.model import (
    Invoice,
    Item,
    ItemKind,
    Payment,
    PaymentMethod,
    Status,
    invoice_number,
)
from labs_billing.service_layer.generation import check_reservation
from labs_common.errors import Conflict, InvalidArgument

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
TODAY = date(2026, 12, 1)


def an_invoice(*amounts: tuple[str, str], tax: str = "0") -> Invoice:
    return Invoice(
        id=uuid.uuid4(), org_id=uuid.uuid4(), client_id=uuid.uuid4(), project_id=None,
        currency="EUR", tax_rate=Decimal(tax),
        items=[Item(uuid.uuid4(), ItemKind.MANUAL, "Work", Decimal(q), Decimal(p))
               for q, p in amounts])


def a_payment(invoice: Invoice, amount: str) -> Payment:
    return Payment(uuid.uuid4(), invoice.id, Decimal(amount), "EUR", NOW,
                   PaymentMethod.BANK_TRANSFER)


def test_totals_round_each_line_and_the_tax_to_the_cent():
    invoice = an_invoice(("1.25", "33.33"), ("2", "0.005"), tax="7.5")
    assert invoice.items[0].amount == Decimal("41.66")  # 41.6625
    assert invoice.items[1].amount == Decimal("0.01")   # halves away from zero
    assert invoice.subtotal == Decimal("41.67")
    assert invoice.tax_amount == Decimal("3.13")        # 3.12525
    assert invoice.total == Decimal("44.80")


def test_numbers_are_the_prefix_and_at_least_four_digits():
    assert invoice_number("INV-", 1) == "INV-0001"
    assert invoice_number("ACME/2026/", 12345) == "ACME/2026/12345"


def test_sending_dates_the_invoice_and_sets_its_due_date_from_the_terms():
    invoice = an_invoice(("1", "100"))
    invoice.payment_terms_days = 14
    invoice.issue("INV-0007", TODAY, NOW)
    assert (invoice.number, invoice.status) == ("INV-0007", Status.SENT)
    assert (invoice.issue_date, invoice.due_date) == (TODAY, date(2026, 12, 15))
    with pytest.raises(Conflict):
        invoice.issue("INV-0008", TODAY, NOW)  # only drafts are sent


def test_an_issued_invoice_past_due_with_money_owed_reads_overdue():
    invoice = an_invoice(("1", "100"))
    invoice.issue("INV-0001", TODAY, NOW)
    assert invoice.status_on(date(2026, 12, 31)) is Status.SENT
    assert invoice.status_on(date(2027, 1, 1)) is Status.OVERDUE
    invoice.record(a_payment(invoice, "100"))
    assert invoice.status_on(date(2027, 1, 1)) is Status.PAID


def test_payments_take_the_invoice_to_partially_paid_then_paid_and_never_beyond():
    invoice = an_invoice(("10", "150"))
    invoice.issue("INV-0001", TODAY, NOW)
    invoice.record(a_payment(invoice, "1000"))
    assert (invoice.status, invoice.amount_due) == (Status.PARTIALLY_PAID, Decimal("500.00"))
    with pytest.raises(InvalidArgument) as refused:
        invoice.record(a_payment(invoice, "500.01"))
    assert refused.value.field_errors[0].field == "amount"
    invoice.record(a_payment(invoice, "500"))
    assert (invoice.status, invoice.amount_due, invoice.paid_at) == (Status.PAID, 0, NOW)


def test_a_draft_takes_no_payment_and_a_paid_or_part_paid_invoice_cannot_be_voided():
    draft = an_invoice(("1", "100"))
    with pytest.raises(Conflict):
        draft.record(a_payment(draft, "10"))
    with pytest.raises(Conflict):
        draft.void(NOW)
    part_paid = an_invoice(("1", "100"))
    part_paid.issue("INV-0001", TODAY, NOW)
    part_paid.record(a_payment(part_paid, "10"))
    with pytest.raises(Conflict):
        part_paid.void(NOW)


def test_a_voided_invoice_keeps_its_number_and_owes_nothing():
    invoice = an_invoice(("1", "100"))
    invoice.issue("INV-0003", TODAY, NOW)
    invoice.void(NOW)
    assert (invoice.status, invoice.number, invoice.amount_due) == (Status.VOID, "INV-0003", 0)


ALICE, BOB = uuid.uuid4(), uuid.uuid4()
DESIGN = uuid.uuid4()


def entries() -> tuple[BillableEntry, ...]:
    return (
        BillableEntry(uuid.uuid4(), date(2026, 3, 2), Decimal("2.5"), Decimal("150"), "EUR",
                      DESIGN, ALICE),
        BillableEntry(uuid.uuid4(), date(2026, 3, 3), Decimal("1.5"), Decimal("150"), "EUR",
                      DESIGN, BOB),
        BillableEntry(uuid.uuid4(), date(2026, 3, 3), Decimal("4"), Decimal("120"), "EUR",
                      None, BOB),
    )


NAMES = Names(tasks={DESIGN: "Design"}, people={ALICE: "Alice Ng", BOB: "Bob Roy"})


def test_items_group_by_person_and_rate_so_hours_times_rate_is_the_amount():
    items = items_of(Reservation(entries()), GroupBy.PERSON, "Relaunch", NAMES)
    assert [(i.description, i.quantity, i.unit_price) for i in items] == [
        ("Alice Ng (2 Mar 2026)", Decimal("2.5"), Decimal("150")),
        ("Bob Roy (3 Mar 2026)", Decimal("1.5"), Decimal("150")),
        ("Bob Roy (3 Mar 2026)", Decimal("4"), Decimal("120")),
    ]
    assert sum(len(i.time_entry_ids) for i in items) == 3


def test_items_by_task_name_the_task_and_the_dates_they_cover():
    items = items_of(Reservation(entries()), GroupBy.TASK, "Relaunch", NAMES)
    assert items[0].description == "Design (2 – 3 Mar 2026)"  # noqa: RUF001
    assert items[0].quantity == Decimal("4.0")
    assert items[1].description == "General work (3 Mar 2026)"


def test_one_item_per_entry_and_expenses_as_their_own_items():
    expense = BillableExpense(uuid.uuid4(), "Figma seat", Decimal("45"), "EUR",
                              date(2026, 3, 5), "software")
    items = items_of(Reservation(entries(), (expense,)), GroupBy.NONE, "Relaunch", NAMES)
    assert len(items) == 4
    assert items[-1].kind is ItemKind.EXPENSE
    assert items[-1].description == "Figma seat (software, 5 Mar 2026)"
    assert items[-1].expense_ids == (expense.id,)


def test_spans_across_months_and_years():
    assert span([date(2026, 2, 28), date(2026, 3, 3)]) == "28 Feb – 3 Mar 2026"  # noqa: RUF001
    assert span([date(2025, 12, 30), date(2026, 1, 2)]) == "30 Dec 2025 – 2 Jan 2026"  # noqa: RUF001


def test_nothing_reserved_names_period_start_and_another_currency_names_currency():
    with pytest.raises(InvalidArgument) as nothing:
        check_reservation("EUR", Reservation())
    assert nothing.value.field_errors[0].field == "period_start"
    with pytest.raises(InvalidArgument) as mixed:
        check_reservation("USD", Reservation(entries()))
    assert mixed.value.field_errors[0].field == "currency"
