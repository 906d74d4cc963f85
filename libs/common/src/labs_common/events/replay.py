"""Dead letters back to where they came from: each message a consumer parked (labs.dead_letter.
<durable>) is published again to its original subject, then removed from the dead-letter stream.

Safe to run at any time and more than once: every consumer of that subject gets the event again,
and those that applied it already find its id in their inbox and do nothing. Run it once what made
the consumer refuse the events is fixed (a bug, a missing record); what still fails is parked
again. Notices of outbox rows that could never be published (labs.dead_letter.outbox.<service>)
are listed, not replayed: their rows stay in the service's outbox table.

    python -m labs_common.events.replay [--service time] [--consumer DURABLE] [--subject PATTERN]
                                        [--dry-run]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from google.protobuf.message import DecodeError
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from labs.events.v1 import envelope_pb2
from labs_common.config import BaseLabsSettings
from labs_common.events.connection import connect
from labs_common.events.consumer import ORIGINAL_SUBJECT
from labs_common.events.outbox import subject_for
from labs_common.events.streams import DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM

OUTBOX_NOTICES = f"{DEAD_LETTER_PREFIX}.outbox."


@dataclass
class Replayed:
    """What a run did, one line per dead letter: (sequence, consumer, subject, action)."""

    lines: list[tuple[int, str, str, str]] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for line in self.lines if line[3] == action)


def matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: `*` is one token, a final `>` one or more."""
    wanted, tokens = pattern.split("."), subject.split(".")
    for index, token in enumerate(wanted):
        if token == ">":
            return len(tokens) > index
        if index >= len(tokens) or token not in ("*", tokens[index]):
            return False
    return len(tokens) == len(wanted)


def original_subject(message) -> str | None:
    """Where the parked message was published: its header, or (for one parked before the header
    existed) worked out from its envelope."""
    if subject := (message.headers or {}).get(ORIGINAL_SUBJECT):
        return subject
    try:
        envelope = envelope_pb2.Envelope.FromString(message.data or b"")
    except DecodeError:
        return None
    if not (envelope.source and envelope.type):
        return None
    return subject_for(envelope.source, envelope.org_id or None, envelope.type)


async def replay(
    js: JetStreamContext,
    *,
    service: str | None = None,
    consumer: str | None = None,
    subject: str | None = None,
    dry_run: bool = False,
) -> Replayed:
    """Replay the dead letters of `service`'s consumers (or of the durable `consumer`; all when
    neither), only those first published on a subject matching `subject` when given."""
    done = Replayed()
    try:
        info = await js.stream_info(DEAD_LETTER_STREAM)
    except NotFoundError:
        return done
    for sequence in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            message = await js.get_msg(DEAD_LETTER_STREAM, sequence)
        except NotFoundError:
            continue  # replayed or expired already
        if message.subject.startswith(OUTBOX_NOTICES):
            owner = message.subject.removeprefix(OUTBOX_NOTICES)
            if service in (None, owner) and consumer is None:
                done.lines.append((sequence, f"outbox of {owner}",
                                   (message.headers or {}).get(ORIGINAL_SUBJECT, "?"),
                                   "parked row, not replayable"))
            continue
        durable = message.subject.removeprefix(f"{DEAD_LETTER_PREFIX}.")
        if service is not None and not durable.startswith(f"{service}-on-"):
            continue
        if consumer is not None and durable != consumer:
            continue
        target = original_subject(message)
        if target is None:
            done.lines.append((sequence, durable, "?", "skipped: original subject unknown"))
            continue
        if subject is not None and not matches(subject, target):
            continue
        if dry_run:
            done.lines.append((sequence, durable, target, "would replay"))
            continue
        # Its own message id: the original's may still be inside the duplicate window, and a
        # second run after a crash between these two steps publishes nothing new.
        await js.publish(target, message.data or b"",
                         headers={"Nats-Msg-Id": f"replay:{DEAD_LETTER_STREAM}:{sequence}"})
        await js.delete_msg(DEAD_LETTER_STREAM, sequence)
        done.lines.append((sequence, durable, target, "replayed"))
    return done


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m labs_common.events.replay",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--service", help="only the dead letters of this service's consumers")
    parser.add_argument("--consumer", help="only those of this durable consumer")
    parser.add_argument("--subject", help="only those first published on a matching subject")
    parser.add_argument("--dry-run", action="store_true", help="list, replay nothing")
    return parser


async def _main(arguments: argparse.Namespace) -> Replayed:
    settings = BaseLabsSettings()
    connection = await asyncio.wait_for(connect(settings, "labs-replay"), timeout=15)
    try:
        return await replay(
            connection.jetstream(),
            service=arguments.service,
            consumer=arguments.consumer,
            subject=arguments.subject,
            dry_run=arguments.dry_run,
        )
    finally:
        await connection.drain()


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    done = asyncio.run(_main(arguments))
    for sequence, durable, target, action in done.lines:
        print(f"{sequence:>8}  {durable:<48}  {target:<60}  {action}")
    print(f"{done.count('replayed')} replayed, {len(done.lines)} dead letters seen")
    return 0


if __name__ == "__main__":
    sys.exit(main())
