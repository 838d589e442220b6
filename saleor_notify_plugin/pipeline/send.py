"""Sending one recorded event to one channel, by the channel's kind: postback, Slack or e-mail.

Owns what each kind puts on the wire: the signed envelope of a postback (with the previous
secret during its grace window), the one-line Slack text, the e-mail. The HTTP transport is
``delivery.http``; nothing here writes a delivery row (a channel whose previous secret's window
has ended has it erased when read, ``channels.expire_previous_secrets``).

Hands back to ``attempts``: an :class:`~saleor_notify_plugin.delivery.outcome.Outcome`, never
an exception for what the receiver did.
"""

from __future__ import annotations

import json
import smtplib
import socket
import threading
import time
from dataclasses import replace
from urllib.parse import urlsplit

from django.conf import settings as django_settings
from django.core.mail import EmailMessage, get_connection
from django.utils.crypto import salted_hmac

from ..channels import expire_previous_secrets
from ..conf import NotifySettings
from ..delivery import deadline, envelope, exchange, http, signing
from ..delivery.outcome import ErrorKind, Outcome
from ..events import ChannelKind, EventType
from ..models import NotificationChannel, RecordedEvent
from ..validation import host_matches


def event_envelope(event: RecordedEvent) -> dict:
    """The envelope receivers get for ``event`` (the delivery log shows the same)."""
    return envelope.build_envelope(
        event_id=event.envelope_id,
        event=EventType(event.event).payload_name,
        source=event.source.lower(),
        occurred_at=event.occurred_at,
        data=event.payload,
    )


def signing_secrets(channel: NotificationChannel, now_ts: float) -> list[str]:
    """The secrets to sign with: the current one, and the previous one within its window (once the
    window has ended, the previous secret is erased from the row)."""
    secrets_ = [channel.secret]
    expires = channel.previous_secret_expires_at
    if channel.previous_secret and expires is not None and expires.timestamp() > now_ts:
        secrets_.append(channel.previous_secret)
    elif channel.previous_secret:
        expire_previous_secrets(channel_id=channel.pk)
    return secrets_


def url_digest(url: str) -> str:
    """A keyed digest of a channel's URL, kept with an attempt: shows whether the URL is still the one used
    (without storing it: it may hold a credential)."""
    return salted_hmac("saleor_notify.attempt_url", url, algorithm="sha256").hexdigest()[:32]


def _with_url_digest(outcome: Outcome, url: str) -> Outcome:
    if outcome.request is None:
        return outcome
    return replace(outcome, request=replace(outcome.request, url_digest=url_digest(url)))


def send_postback(channel: NotificationChannel, msg_id: str, body: bytes, settings: NotifySettings) -> Outcome:
    now = time.time()
    headers = signing.webhook_headers(signing_secrets(channel, now), msg_id, int(now), body)
    return _with_url_digest(http.post(channel.target_url, body, headers, settings.http), channel.target_url)


def postback_body(event: RecordedEvent) -> bytes:
    """The exact bytes a postback of ``event`` carries (the same on every attempt)."""
    return envelope.encode(event_envelope(event))


def slack_body(text: str) -> bytes:
    return json.dumps({"text": slack_text(text)}).encode()


def email_body(event: RecordedEvent) -> str:
    return json.dumps(event_envelope(event), indent=2, sort_keys=True, default=str)


def sent_body(kind: ChannelKind, event: RecordedEvent) -> bytes:
    """The body an attempt of ``event`` to a channel of ``kind`` sent, derived again from the event
    (the attempt log keeps only its digest)."""
    if kind is ChannelKind.POSTBACK:
        return postback_body(event)
    if kind is ChannelKind.SLACK:
        return slack_body(summary_line(event))
    return email_body(event).encode()


def summary_line(event: RecordedEvent) -> str:
    """One line for a human: "Refund applied (admin): order 1042"."""
    data = event.payload
    order = data.get("order") if isinstance(data.get("order"), dict) else {}
    contact = data.get("contact") if isinstance(data.get("contact"), dict) else {}
    number = data.get("number") or order.get("number")
    if number:
        return f"{EventType(event.event).label} ({event.source.lower()}): order {number}"
    subject = data.get("email") or contact.get("email") or event.subject_id
    return f"{EventType(event.event).label} ({event.source.lower()}): {event.subject_type} {subject}"


