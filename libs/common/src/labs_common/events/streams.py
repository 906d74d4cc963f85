"""JetStream streams: one per service capturing labs.<service>.>, plus the dead-letter stream."""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

DEAD_LETTER_STREAM = "LABS_DEAD_LETTER"
DEAD_LETTER_PREFIX = "labs.dead_letter"
# Long enough that a relay restarted after a crash republishes inside it and is deduplicated.
DUPLICATE_WINDOW_SECONDS = 15 * 60
# How long a stream keeps a message (consumers' inboxes remember event ids longer than this).
MAX_AGE_SECONDS = 30 * 24 * 3600
# Disk a stream may take before its oldest messages are discarded; the settings (ServiceSettings
# stream_max_bytes / dead_letter_max_bytes) say the deployed sizes.
STREAM_MAX_BYTES = 512 * 1024**2
DEAD_LETTER_MAX_BYTES = 128 * 1024**2


def stream_name(service: str) -> str:
    return f"LABS_{service.upper()}"


async def ensure_stream(
    js: JetStreamContext,
    service: str,
    replicas: int = 1,
    max_bytes: int = STREAM_MAX_BYTES,
    dead_letter_max_bytes: int = DEAD_LETTER_MAX_BYTES,
) -> None:
    await _ensure(
        js,
        StreamConfig(
            name=stream_name(service),
            subjects=[f"labs.{service}.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            max_age=MAX_AGE_SECONDS,
            max_bytes=max_bytes,
            discard=DiscardPolicy.OLD,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            num_replicas=replicas,
        ),
    )
    await _ensure(
        js,
        StreamConfig(
            name=DEAD_LETTER_STREAM,
            subjects=["labs.dead_letter.>"],
            storage=StorageType.FILE,
            max_age=MAX_AGE_SECONDS,
            max_bytes=dead_letter_max_bytes,
            discard=DiscardPolicy.OLD,
            num_replicas=replicas,
        ),
    )


async def _ensure(js: JetStreamContext, config: StreamConfig) -> None:
    try:
        await js.stream_info(config.name)
    except NotFoundError:
        try:
            await js.add_stream(config)
            return
        except Exception:
            # Another process created it between our two calls; fall through to update.
            pass
    await js.update_stream(config)
