"""Imported by the fork server (labs_local.forked), and only there: the libraries every child
imports, whose import reads no per-process setting (a child's environment is set after the fork).

Then the heap is frozen: a child's collections never visit these objects, so they never write
to the pages that hold them, which stay shared between all the children instead of being copied
into each one by its first full collection.
"""

import gc

import fastapi  # noqa: F401
import uvicorn  # noqa: F401
import uvloop  # noqa: F401

import labs_common.events.connection
import labs_common.service  # noqa: F401
from labs_common.heap import release_free_heap

gc.collect()
gc.freeze()
release_free_heap()