def slack_text(text: str) -> str:
    """Text shown literally by Slack: ``&``, ``<`` and ``>`` escaped as Slack requires, so an
    address such as ``"<!channel>"@example.com`` mentions nobody and links nowhere."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def email_subject(text: str, max_chars: int = 200) -> str:
    """One header line: control characters (CR and LF included) become spaces, the length is bounded."""
    line = "".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in text)
    return " ".join(line.split())[:max_chars]


def send_slack(channel: NotificationChannel, event: RecordedEvent, settings: NotifySettings) -> Outcome:
    return send_slack_text(channel, summary_line(event), settings)


def send_slack_text(channel: NotificationChannel, text: str, settings: NotifySettings) -> Outcome:
    """Post ``text`` (escaped) to a Slack channel whose URL is on one of the allowed Slack hosts."""
    host = urlsplit(channel.target_url).hostname or ""
    if not host_matches(host, settings.slack_hosts):  # e.g. saved before the hosts were narrowed
        return Outcome(
            duration_ms=0,
            error_kind=ErrorKind.INVALID_TARGET,
            error_message="the Slack URL is not on an allowed Slack host (SLACK_HOSTS)",
        )
    body = slack_body(text)
    return _with_url_digest(http.post(channel.target_url, body, {}, settings.http), channel.target_url)


def send_email(channel: NotificationChannel, event: RecordedEvent, settings: NotifySettings) -> Outcome:
    started = time.monotonic()
    body = email_body(event)
    message = EmailMessage(
        subject=email_subject(summary_line(event)),
        body=body,
        from_email=getattr(django_settings, "DEFAULT_FROM_EMAIL", None),
        to=list(channel.email_recipients),
        headers={"X-Notify-Event-Id": event.envelope_id},
    )
    request = exchange.SentRequest(
        method="SMTP",
        url=None,
        headers=(
            ("From", str(message.from_email or "")),
            ("To", ", ".join(message.to)),
            ("Subject", str(message.subject)),
            ("X-Notify-Event-Id", event.envelope_id),
        ),
        body_sha256=exchange.body_digest(body.encode()),
        body_size=len(body.encode()),
    )
    kind: ErrorKind | None = None
    error = ""
    backend = get_connection(timeout=settings.timeout_s)
    # Set once the server greeted us: from then on the message may have been taken, so a
    # conversation cut short is a timeout (never retried), not a server we could not reach.
    # Noted by the conversation itself, not read off the backend afterwards: the backend
    # forgets its connection when it closes it, which may happen before we look.
    reached = threading.Event()

    def converse() -> None:
        backend.open()  # resolving, connecting, the greeting (and TLS, login when configured)
        reached.set()
        try:
            backend.send_messages([message])
        finally:
            backend.close()

    with deadline.exchange(settings.timeout_s):
        try:
            # The whole SMTP conversation (resolving and connecting included) is bounded, not
            # only each socket operation: at the deadline the socket is shut and we stop waiting.
            deadline.within(converse, "the SMTP exchange")
        except deadline.Overrun:
            _abort(backend, message)
            if reached.is_set():
                kind, error = ErrorKind.TIMEOUT, "no complete answer from the mail server within the time limit"
            else:
                kind, error = ErrorKind.SMTP_TEMPORARY, "mail server not reached within the time limit"
        except smtplib.SMTPRecipientsRefused:
            kind, error = ErrorKind.SMTP_REJECTED, "all recipients were refused"
        except smtplib.SMTPResponseException as exc:
            kind = ErrorKind.SMTP_TEMPORARY if 400 <= exc.smtp_code < 500 else ErrorKind.SMTP_REJECTED
            error = f"SMTP {exc.smtp_code}"
        except TimeoutError as exc:
            if reached.is_set():
                kind, error = ErrorKind.TIMEOUT, "no complete answer from the mail server within the time limit"
            else:
                kind, error = ErrorKind.SMTP_TEMPORARY, f"mail server unreachable: {type(exc).__name__}"
        except (smtplib.SMTPException, OSError) as exc:
            kind, error = ErrorKind.SMTP_TEMPORARY, f"mail server unreachable: {type(exc).__name__}"
    duration_ms = int((time.monotonic() - started) * 1000)
    if kind is not None:
        return Outcome(duration_ms=duration_ms, error_kind=kind, error_message=error, request=request)
    return Outcome(
        duration_ms=duration_ms, status_code=250, response_excerpt="accepted by the mail backend", request=request
    )


def _abort(backend: object, message: EmailMessage) -> None:
    """Stop an SMTP conversation still running on its helper thread, wherever it is.

    Still resolving or connecting: with no recipients left, Django's backend sends nothing
    once it gets through. Connected: the socket is shut, so the next read or write fails.
    """
    message.to, message.cc, message.bcc = [], [], []
    sock = getattr(getattr(backend, "connection", None), "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def send(channel: NotificationChannel, event: RecordedEvent, settings: NotifySettings) -> Outcome:
    """Send ``event`` to ``channel`` once, the way its kind is sent."""
    kind = ChannelKind(channel.kind)
    if kind is ChannelKind.POSTBACK:
        return send_postback(channel, event.envelope_id, postback_body(event), settings)
    if kind is ChannelKind.SLACK:
        return send_slack(channel, event, settings)
    return send_email(channel, event, settings)
