"""The SSRF guard on literal addresses (no DNS): what deliveries may reach."""

from __future__ import annotations

import ipaddress

import pytest

from labs_common.errors import InvalidArgument
from labs_integrations.adapters.targets import TargetGuard, is_public

REFUSED = [
    "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "100.127.255.254", "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255",
    "198.18.0.1", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1",
    "2002:7f00:1::", "64:ff9b::a00:1", "2001:db8::1",
]
ALLOWED = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8",
           "100.128.0.1"]


@pytest.mark.parametrize("address", REFUSED)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address):
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/h", "http://[::ffff:127.0.0.1]/h", "https://169.254.169.254/latest",
    "http://[::1]:9000/", "http://100.64.1.1/", "http://[fd00::1]/", "http://0.0.0.0/"])
async def test_the_guard_refuses_private_targets_naming_url(url):
    with pytest.raises(InvalidArgument) as refused:
        await TargetGuard().check(url)
    assert [e.field for e in refused.value.field_errors] == ["url"]


async def test_the_guard_lets_private_targets_through_when_the_deployment_allows_them():
    assert await TargetGuard(allow_private=True).check("http://127.0.0.1:8080/h") == [
        ipaddress.ip_address("127.0.0.1")]
    assert await TargetGuard().check("https://8.8.8.8/h") == [ipaddress.ip_address("8.8.8.8")]


async def test_a_name_is_resolved_and_each_of_its_addresses_checked():
    with pytest.raises(InvalidArgument):
        await TargetGuard().check("http://localhost:8080/h")
    addresses = await TargetGuard(allow_private=True).check("http://localhost:8080/h")
    assert addresses and all(a.is_loopback for a in addresses)


async def test_a_name_that_does_not_resolve_is_refused():
    with pytest.raises(InvalidArgument):
        await TargetGuard(allow_private=True).check("http://no-such-host.invalid/h")
