"""A client-role reader of the activity feed never sees what the agency's hours cost."""

from __future__ import annotations

from labs_projects.service_layer.activity import without_internal_fields


def test_cost_fields_are_removed_at_any_depth_and_billing_fields_stay():
    entry = {"hours": 2.0, "billable_rate": "150.00", "cost_rate": "60.00",
             "entry": {"cost_rate": "60.00", "notes": "Design review"},
             "periods": [{"cost_rate": "55.00", "billing_rate": "140.00"}]}
    assert without_internal_fields(entry) == {
        "hours": 2.0, "billable_rate": "150.00", "entry": {"notes": "Design review"},
        "periods": [{"billing_rate": "140.00"}]}
