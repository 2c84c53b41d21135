"""Outgoing mail: SMTP when MAIL_SERVER is set, otherwise a file outbox that the log announces.

Mail is sent by the job queue (app/jobs) when Redis is configured, so a slow or failing SMTP server
neither holds up the request nor loses the message: the worker retries it with back-off."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from app.core import utcnow
from app.jobs import enqueue, job


def send_mail(to: str, subject: str, body: str) -> None:
    """Send now without Redis; with Redis queue it for the worker."""
    enqueue("app.mail:deliver_mail", to, subject, body)


@job
def deliver_mail(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    transmit(message)


def transmit(message: EmailMessage) -> None:
    """Hand a finished message to the SMTP server (MAIL_SERVER), or write it to the outbox without one.
    Raises smtplib's exceptions and OSError (refused, down, timed out): callers decide what a failure means."""
    config = current_app.config
    if config["MAIL_SERVER"]:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
        return
    outbox = Path(config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    to = str(message["To"])
    path = outbox / f"{utcnow():%Y%m%dT%H%M%S%f}-{to.replace('@', '_at_').replace('/', '_')[:80]}.eml"
    path.write_bytes(bytes(message))
    current_app.logger.warning("Mail to %s written to the outbox: %s", to, path)
