"""An SMTP sink for tests (aiosmtpd, in a thread of the test process): it keeps every message it
accepts, can refuse mail for a while (an SMTP outage), and tests wait for a message with a
deadline instead of sleeping."""

from __future__ import annotations

import asyncio
import email
import email.policy
import time
from collections.abc import Callable
from email.message import EmailMessage

from labs_common.testing.infrastructure import free_port


class MailSink:
    def __init__(self) -> None:
        from aiosmtpd.controller import Controller  # a dev dependency, imported when used

        self.messages: list[EmailMessage] = []
        self.refused = 0
        # While True, every recipient gets a temporary failure (451): senders must retry.
        self.refusing = False
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    # aiosmtpd handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing:
            self.refused += 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    async def wait_for(self, predicate: Callable[[EmailMessage], bool],
                       timeout: float = 15.0) -> EmailMessage:
        """The first message matching `predicate`, or AssertionError at the deadline."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in list(self.messages):
                if predicate(message):
                    return message
            await asyncio.sleep(0.05)
        raise AssertionError("no matching mail before the deadline")

    async def wait_for_mail_to(self, address: str, timeout: float = 15.0) -> EmailMessage:
        return await self.wait_for(lambda m: address.lower() in str(m["To"]).lower(), timeout)
