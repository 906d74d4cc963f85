"""Children forked from one interpreter that has already imported what they all import.

Every service and the gateway spend most of their start importing the same libraries
(SQLAlchemy, grpc, pydantic, nats, structlog, protobuf and labs_common over them): about 4 s of
CPU each, eight times over on two cores. A multiprocessing fork server imports them once, while
the engines start, and forks each child from there; a child then imports only its own package.
Pages the fork server loaded stay shared between all of them until written.

A forked child is run as `python -m <module>` would run it: its own session, its own environment,
its output into the pipe the runner reads, SIGTERM when the runner dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import runpy
import select
import signal
import sys
import threading
from collections.abc import Mapping
from multiprocessing import reduction

# Imported once by the fork server: the shared libraries, then the heap frozen.
PRELOAD = ("labs_local.fork_preload",)
# An exit the fork server could not report (it was killed itself): multiprocessing's own value.
_UNREPORTED = 255

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(list(PRELOAD))


def warm() -> None:
    """Starts the fork server now, so its imports overlap whatever the runner does next; the
    first child forked waits for them."""
    multiprocessing.forkserver.ensure_running()


class _Passed:
    """A descriptor of the runner, handed to the child with the launch (SCM_RIGHTS); it
    unpickles in the child as the child's own descriptor number."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __reduce__(self):
        return _received, (reduction.DupFd(self.fd),)


def _received(duplicate) -> int:
    return duplicate.detach()


def _run(module: str, env: Mapping[str, str], cwd: str | None, output: int,
         runner: int) -> None:
    """In the child: become what `python -m module` with `env` would be, then run it."""
    os.setsid()
    _die_with(runner)
    for stream in (1, 2):
        os.dup2(output, stream)
    os.close(output)
    # PYTHONUNBUFFERED is read at interpreter start, which this child never had.
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(line_buffering=True, write_through=True)
    os.environ.clear()
    os.environ.update(env)
    if cwd is not None:
        os.chdir(cwd)
    sys.argv = [module]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


def _die_with(runner: int) -> None:
    """SIGTERM when the runner goes, however it goes (SIGKILL, OOM), as an exec'd child gets it
    from PR_SET_PDEATHSIG. That cannot serve here: the parent is the fork server, which by
    design outlives the runner for as long as one of its children lives."""
    if not hasattr(os, "pidfd_open"):  # Linux only
        return
    try:
        watched = os.pidfd_open(runner)
    except ProcessLookupError:
        os.kill(os.getpid(), signal.SIGTERM)
        return

    def watch() -> None:
        select.select([watched], [], [])  # readable once the runner has exited
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="runner-watch", daemon=True).start()


class ForkedProcess:
    """What the supervisor needs of a child, as asyncio's Process offers it: pid, returncode,
    send_signal, wait, and its output as a stream."""

    def __init__(self, process: multiprocessing.process.BaseProcess,
                 stdout: asyncio.StreamReader) -> None:
        self._process = process
        self.pid: int = process.pid
        self.stdout = stdout
        self.returncode: int | None = None

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, signum)

    async def wait(self) -> int:
        if self.returncode is not None:
            return self.returncode
        loop = asyncio.get_running_loop()
        exited = loop.create_future()
        sentinel = self._process.sentinel
        # The fork server writes the exit status into the sentinel when it reaps the child.
        loop.add_reader(sentinel, lambda: exited.done() or exited.set_result(None))
        try:
            await exited
        finally:
            loop.remove_reader(sentinel)
        code = self._process.exitcode
        self.returncode = _UNREPORTED if code is None else code
        if self.returncode == _UNREPORTED and _running(self.pid):
            # The fork server died (the OOM killer, say), not the child, which it can no
            # longer report: killed now, or its restart would find the child's port taken and
            # the suite's stop could no longer reach it. Its group, and the child itself: one
            # still unpickling its launch has not yet made the group its own (os.setsid in
            # _run), and killpg alone found no such group and left it running.
            for kill in (os.killpg, os.kill):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    kill(self.pid, signal.SIGKILL)
        self._process.close()
        return self.returncode


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def start(module: str, env: Mapping[str, str], cwd: str | None, name: str,
                line_limit: int) -> ForkedProcess:
    """Forks `module` from the fork server (starting it if need be), its output piped here."""
    read_end, write_end = os.pipe()
    try:
        process = _context.Process(
            target=_run, name=name,
            args=(module, dict(env), cwd, _Passed(write_end), os.getpid()))
        # Blocking (a socket round trip, and the fork server's imports on the first one).
        await asyncio.to_thread(process.start)
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=line_limit, loop=loop)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader, loop=loop),
                                 os.fdopen(read_end, "rb", buffering=0))
    return ForkedProcess(process, reader)
