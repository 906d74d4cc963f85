"""The column vocabulary declares the types the migrations create, and passes every option
through to Column (nullable by default, as Column itself)."""

from __future__ import annotations

from sqlalchemy import CHAR, Boolean, Date, DateTime, ForeignKey, MetaData, Numeric, Table, Text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.schema import CreateTable

from labs_common.db import columns as col


def test_each_kind_has_the_type_the_migrations_create():
    assert isinstance(col.uuid("id").type, UUID) and col.uuid("id").type.as_uuid
    assert isinstance(col.text("name").type, Text)
    assert isinstance(col.flag("billable").type, Boolean)
    assert isinstance(col.day("date_worked").type, Date)
    assert isinstance(col.timestamp("sent_at").type, DateTime)
    assert col.timestamp("sent_at").type.timezone
    assert isinstance(col.currency().type, CHAR) and col.currency().type.length == 3
    assert isinstance(col.uuids("time_entry_ids").type, ARRAY)


def test_money_rates_and_hours_are_to_the_cent():
    def numeric(column):
        assert isinstance(column.type, Numeric)
        return column.type.precision, column.type.scale

    assert numeric(col.money("total")) == (14, 2)
    assert numeric(col.money("total", digits=16)) == (16, 2)
    assert numeric(col.rate("billing_rate")) == (12, 2)
    assert numeric(col.hours("hours", digits=6)) == (6, 2)
    assert numeric(col.decimal("tax_rate", 7, 4)) == (7, 4)


def test_options_pass_through_and_a_column_is_nullable_unless_it_says_otherwise():
    assert col.text("notes").nullable
    assert not col.text("notes", nullable=False).nullable
    assert col.uuid("org_id", primary_key=True).primary_key
    created, updated = col.timestamps(nullable=False, server_default=col.now())
    assert (created.name, updated.name) == ("created_at", "updated_at")
    assert not created.nullable and updated.server_default is not None


def test_a_table_of_the_vocabulary_renders_the_ddl_of_plain_columns():
    metadata = MetaData()
    Table("projects", metadata, col.uuid("id", primary_key=True))
    table = Table(
        "entries",
        metadata,
        col.uuid("id", primary_key=True),
        col.uuid("project_id", ForeignKey("projects.id"), nullable=False),
        col.money("amount", nullable=False),
        col.currency(nullable=False),
        *col.timestamps(nullable=False, server_default=col.now()),
    )
    ddl = " ".join(str(CreateTable(table).compile(dialect=postgresql.dialect())).split())
    assert "id UUID NOT NULL" in ddl
    assert "project_id UUID NOT NULL" in ddl
    assert "amount NUMERIC(14, 2) NOT NULL" in ddl
    assert "currency CHAR(3) NOT NULL" in ddl
    assert "created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL" in ddl
    assert "FOREIGN KEY(project_id) REFERENCES projects (id)" in ddl
