"""The cyclic garbage collector, set for a process holding thousands of sockets.

A full collection visits every object the collector tracks, and stops the process meanwhile: in
the gateway that is everything imported and built at start-up (protobuf descriptors, pydantic
models, routes: hundreds of thousands of objects that live as long as the process) plus every
open socket's objects. Measured before this (bench/ws_fanout.py), full collections of 65 ms with
1,000 sockets and up to 1.9 s with 5,000 landed on events. Two changes, once, when the app has
started and before it serves:

- `gc.freeze()` after one last collection: what start-up built moves to the permanent
  generation, which collections never visit. (Garbage among it is only found again after
  `gc.unfreeze()`; start-up's is collected just before.)
- A young generation of 50,000 objects instead of 700, older generations collected a tenth as
  often: one event offered to 5,000 sockets allocates a burst of short-lived objects (queue
  wake-ups, frames, tasks' steps) that otherwise outlives two young collections, gets promoted,
  and so brings on the full collections. A young collection of 50,000 objects takes a few ms.

`LABS_GATEWAY_GC_TUNING=0` (GatewaySettings.gateway_gc_tuning) leaves the collector as Python
sets it.
"""

from __future__ import annotations

import gc

from labs_common.heap import release_free_heap

THRESHOLDS = (50_000, 20, 100)
_tuned = False


def tune(enabled: bool = True) -> bool:
    """Freeze what exists and raise the thresholds, once per process; False when turned off
    (GatewaySettings.gateway_gc_tuning)."""
    global _tuned
    if not enabled:
        return False
    if not _tuned:
        _tuned = True
        gc.collect()
        gc.freeze()
        gc.set_threshold(*THRESHOLDS)
        release_free_heap()
    return True
