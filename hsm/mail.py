"""Outgoing email through SMTP (``HSM_SMTP_*``); without a host it prints to the console.

Messages carry links, never report details.
"""

from __future__ import annotations

import smtplib
import sys
from email.message import EmailMessage

from flask import current_app


def send(to: str | list[str], subject: str, body: str) -> EmailMessage:
    """Send a plain-text email and return the message that was sent."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["HSM_MAIL_FROM"]
    message["To"] = ", ".join([to] if isinstance(to, str) else to)
    message["Subject"] = subject
    message.set_content(body)
    host = config["HSM_SMTP_HOST"]
    if not host:
        # Development: the console is the mail sink.
        print(f"\n----- email (not sent: HSM_SMTP_HOST is empty) -----\n{message}", file=sys.stderr)
        return message
    with smtplib.SMTP(host, config["HSM_SMTP_PORT"], timeout=10) as smtp:
        if config["HSM_SMTP_STARTTLS"]:
            smtp.starttls()
        if config["HSM_SMTP_USER"]:
            smtp.login(config["HSM_SMTP_USER"], config["HSM_SMTP_PASSWORD"])
        smtp.send_message(message)
    return message
