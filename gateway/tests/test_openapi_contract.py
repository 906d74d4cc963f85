"""The OpenAPI says what the server enforces, in JSON Schema's own words (no I/O)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from labs_gateway.schemas.tasks import TaskCreate

# pydantic's constraint names, which JSON Schema does not know (it says minimum, maximum...).
NOT_JSON_SCHEMA = {"ge", "le", "gt", "lt"}


def keywords(node, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "properties":  # property names are not keywords
                found.add(key)
            keywords(value, found)
    elif isinstance(node, list):
        for item in node:
            keywords(item, found)
    return found


@pytest.fixture
def schema(client):
    return client._transport.app.openapi()


def test_bounds_are_written_as_json_schema_keywords(schema):
    assert keywords(schema["components"]["schemas"], set()) & NOT_JSON_SCHEMA == set()


def test_every_update_body_names_at_least_one_field(schema):
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method in ("patch", "put"):
            body = operations.get(method, {}).get("requestBody")
            if body and "application/json" in body["content"]:
                name = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
                assert components[name].get("minProperties") == 1, (method, path)


def test_a_body_that_is_not_json_is_a_documented_400(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                assert "400" in operation["responses"], (method, path)


def test_a_whole_number_written_with_a_zero_fraction_is_an_integer():
    assert TaskCreate.model_validate({"title": "x", "story_points": Decimal("8.0")}
                                     ).story_points == 8
    with pytest.raises(ValueError, match="story_points"):
        TaskCreate.model_validate({"title": "x", "story_points": Decimal("8.5")})


@pytest.mark.parametrize("amount", ["-1.774607365199876e+308", "1e400", "-1e-400000"])
def test_a_number_far_out_of_bounds_is_a_422_naming_it(amount):
    from labs_gateway.schemas.time import ExpenseUpdate

    with pytest.raises(ValueError, match="amount"):
        ExpenseUpdate.model_validate({"amount": Decimal(amount)})


def test_free_form_settings_take_json_numbers_as_the_body_parsed_them():
    from labs_common.errors import InvalidArgument
    from labs_gateway.schemas.proto_json import struct

    settings = struct({"rounding": {"minutes": Decimal("15")}, "ratio": Decimal("1.5")},
                      "settings")
    assert settings["ratio"] == 1.5 and settings["rounding"]["minutes"] == 15
    with pytest.raises(InvalidArgument, match="settings"):
        struct({"huge": Decimal("1e400")}, "settings")


def test_currency_codes_are_listed_and_checked_where_bodies_take_them(schema):
    from labs_gateway.schemas.capacity import ResourceCreate

    resource = schema["components"]["schemas"]["ResourceCreate"]["properties"]["currency"]
    listed = next(option for option in resource["anyOf"] if "enum" in option)["enum"]
    assert {"EUR", "USD", "JPY"} <= set(listed) and "XTS" not in listed
    body = {"name": "Mo", "seniority_level": "mid", "billing_rate": "100"}
    assert ResourceCreate.model_validate({**body, "currency": "eur"}).currency == "EUR"
    with pytest.raises(ValueError, match="ISO 4217"):
        ResourceCreate.model_validate({**body, "currency": "XYZ"})


def test_every_reference_resolves_in_the_document(schema):
    # A model's own JSON Schema refers to `#/$defs/...`, which an OpenAPI document resolves
    # against its root: the bulk import's JSON body did, and fuzzers skipped its entries.
    def refs(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)

    def resolves(ref: str) -> bool:
        node = schema
        for part in ref.removeprefix("#/").split("/"):
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return True

    broken = sorted({ref for ref in refs(schema) if not resolves(ref)})
    assert broken == []
