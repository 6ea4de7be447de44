"""Outgoing email through SMTP (``HSM_SMTP_*``); without a host it prints to the console.

Messages carry links, never report details.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import sys
from email.message import EmailMessage

from flask import after_this_request, current_app

log = logging.getLogger(__name__)
ERRORS = (smtplib.SMTPException, OSError)


def _settings() -> dict:
    config = current_app.config
    return {key: config[key] for key in config if key.startswith("HSM_SMTP_")} | {
        "HSM_MAIL_FROM": config["HSM_MAIL_FROM"]
    }


def _message(to: str | list[str], subject: str, body: str, settings: dict) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings["HSM_MAIL_FROM"]
    message["To"] = ", ".join([to] if isinstance(to, str) else to)
    message["Subject"] = subject
    message.set_content(body)
    return message


def _deliver(message: EmailMessage, settings: dict) -> None:
    host = settings["HSM_SMTP_HOST"]
    if not host:
        # Development: the console is the mail sink.
        print(f"\n----- email (not sent: HSM_SMTP_HOST is empty) -----\n{message}", file=sys.stderr)
        return
    with smtplib.SMTP(host, settings["HSM_SMTP_PORT"], timeout=10) as smtp:
        if settings["HSM_SMTP_STARTTLS"]:
            # A verified certificate: emails carry one-time links worth stealing.
            smtp.starttls(context=ssl.create_default_context())
        if settings["HSM_SMTP_USER"]:
            smtp.login(settings["HSM_SMTP_USER"], settings["HSM_SMTP_PASSWORD"])
        smtp.send_message(message)


def send(to: str | list[str], subject: str, body: str) -> EmailMessage:
    """Send a plain-text email now and return it; raises one of ``ERRORS`` on failure."""
    settings = _settings()
    message = _message(to, subject, body, settings)
    _deliver(message, settings)
    return message


def send_after_response(to: str | list[str], subject: str, body: str) -> None:
    """Send once the response has gone out, so its timing says nothing about the email.

    Used where whether an email is sent at all must stay private (a password reset for an
    address that may or may not have an account). Failures are logged, never shown.
    """
    settings = _settings()
    message = _message(to, subject, body, settings)

    def deliver_quietly() -> None:
        try:
            _deliver(message, settings)
        except ERRORS:
            log.warning("could not send an email after the response")

    @after_this_request
    def schedule(response):
        response.call_on_close(deliver_quietly)
        return response
