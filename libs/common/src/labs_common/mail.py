"""Sending email over SMTP (LABS_SMTP_URL: `smtp://[user:password@]host[:port][?starttls=true]`,
or `smtps://` for TLS from the first byte).

The mailer is only ever called by an outbox consumer (identity's invitations and password resets,
forecasting's alert mails), never inside a request: a request records its intent as an event in
its own transaction, and the consumer sends it, retrying while the SMTP server is down.

aiosmtplib is imported when a mail is sent: a service that sends mail depends on it
(`aiosmtplib>=3`), the others need not.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import structlog

log = structlog.get_logger("labs.mail")

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    tls: bool = False

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("LABS_SMTP_URL must look like smtp://host:port or smtps://host:port")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            starttls=query.get("starttls", "").lower() in _TRUE,
            tls=tls,
        )


class Mailer:
    """Sends one message; raises when the server did not take it (the consumer retries)."""

    def __init__(self, url: str, sender: str, *, keep_unsent: bool = True,
                 timeout: float = 10.0) -> None:
        self._server = SmtpServer.parse(url) if url else None
        self.sender = sender
        # Without a server: keep mails waiting (production) rather than only logging them.
        self._keep_unsent = keep_unsent
        self._timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        if "From" not in message:
            message["From"] = self.sender
        if self._server is None:
            if self._keep_unsent:
                raise ConnectionError("LABS_SMTP_URL is not set: the mail waits until it is")
            log.warning("mail.not_sent_no_smtp_url", to=message["To"],
                        subject=message["Subject"])
            return
        import aiosmtplib

        server = self._server
        await aiosmtplib.send(
            message,
            hostname=server.host,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.tls,
            start_tls=server.starttls,
            timeout=self._timeout,
        )
        log.info("mail.sent", to=message["To"], subject=message["Subject"],
                 message_id=message["Message-ID"])
