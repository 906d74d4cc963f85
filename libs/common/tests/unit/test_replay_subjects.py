"""The replay's --subject filter matches as NATS does."""

from __future__ import annotations

import pytest

from labs_common.events.replay import matches


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("labs.time.v1.*.entry.created", "labs.time.v1.42.entry.created", True),
        ("labs.time.>", "labs.time.v1.42.entry.created", True),
        ("labs.time.>", "labs.time", False),
        ("labs.time.v1.*.entry.created", "labs.time.v1.42.entry.deleted", False),
        ("labs.time.v1.*", "labs.time.v1.42.entry.created", False),
        ("labs.*.v1.42.entry.created", "labs.time.v1.42.entry.created", True),
    ],
)
def test_subject_patterns(pattern, subject, expected):
    assert matches(pattern, subject) is expected
