"""Delivering one alert: by email (SMTP) or to a webhook (JSON; Slack's `{"text": …}` shape).

A destination has a `label` that is safe to store and show: the addresses, or a webhook's
scheme and host plus a short digest of its URL (the URL itself holds a token).
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol
from urllib.parse import urlsplit

import requests

from cartsync.engine.schedule.model import EmailAlerts, Webhook
from cartsync.engine.state.monitoring import Alert

WEBHOOK_TIMEOUT = 10  # seconds


class DeliveryError(Exception):
    """The destination did not take the alert; the message says why, in the operator's terms."""


class Channel(Protocol):
    kind: str
    label: str

    def deliver(self, alert: Alert) -> None: ...


@dataclass
class EmailChannel:
    settings: EmailAlerts
    kind: str = "email"

    @property
    def label(self) -> str:
        return ", ".join(self.settings.to)

    def deliver(self, alert: Alert) -> None:
        smtp = self.settings.smtp
        message = EmailMessage()
        message["From"] = smtp.sender
        message["To"] = ", ".join(self.settings.to)
        message["Subject"] = alert.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="cartsync")
        message["X-Cartsync-Event"] = alert.event_key
        message.set_content(alert.body)
        try:
            if smtp.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    smtp.host, smtp.port, timeout=smtp.timeout, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
            with client:
                if smtp.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if smtp.username:
                    client.login(smtp.username, smtp.password or "")
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"SMTP server {smtp.host}:{smtp.port}: {error}") from None


@dataclass
class WebhookChannel:
    hook: Webhook
    kind: str = "webhook"

    @property
    def label(self) -> str:
        parts = urlsplit(self.hook.url)
        digest = hashlib.sha256(self.hook.url.encode()).hexdigest()[:8]
        return f"{parts.scheme}://{parts.hostname}#{digest}"

    def deliver(self, alert: Alert) -> None:
        if self.hook.format == "slack":
            payload: dict[str, object] = {"text": f"*{alert.subject}*\n{alert.body}"}
        else:
            payload = {
                "client": alert.client,
                "pipeline": alert.pipeline,
                "event": alert.event,
                "event_key": alert.event_key,
                "subject": alert.subject,
                "body": alert.body,
            }
        try:
            reply = requests.post(self.hook.url, json=payload, timeout=WEBHOOK_TIMEOUT)
        except requests.RequestException as error:
            raise DeliveryError(f"webhook {self.label}: {type(error).__name__}") from None
        if reply.status_code >= 300:
            raise DeliveryError(f"webhook {self.label} answered HTTP {reply.status_code}")


def channels_for(email: EmailAlerts | None, webhooks: tuple[Webhook, ...]) -> list[Channel]:
    found: list[Channel] = [EmailChannel(email)] if email else []
    found.extend(WebhookChannel(hook) for hook in webhooks)
    return found
