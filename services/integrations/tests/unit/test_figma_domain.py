"""Figma's webhooks as the domain reads them (domain/figma.py, no I/O): what a FILE_UPDATE and a
FILE_COMMENT say, a comment's fragments and mentions as text, the key a retried delivery
repeats, a passcode found by its hash only; and the team a connection's webhooks are for, its
settings' `team_id` (digits only, checked field by field) over the token's `account_id`."""

from __future__ import annotations

import pytest

from labs_common.errors import InvalidArgument
from labs_integrations.domain.connections import Platform, check_settings
from labs_integrations.domain.figma import (
    FILE_COMMENT,
    MAX_TEAM_ID,
    FigmaEvent,
    comment_text,
    new_passcode,
    passcode_hash,
    passcode_of,
    team_of,
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


# --- which team ---------------------------------------------------------------------------------

def test_a_team_id_setting_is_kept_as_its_digits_and_null_clears_it():
    assert check_settings(Platform.FIGMA, {"team_id": " 1234567890123456789 "}, 10) == {
        "team_id": "1234567890123456789"}
    assert check_settings(Platform.FIGMA, {"team_id": "7" * MAX_TEAM_ID}, 10) == {
        "team_id": "7" * MAX_TEAM_ID}
    assert check_settings(Platform.FIGMA, {"team_id": None}, 10) == {"team_id": None}
    assert check_settings(Platform.FIGMA, {}, 10) == {}


@pytest.mark.parametrize("team", [
    "team-123", "", " ", "12 34", "-1", "1.5", "\uff11\uff12",  # fullwidth digits: not ASCII
    "7" * (MAX_TEAM_ID + 1),
    1234, 12.0, True, ["123"], {"id": "123"},  # a JSON number would lose a long id's digits
])
def test_a_team_id_that_is_no_figma_team_is_named_in_the_422(team):
    with pytest.raises(InvalidArgument) as refused:
        check_settings(Platform.FIGMA, {"team_id": team}, 10)
    assert [e.field for e in refused.value.field_errors] == ["settings.team_id"]


def test_every_wrong_figma_setting_is_named_at_once():
    with pytest.raises(InvalidArgument) as refused:
        check_settings(Platform.FIGMA, {"team": "123", "default_channel": "C1",
                                        "team_id": "x"}, 10)
    assert sorted(e.field for e in refused.value.field_errors) == [
        "settings.default_channel", "settings.team", "settings.team_id"]


@pytest.mark.parametrize(("secret", "settings", "team"), [
    ({"account_id": "100"}, {}, "100"),                       # named on connecting
    ({"account_id": " 100 "}, {}, "100"),
    ({"account_id": "100"}, {"team_id": "200"}, "200"),       # the settings' wins
    ({"kind": "oauth"}, {"team_id": "200"}, "200"),           # OAuth: the settings alone
    ({"account_id": "100"}, {"team_id": None}, None),         # null: none, even over the token
    ({"kind": "oauth"}, {}, None),
    ({"account_id": ""}, {}, None),
])
def test_the_settings_team_wins_over_the_one_named_on_connecting(secret, settings, team):
    assert team_of(secret, settings) == team
