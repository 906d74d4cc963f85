"""Sending email over SMTP: the platform's mailer (labs_common.mail), shared with the other
services that send mail from their outbox (forecasting's alerts)."""

from labs_common.mail import Mailer, SmtpServer

__all__ = ["Mailer", "SmtpServer"]
