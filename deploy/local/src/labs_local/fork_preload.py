"""Imported by the fork server (labs_local.forked), and only there: the libraries every child
imports (the platform's gRPC, database and NATS parts), whose import reads no per-process setting
(a child's environment is set after the fork). Not what one child alone imports (the gateway's
FastAPI, uvicorn and uvloop): a forked child maps all of its parent's pages, so those ~9 MiB were
counted again in each of seven services that never use them.

Then the heap is frozen: a child's collections never visit these objects, so they never write
to the pages that hold them, which stay shared between all the children instead of being copied
into each one by its first full collection.
"""

import gc

import labs_common.events.connection
import labs_common.service  # noqa: F401
from labs_common.heap import release_free_heap

gc.collect()
gc.freeze()
release_free_heap()
