"""Every process connects to NATS the same way, with the credentials its deployment gives it."""

from __future__ import annotations

from labs_common.config import BaseLabsSettings
from labs_common.events.connection import connect_options

CREDS = """-----BEGIN NATS USER JWT-----
eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.c2ln
------END NATS USER JWT------

-----BEGIN USER NKEY SEED-----
SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4
------END USER NKEY SEED------
"""


def test_without_credentials_it_reconnects_forever_and_authenticates_with_nothing(monkeypatch):
    monkeypatch.delenv("LABS_NATS_CREDENTIALS_FILE", raising=False)
    options = connect_options(BaseLabsSettings(nats_url="nats://a:4222,nats://b:4222"), "x")
    assert options["servers"] == ["nats://a:4222", "nats://b:4222"]
    assert options["max_reconnect_attempts"] == -1
    assert not {"user_credentials", "nkeys_seed"} & options.keys()


def test_a_creds_file_is_passed_as_user_credentials(monkeypatch, tmp_path):
    creds = tmp_path / "time.creds"
    creds.write_text(CREDS)
    monkeypatch.setenv("LABS_NATS_CREDENTIALS_FILE", str(creds))
    options = connect_options(BaseLabsSettings(), "labs-time")
    assert options["user_credentials"] == str(creds)
    assert "nkeys_seed" not in options


def test_a_seed_file_is_passed_as_an_nkeys_seed(monkeypatch, tmp_path):
    seed = tmp_path / "time.nk"
    seed.write_text("SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4\n")
    monkeypatch.setenv("LABS_NATS_CREDENTIALS_FILE", str(seed))
    options = connect_options(BaseLabsSettings(), "labs-time")
    assert options["nkeys_seed"] == str(seed)
    assert "user_credentials" not in options
