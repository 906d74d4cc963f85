"""Identity's own outbox consumer: the mailer. A request that must send an email (an invitation,
a password reset) records an event in its transaction; this durable consumer sends the email
from that event. SMTP down → the event is redelivered with backoff for days (never lost); the
event id is claimed in the inbox in the transaction that follows the sending (sent once), and it
is the mail's Message-ID, so a resend after a crash between the two is recognisable.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import structlog

from labs.events.v1 import envelope_pb2
from labs.identity.v1 import events_pb2
from labs.identity.v1 import identity_service_pb2 as pb
from labs_common.events.consumer import Subscription
from labs_identity.adapters.credentials import TokenDeriver
from labs_identity.adapters.mailer import Mailer
from labs_identity.service_layer.unit_of_work import IdentityUnitOfWork

log = structlog.get_logger("labs.identity.mail")

# Backoff tops out at 60 s between deliveries: about a week of an SMTP outage before an email is
# parked in the dead-letter stream.
MAIL_MAX_DELIVER = 10_000
RESET_PATH = "POST /api/v1/auth/password-reset/confirm"
ACCEPT_PATH = "POST /api/v1/auth/accept-invitation"


class MailSender:
    def __init__(self, mailer: Mailer, deriver: TokenDeriver) -> None:
        self._mailer = mailer
        self._deriver = deriver

    def subscriptions(self) -> list[Subscription]:
        return [
            Subscription("mailer", "identity", "password_reset.requested", self.on_password_reset,
                         max_deliver=MAIL_MAX_DELIVER),
            Subscription("mailer", "identity", "invitation.created", self.on_invitation,
                         max_deliver=MAIL_MAX_DELIVER),
        ]

    async def on_password_reset(self, envelope: envelope_pb2.Envelope,
                                uow: IdentityUnitOfWork) -> None:
        event = events_pb2.PasswordResetRequested()
        envelope.payload.Unpack(event)
        org = await uow.organizations.get(uuid.UUID(envelope.org_id))
        expires = event.expires_at.ToDatetime(UTC)
        if expires <= datetime.now(UTC):
            log.info("mail.reset_expired_unsent", event_id=envelope.id)
            return
        token = self._deriver.password_reset(uuid.UUID(event.reset_id))
        body = (
            f"Someone asked to reset the password of your Labs account"
            f"{f' in {org.name}' if org else ''}.\n\n"
            f"Your reset token (single use, valid until {format_datetime(expires)}):\n\n"
            f"    {token}\n\n"
            f"Use it with your new password: {RESET_PATH} "
            '{"token": "...", "password": "..."}.\n\n'
            "If you did not ask for this, ignore this email: your password stays as it is.\n"
        )
        await self._send(envelope, event.email, "Reset your Labs password", body)

    async def on_invitation(self, envelope: envelope_pb2.Envelope,
                            uow: IdentityUnitOfWork) -> None:
        event = events_pb2.InvitationCreated()
        envelope.payload.Unpack(event)
        invitation_id = uuid.UUID(event.invitation.id)
        org_id = uuid.UUID(envelope.org_id)
        current = await uow.invitations.get(org_id, invitation_id)
        if current is None or current.revoked_at or current.accepted_at:
            log.info("mail.invitation_no_longer_pending", event_id=envelope.id)
            return
        org = await uow.organizations.get(org_id)
        inviter = await uow.members.get(org_id, current.invited_by)
        who = " ".join(p for p in (inviter.first_name, inviter.last_name) if p) if inviter else ""
        who = who or (inviter.email if inviter else "Someone")
        role = pb.Role.Name(event.invitation.role).removeprefix("ROLE_").lower()
        token = self._deriver.invitation(invitation_id)
        body = (
            f"{who} invited you to join {org.name if org else 'an organization'} on Labs "
            f"as {role}.\n\n"
            f"Your invitation token (valid until {format_datetime(current.expires_at)}):\n\n"
            f"    {token}\n\n"
            f"Accept it with a password of your choice: {ACCEPT_PATH} "
            '{"token": "...", "password": "...", "first_name": "...", "last_name": "..."}.\n'
        )
        await self._send(envelope, current.email,
                         f"Join {org.name if org else 'your team'} on Labs", body)

    async def _send(self, envelope: envelope_pb2.Envelope, to: str, subject: str,
                    body: str) -> None:
        message = EmailMessage()
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = f"<{envelope.id}@events.labs>"
        message["X-Labs-Event-Id"] = envelope.id
        message.set_content(body)
        await self._mailer.send(message)
