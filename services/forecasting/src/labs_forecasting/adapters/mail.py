"""An alert as an email (plain text and HTML), sent by labs_common.mail.Mailer from forecasting's
outbox consumer. The event id is the Message-ID, so a resend after a crash between sending and
claiming the event is recognisable."""

from __future__ import annotations

from email.message import EmailMessage
from html import escape

from labs_forecasting.domain.alert_rules import Alert, Member

SUBJECT_PREFIX = {"critical": "[Labs alert]", "warning": "[Labs warning]", "info": "[Labs]"}
TYPE_LABEL = {
    "margin_threshold": "Margin below threshold",
    "budget_burn": "Budget burn",
    "over_allocation": "Over-allocation",
    "risk_score": "Risk score",
    "invoice_overdue": "Invoice overdue",
}


def alert_message(alert: Alert, member: Member, event_id: str,
                  project_name: str | None = None) -> EmailMessage:
    label = TYPE_LABEL.get(alert.type, alert.type)
    prefix = SUBJECT_PREFIX.get(alert.severity, "[Labs]")
    greeting = f"Hello {member.name}," if member.name else "Hello,"
    facts = [(key.replace("_", " "), str(value)) for key, value in (alert.data or {}).items()
             if key not in ("subscription_id", "state", "forecast")]
    where = f"Project: {project_name}\n" if project_name else ""
    text = (
        f"{greeting}\n\n{alert.message}\n\n"
        f"{where}Alert: {label} ({alert.severity})\n"
        + "".join(f"{k}: {v}\n" for k, v in facts)
        + "\nYou receive this because you subscribed to these alerts in Labs; change or turn "
          "them off under your alert subscriptions or notification preferences.\n"
    )
    rows = "".join(f"<tr><th align='left'>{escape(k)}</th><td>{escape(v)}</td></tr>"
                   for k, v in facts)
    html = (
        "<!doctype html><html><body style='font-family:sans-serif'>"
        f"<p>{escape(greeting)}</p>"
        f"<p><strong>{escape(alert.message)}</strong></p>"
        + (f"<p>Project: {escape(project_name)}</p>" if project_name else "")
        + f"<p>Alert: {escape(label)} ({escape(alert.severity)})</p>"
        + (f"<table>{rows}</table>" if rows else "")
        + "<p style='color:#666'>You receive this because you subscribed to these alerts in "
          "Labs; change or turn them off under your alert subscriptions or notification "
          "preferences.</p></body></html>"
    )
    message = EmailMessage()
    message["To"] = member.email
    message["Subject"] = f"{prefix} {label}: {alert.message}"[:200]
    message["Message-ID"] = f"<{event_id}@events.labs>"
    message["X-Labs-Event-Id"] = event_id
    message["X-Labs-Alert-Id"] = str(alert.id)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
