"""A supervised child: streamed output, restart with backoff, SIGTERM then SIGKILL on stop."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import sys
import time
import uuid

import pytest

from labs_local.processes import ChildSpec, RestartPolicy, SupervisedChild
from labs_local.supervisor import Supervisor


def python(code: str) -> tuple[str, ...]:
    """A throwaway child: this interpreter running `code`."""
    return (sys.executable, "-c", code)


# Prints "ready" once its SIGTERM handler is in place, so a test never signals it too early.
GRACEFUL = """
import signal, sys, time
def stop(*_):
    print("got SIGTERM", flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print("ready", flush=True)
time.sleep(60)
"""
STUBBORN = """
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(60)
"""


@pytest.fixture(params=["exec", "fork"])
def child(request, captured_output, tmp_path, monkeypatch):
    """`supervised, buffer = child(argv, policy)`: an unstarted SupervisedChild named worker,
    run both ways: exec'd, and (a `python -c` child) as a module forked from the fork server."""
    fork = request.param == "fork"
    if fork:
        monkeypatch.syspath_prepend(str(tmp_path))  # the fork server's children import from it

    def make(argv, policy=None, name="worker", env=None):
        output, buffer = captured_output()
        spec = ChildSpec(name, argv, {**os.environ, **(env or {})})
        if fork and argv[1:2] == ("-c",):
            module = f"labs_test_child_{uuid.uuid4().hex}"
            (tmp_path / f"{module}.py").write_text(argv[2])
            spec = dataclasses.replace(spec, module=module)
        return SupervisedChild(spec, output, policy or RestartPolicy(), fork=fork), buffer
    return make


async def test_output_lines_carry_the_child_name(child, eventually):
    supervised, buffer = child(python("print('hello [not markup]'); import time; time.sleep(60)"))
    supervised.start()
    try:
        await eventually(lambda: "hello" in buffer.getvalue(), what="child output")
        assert "worker │ hello [not markup]" in buffer.getvalue()
    finally:
        await supervised.stop(kill_after=5)


async def test_a_crash_is_reported_and_restarted_with_doubling_backoff(child, eventually):
    policy = RestartPolicy(initial_delay=0.05, max_delay=0.2, reset_after=60)
    supervised, buffer = child(python("print('boom'); raise SystemExit(3)"), policy)
    supervised.start()
    try:
        await eventually(lambda: len(supervised.crashes) >= 4, what="four crashes")
    finally:
        await supervised.stop(kill_after=5)
    crashes = supervised.crashes[:4]
    assert [c.code for c in crashes] == [3, 3, 3, 3]
    assert [c.restart_delay for c in crashes] == [0.05, 0.1, 0.2, 0.2]
    assert supervised.starts >= 4
    assert "exited with code 3" in buffer.getvalue()
    assert "restarting in 0.05 s" in buffer.getvalue()


async def test_backoff_starts_over_after_a_long_enough_run(child, eventually):
    policy = RestartPolicy(initial_delay=0.05, max_delay=5, reset_after=0.2)
    supervised, _ = child(python("import time; time.sleep(0.3); raise SystemExit(1)"), policy)
    supervised.start()
    try:
        await eventually(lambda: len(supervised.crashes) >= 3, what="three crashes")
    finally:
        await supervised.stop(kill_after=5)
    assert all(c.ran_for >= 0.2 for c in supervised.crashes)
    assert {c.restart_delay for c in supervised.crashes} == {0.05}


async def test_a_command_that_cannot_start_is_retried(child, eventually):
    policy = RestartPolicy(initial_delay=0.05, max_delay=0.05)
    supervised, buffer = child(("/nonexistent/labs-binary",), policy)
    supervised.start()
    try:
        await eventually(lambda: len(supervised.crashes) >= 2, what="two failed starts")
    finally:
        await supervised.stop(kill_after=5)
    assert supervised.crashes[0].code is None
    assert "could not start /nonexistent/labs-binary" in buffer.getvalue()


async def test_stop_sends_sigterm_and_waits_for_a_clean_exit(child, eventually):
    supervised, buffer = child(python(GRACEFUL))
    supervised.start()
    await eventually(lambda: "ready" in buffer.getvalue(), what="child ready")
    started = time.monotonic()
    await supervised.stop(kill_after=5)
    assert time.monotonic() - started < 2
    assert supervised.last_exit_code == 0
    assert "got SIGTERM" in buffer.getvalue()
    assert supervised.crashes == []  # an exit we asked for is not a crash, and not restarted
    assert supervised.starts == 1


async def test_stop_kills_a_child_that_ignores_sigterm_after_the_deadline(child, eventually):
    supervised, buffer = child(python(STUBBORN))
    supervised.start()
    await eventually(lambda: "ready" in buffer.getvalue(), what="child ready")
    started = time.monotonic()
    await supervised.stop(kill_after=0.5)
    assert 0.5 <= time.monotonic() - started < 3
    assert supervised.last_exit_code == -signal.SIGKILL
    assert "killing" in buffer.getvalue()


async def test_stop_during_a_restart_delay_returns_at_once(child, eventually):
    policy = RestartPolicy(initial_delay=30, max_delay=30)
    supervised, _ = child(python("raise SystemExit(2)"), policy)
    supervised.start()
    await eventually(lambda: len(supervised.crashes) == 1, what="first crash")
    started = time.monotonic()
    await supervised.stop(kill_after=5)
    assert time.monotonic() - started < 1
    assert supervised.starts == 1


async def test_supervisor_stops_all_children_in_parallel(captured_output, eventually):
    output, buffer = captured_output()
    supervisor = Supervisor(output)
    children = [supervisor.start(ChildSpec(f"stubborn{i}", python(STUBBORN), dict(os.environ)))
                for i in range(3)]
    await eventually(lambda: buffer.getvalue().count("ready") == 3, what="children ready")
    started = time.monotonic()
    await supervisor.stop(kill_after=0.5)
    # Three stragglers cost one deadline, not three.
    assert time.monotonic() - started < 3
    assert all(not c.running and c.finished for c in children)


async def test_children_lead_their_own_process_group(child, eventually):
    # So a terminal's Ctrl-C reaches only the runner, which then stops children in order.
    supervised, buffer = child(python("import os; print('pgid', os.getpgid(0) == os.getpid(), "
                                      "flush=True); import time; time.sleep(60)"))
    supervised.start()
    try:
        await eventually(lambda: "pgid" in buffer.getvalue(), what="child output")
        assert "pgid True" in buffer.getvalue()
    finally:
        await supervised.stop(kill_after=5)


async def test_a_forked_child_has_the_libraries_imported_and_its_own_environment(
        child, eventually):
    supervised, buffer = child(python(
        "import os, sys; print('preloaded', 'labs_common.service' in sys.modules, "
        "os.environ.get('LABS_CHILD_ONLY'), sys.argv[1:], flush=True); "
        "import time; time.sleep(60)"), env={"LABS_CHILD_ONLY": "mine"})
    supervised.start()
    try:
        await eventually(lambda: "preloaded" in buffer.getvalue(), what="child output")
    finally:
        await supervised.stop(kill_after=5)
    # Forked, the fork server's imports are there already; exec'd, nothing is. Either way the
    # child reads its own environment and no argument the runner had.
    assert f"preloaded {supervised.fork} mine []" in buffer.getvalue()


# A runner of one child that prints the child's pid, and again each time it is started anew,
# until it is killed itself.
RUNNER = """
import asyncio, os, sys
from rich.console import Console
from labs_local.output import Output
from labs_local.processes import ChildSpec, RestartPolicy, SupervisedChild

async def main(module, restart_delay):
    spec = ChildSpec("sleeper", (sys.executable, "-c", SLEEPER), dict(os.environ),
                     module=module or None)
    child = SupervisedChild(spec, Output(Console(stderr=True)), RestartPolicy(restart_delay),
                            fork=bool(module))
    child.start()
    seen = None
    while True:  # until killed: each new pid of the child, as it is (re)started
        if child.running and child.pid != seen:
            seen = child.pid
            print(seen, flush=True)
        await asyncio.sleep(0.02)

SLEEPER = "import time; time.sleep(120)"
sys.path.insert(0, sys.argv[1])
asyncio.run(main(sys.argv[2], float(sys.argv[3])))
"""


@contextlib.asynccontextmanager
async def runner_of_one(tmp_path, fork: bool, restart_delay: float):
    """The RUNNER in a process of its own; yields `next_pid()`, the child's pid each time it is
    (re)started. The runner is SIGKILLed on the way out."""
    module = ""
    if fork:
        module = f"labs_test_sleeper_{uuid.uuid4().hex}"
        (tmp_path / f"{module}.py").write_text("import time\ntime.sleep(120)\n")
    runner = await asyncio.create_subprocess_exec(
        sys.executable, "-c", RUNNER, str(tmp_path), module, str(restart_delay),
        stdout=asyncio.subprocess.PIPE)

    async def next_pid() -> int:
        return int(await asyncio.wait_for(runner.stdout.readline(), 60))

    try:
        yield next_pid
    finally:
        runner.kill()
        await runner.wait()


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields after the command: state, parent pid, ..."""
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()


def _alive(pid: int) -> bool:
    """Running, not merely a zombie nobody has reaped (a container's init may never)."""
    try:
        return _stat(pid)[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("fork", [False, True], ids=["exec", "fork"])
async def test_a_child_goes_when_its_runner_is_killed(fork, tmp_path, eventually):
    # SIGKILL (or the OOM killer) gives the runner no chance to stop anything: the child must
    # not live on holding its port, whether exec'd or forked from the fork server.
    async with runner_of_one(tmp_path, fork, restart_delay=60) as next_pid:
        pid = await next_pid()
        assert _alive(pid)
    await eventually(lambda: not _alive(pid), what="the child gone")


def _parent_of(pid: int) -> int:
    return int(_stat(pid)[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_a_forked_child_whose_fork_server_dies_is_killed_and_started_again(
        tmp_path, eventually):
    # In a runner of its own: the fork server is one per process, and this one dies.
    async with runner_of_one(tmp_path, fork=True, restart_delay=0.05) as next_pid:
        first = await next_pid()
        # The OOM killer's choice, say: the child lives on, but nobody can report its exit.
        os.kill(_parent_of(first), signal.SIGKILL)
        second = await next_pid()
        assert second != first
        await eventually(lambda: not _alive(first), what="the orphaned child gone")
        assert _alive(second)
