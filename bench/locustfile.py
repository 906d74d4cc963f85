"""Locust user for bench/write_latency.py: POSTs a time entry with unique notes at a constant rate.

Run by write_latency.py as its own `python -m locust` process (locust monkey-patches the standard
library with gevent, which must not happen inside the bench process). Configured by environment:
BENCH_PATH, BENCH_TOKEN, BENCH_DATE (every entry's date_worked), BENCH_RATE (offered requests
per second, all users together), BENCH_PER_USER_RATE (per user) and BENCH_SAMPLES (a file to
write every request's exact latency to: locust's own percentiles are rounded to whole
milliseconds and coarser buckets, too coarse for a baseline that answers in one or two).
"""

from __future__ import annotations

import itertools
import json
import os
import time
import uuid

import gevent
from locust import FastHttpUser, events, task

PATH = os.environ["BENCH_PATH"]
DATE_WORKED = os.environ["BENCH_DATE"]
TOKEN = os.environ.get("BENCH_TOKEN", "")
SAMPLES = os.environ.get("BENCH_SAMPLES", "")
PER_USER_RATE = float(os.environ.get("BENCH_PER_USER_RATE", "1"))
TOTAL_RATE = float(os.environ.get("BENCH_RATE", "20"))
_samples: list[dict] = []
_user_index = itertools.count()
_schedule_origin: list[float] = []


class Writer(FastHttpUser):
    """Fires on a fixed schedule: user i at origin + i / BENCH_RATE + k / BENCH_PER_USER_RATE.

    That is locust's constant_throughput on an absolute clock. constant_throughput itself paces
    each user from the moment locust created it, so users spawned together stay in phase and fire
    together: a burst of all users once a second instead of a steady rate (measured here: the
    bare app's 2-3 ms answers became 10-40 ms). A late answer does not push a user's schedule
    back: its next request goes at once, so the offered rate holds and a slow server shows as
    latency, not as a lower rate (each user has one request in flight, so this holds while
    answers take under 1 / BENCH_PER_USER_RATE seconds; the achieved rate is reported).
    """

    def on_start(self) -> None:
        if not _schedule_origin:
            _schedule_origin.append(time.monotonic())
        self._next_slot = _schedule_origin[0] + next(_user_index) / TOTAL_RATE
        gevent.sleep(max(0.0, self._next_slot - time.monotonic()))

    def wait_time(self) -> float:
        self._next_slot += 1 / PER_USER_RATE
        return max(0.0, self._next_slot - time.monotonic())

    @task
    def write(self) -> None:
        self.client.post(
            PATH,
            json={"hours": 1.5, "date_worked": DATE_WORKED,
                  "notes": f"bench write {uuid.uuid4().hex}"},
            headers={"Authorization": f"Bearer {TOKEN}"} if TOKEN else {},
            name="write",
        )


@events.request.add_listener
def _record(response_time, exception, start_time=None, response=None, **_kwargs) -> None:
    status = getattr(response, "status_code", None)
    _samples.append({"ms": response_time, "start": start_time, "status": status,
                     "error": repr(exception) if exception else None})


@events.quitting.add_listener
def _save(**_kwargs) -> None:
    if SAMPLES:
        with open(SAMPLES, "w", encoding="utf-8") as out:
            json.dump(_samples, out)
