"""LABS_* variables the runner reads, and where its data goes by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs_local.settings import LocalSettings, repo_root
from labs_local.suite import Suite

OWN = ("LABS_DATA_DIR", "LABS_DATABASE_URL", "LABS_NATS_URL", "LABS_NATS_PORT", "LABS_PORT_BASE",
       "LABS_GATEWAY_HOST", "LABS_GATEWAY_PORT", "LABS_LOG_FORMAT", "LABS_ENV")


@pytest.fixture
def clean_env(monkeypatch):
    for name in OWN:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults(clean_env):
    settings = LocalSettings()
    assert settings.data_dir == repo_root() / ".data"
    assert (repo_root() / "pyproject.toml").is_file()
    assert (repo_root() / "deploy" / "local").is_dir()
    assert settings.port_base == 50050
    assert settings.effective_nats_port == 50070
    assert (settings.gateway_host, settings.gateway_port) == ("127.0.0.1", 8000)
    assert (settings.log_format, settings.env) == ("console", "development")
    assert settings.database_url == settings.nats_url == ""


def test_one_port_base_moves_the_whole_suite(clean_env, tmp_path):
    clean_env.setenv("LABS_PORT_BASE", "53000")
    clean_env.setenv("LABS_GATEWAY_PORT", "8790")
    clean_env.setenv("LABS_DATA_DIR", str(tmp_path))
    suite = Suite.from_settings(LocalSettings())
    assert suite.nats_port == 53020
    assert suite.address_of("identity") == "127.0.0.1:53001"
    assert suite.address_of("integrations") == "127.0.0.1:53007"
    assert suite.gateway_url == "http://127.0.0.1:8790"
    assert suite.urls.websocket == "ws://127.0.0.1:8790/api/v1/ws"
    assert suite.data_dir == Path(tmp_path)
    assert suite.database_url is None and suite.nats_url is None  # embedded ones


def test_given_servers_are_used_as_they_are(clean_env):
    clean_env.setenv("LABS_DATABASE_URL", "postgresql://u@db:5432/postgres")
    clean_env.setenv("LABS_NATS_URL", "nats://nats:4222")
    suite = Suite.from_settings(LocalSettings())
    assert suite.database_url == "postgresql://u@db:5432/postgres"
    assert suite.nats_url == "nats://nats:4222"


def test_a_wildcard_gateway_host_is_reached_through_loopback():
    suite = Suite(gateway_host="0.0.0.0", gateway_port=9000)
    assert suite.urls.docs == "http://127.0.0.1:9000/api/v1/docs"
    assert suite.urls.health == "http://127.0.0.1:9000/api/v1/health"


def test_unknown_services_are_refused():
    with pytest.raises(ValueError, match="unknown services: nope"):
        Suite(services=["time", "nope"])
