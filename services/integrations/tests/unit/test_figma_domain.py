"""Figma's webhooks as the domain reads them (domain/figma.py, no I/O): what a FILE_UPDATE and a
FILE_COMMENT say, a comment's fragments and mentions as text, the key a retried delivery
repeats, and a passcode found by its hash only."""

from __future__ import annotations

import pytest

from labs_common.errors import InvalidArgument
from labs_integrations.domain.figma import (
    FILE_COMMENT,
    FigmaEvent,
    comment_text,
    new_passcode,
    passcode_hash,
    passcode_of,
)

UPDATE = {"event_type": "FILE_UPDATE", "file_key": "aBc123XyZ789qwe", "file_name": "Website",
          "passcode": "pass-1", "protocol_version": "2", "retries": 0,
          "timestamp": "2026-05-21T12:34:56Z", "webhook_id": "22"}
COMMENT = {"event_type": "FILE_COMMENT", "file_key": "aBc123XyZ789qwe", "file_name": "Website",
           "comment": [{"text": "Looks good "}, {"mention": "7"}, {"text": ", ship it"}],
           "mentions": [{"id": "7", "handle": "ana"}], "comment_id": "901",
           "created_at": "2026-05-21T12:35:00Z", "passcode": "pass-1", "retries": 0,
           "timestamp": "2026-05-21T12:35:00Z", "triggered_by": {"id": "3", "handle": "dana"},
           "webhook_id": "23"}


def test_a_file_update_says_which_file_changed_when():
    event = FigmaEvent.of(UPDATE)
    assert (event.event_type, event.file_key, event.file_name, event.timestamp) == (
        "FILE_UPDATE", "aBc123XyZ789qwe", "Website", "2026-05-21T12:34:56Z")
    assert event.applied


def test_a_comment_is_its_text_with_mentions_by_handle_and_its_author():
    event = FigmaEvent.of(COMMENT)
    assert (event.event_type, event.comment_id, event.text, event.author) == (
        FILE_COMMENT, "901", "Looks good @ana, ship it", "dana")


def test_a_retried_delivery_has_the_same_key_and_another_comment_another():
    retried = {**UPDATE, "retries": 2}
    assert FigmaEvent.of(retried).delivery_key == FigmaEvent.of(UPDATE).delivery_key
    later = {**UPDATE, "timestamp": "2026-05-21T12:40:00Z"}
    assert FigmaEvent.of(later).delivery_key != FigmaEvent.of(UPDATE).delivery_key
    other = {**COMMENT, "comment_id": "902"}
    assert FigmaEvent.of(other).delivery_key != FigmaEvent.of(COMMENT).delivery_key
    assert "pass-1" not in FigmaEvent.of(COMMENT).delivery_key


def test_pings_and_events_labs_does_not_register_are_not_applied():
    assert not FigmaEvent.of({"event_type": "PING", "passcode": "p"}).applied
    assert not FigmaEvent.of({"event_type": "LIBRARY_PUBLISH", "passcode": "p"}).applied


@pytest.mark.parametrize(("payload", "field"), [
    ([1, 2], "payload"),
    ({"passcode": "p"}, "event_type"),
    ({**UPDATE, "file_key": ""}, "file_key"),
    ({**COMMENT, "comment_id": None}, "comment_id"),
])
def test_a_body_that_is_not_figmas_names_what_is_missing(payload, field):
    with pytest.raises(InvalidArgument) as refused:
        FigmaEvent.of(payload)
    assert [e.field for e in refused.value.field_errors] == [field]


def test_a_passcode_is_what_the_body_carries_and_is_found_by_its_hash():
    assert passcode_of(UPDATE) == "pass-1"
    assert passcode_of({**UPDATE, "passcode": ""}) is None
    assert passcode_of({**UPDATE, "passcode": 7}) is None
    assert passcode_of("text") is None
    one, two = new_passcode(), new_passcode()
    assert one != two and len(one) >= 40
    assert passcode_hash(one) == passcode_hash(one) != passcode_hash(two)


def test_comment_text_is_bounded_and_tolerates_odd_fragments():
    assert comment_text([{"text": "x" * 3000}]) == "x" * 2000
    assert comment_text([{"mention": "9"}, "junk", {"other": 1}], None) == "@someone"
    assert comment_text("not a list") == ""
