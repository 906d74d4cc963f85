"""Frames written straight to idle sockets (ws/frames.py): what websockets itself parses as the
text sent, and a socket that is not idle taking its frames in order through its queue."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from labs_common.auth.principal import Principal
from labs_common.auth.roles import Role
from labs_gateway.ws.connection import Connection
from labs_gateway.ws.frames import DirectWriter, text_frame


def parsed(frame: bytes) -> Frame:
    reader = StreamReader()
    reader.feed_data(frame)
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=False)
    with pytest.raises(StopIteration) as done:
        next(parser)
    return done.value.value


# Payload lengths at each edge of the three length encodings (7 bits, 16 bits, 64 bits).
@pytest.mark.parametrize("text", ["", "x", "x" * 125, "x" * 126, "x" * 65_535, "x" * 65_536,
                                  "Grüße, Łódź ✓ " * 20_000])
def test_a_frame_is_what_a_client_reads_as_the_text_at_every_length_encoding(text):
    frame = parsed(text_frame(text))
    assert (frame.opcode, frame.fin, frame.rsv1) == (Opcode.TEXT, True, False)
    assert frame.data.decode() == text


class Recorder:
    """A socket's two ways out: frames written directly, texts sent through Starlette."""

    def __init__(self) -> None:
        self.open = True
        self.out: list[str] = []

    def write(self, frame: bytes) -> bool:
        if self.open:
            self.out.append(parsed(frame).data.decode())
        return self.open

    async def send_text(self, text: str) -> None:
        self.out.append(text)


def connection(recorder: Recorder) -> Connection:
    principal = Principal(user_id=uuid.uuid4(), org_id=uuid.uuid4(), role=Role.MEMBER, token="t")
    made = Connection(recorder, principal, queue_size=8)
    made._direct = recorder  # what DirectWriter.of gives for uvicorn's protocol
    return made


async def test_an_idle_socket_gets_the_frame_at_once_and_a_busy_one_keeps_the_order():
    recorder = Recorder()
    socket = connection(recorder)
    socket.offer("one", text_frame("one"))
    assert recorder.out == ["one"]  # no writer task needed
    recorder.open = False  # the transport pauses (the client reads slowly)
    socket.offer("two")
    recorder.open = True
    socket.offer("three")  # "two" is still queued: "three" goes behind it, not ahead
    assert recorder.out == ["one"]
    pump = asyncio.create_task(socket.pump())
    for _ in range(5):
        await asyncio.sleep(0)
    pump.cancel()
    assert recorder.out == ["one", "two", "three"]


def test_only_uvicorns_sans_io_protocol_is_written_to_directly():
    assert DirectWriter.of(Recorder()) is None
    assert DirectWriter.of(object()) is None
