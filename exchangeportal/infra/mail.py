"""Outgoing mail through a queue in the database: a mail server outage never breaks a request.

`mail_queue` writes each message as a `QueuedMail` row in the caller's transaction (so nothing
is sent for a change that is rolled back) and, after commit, tries to send it with a short
timeout (`MAIL_SEND_TIMEOUT`, default 5 s). Sending never raises: a failure is stored on the
row with its error and logged. `manage.py retry_mail` (for a systemd timer or cron) and the
admin's "Send again" action retry what is stuck, through `mail_send`.

A row is claimed (pending/failed → sending) by one conditional UPDATE before it is sent, so the
request's own attempt and a retry running at the same moment never send a message twice.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import MailStatus, QueuedMail

logger = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 2000
# A message claimed this long ago and never marked sent or failed (its process died) is retried.
SENDING_STALE_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    html_body: str = ""


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int


def mail_queue(*, messages: Iterable[Message], from_email: str = "") -> list[QueuedMail]:
    """Store the messages and send them after the current transaction commits (at once when
    there is none). Returns the stored rows; never raises because of the mail server."""
    rows = QueuedMail.objects.bulk_create(
        [
            QueuedMail(
                to=message.to,
                from_email=from_email or settings.DEFAULT_FROM_EMAIL,
                subject=message.subject[:300],
                body=message.body,
                html_body=message.html_body,
            )
            for message in messages
        ]
    )
    if rows:
        pks = [row.pk for row in rows]
        transaction.on_commit(
            lambda: mail_send(
                mails=QueuedMail.objects.filter(pk__in=pks),
                timeout=settings.MAIL_SEND_TIMEOUT,
            ),
            robust=True,  # even an unforeseen error is logged, never the request's answer
        )
    return rows


def mail_retryable():
    """Mail that should have gone and has not: failed, still pending a minute after it was
    queued (its request's attempt never ran), or claimed by a process that died."""
    now = timezone.now()
    return QueuedMail.objects.filter(
        Q(status=MailStatus.FAILED)
        | Q(status=MailStatus.PENDING, created_at__lt=now - timedelta(minutes=1))
        | Q(status=MailStatus.SENDING, last_attempt_at__lt=now - SENDING_STALE_AFTER)
    )


def _claim(mail: QueuedMail) -> bool:
    claimable = Q(status__in=[MailStatus.PENDING, MailStatus.FAILED]) | Q(
        status=MailStatus.SENDING, last_attempt_at__lt=timezone.now() - SENDING_STALE_AFTER
    )
    return bool(
        QueuedMail.objects.filter(claimable, pk=mail.pk).update(
            status=MailStatus.SENDING, last_attempt_at=timezone.now()
        )
    )


def _record(mail: QueuedMail, *, error: Exception | None) -> None:
    now = timezone.now()
    if error is None:
        fields = {"status": MailStatus.SENT, "sent_at": now, "last_error": ""}
    else:
        fields = {
            "status": MailStatus.FAILED,
            "last_error": f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH],
        }
        logger.warning(
            "Mail %s to %s could not be sent: %s", mail.pk, mail.to, fields["last_error"]
        )
    QueuedMail.objects.filter(pk=mail.pk).update(
        attempts=mail.attempts + 1, last_attempt_at=now, **fields
    )


def _message(mail: QueuedMail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=mail.subject, body=mail.body, from_email=mail.from_email, to=[mail.to]
    )
    if mail.html_body:
        message.attach_alternative(mail.html_body, "text/html")
    return message


def mail_send(*, mails, timeout: float | None = None) -> SendResult:
    """Try to send each of `mails` (a queryset or list of `QueuedMail`) that is not sent yet,
    over one connection with `timeout` seconds (default `EMAIL_TIMEOUT`). Marks each sent or
    failed (with the error); never raises. Returns how many were sent and how many failed."""
    mails = [mail for mail in mails if mail.status != MailStatus.SENT]
    claimed = [mail for mail in mails if _claim(mail)]
    if not claimed:
        return SendResult(sent=0, failed=0)
    sent = failed = 0
    try:
        connection = get_connection(timeout=timeout or settings.EMAIL_TIMEOUT)
        connection.open()
    except Exception as error:  # the server is down: every message fails with that error
        for mail in claimed:
            _record(mail, error=error)
        return SendResult(sent=0, failed=len(claimed))
    try:
        for mail in claimed:
            try:
                connection.send_messages([_message(mail)])
            except Exception as error:
                _record(mail, error=error)
                failed += 1
            else:
                _record(mail, error=None)
                sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken connection must not undo what was recorded
            logger.warning("Closing the mail connection failed", exc_info=True)
    return SendResult(sent=sent, failed=failed)
