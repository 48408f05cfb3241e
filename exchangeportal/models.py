"""The portal's own infrastructure tables (no domain data): the outgoing mail queue and the
data version."""

import time

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MailStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class QueuedMail(models.Model):
    """One message to one recipient, written in the transaction that caused it and sent after
    commit (`exchangeportal.infra.mail`). A failure keeps the message with its error, for
    `manage.py retry_mail` and the admin's retry action."""

    to = models.CharField(_("to"), max_length=254)
    from_email = models.CharField(_("from"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MailStatus.choices, default=MailStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("queued mail")
        verbose_name_plural = _("queued mail")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="queuedmail_status_idx")]

    def __str__(self):
        return f"{self.subject} → {self.to}"


def _new_version() -> int:
    """A first version newer than any before it: the clock in microseconds."""
    return time.time_ns() // 1000


class DataVersion(models.Model):
    """The one row (pk 1) that says which version of the public data is current.

    Every write to what the public pages show moves it on, in the writing transaction
    (`exchangeportal.infra.cache.data_version_bump`): every process, worker and server reads it from
    the database, so none serves a page rendered before the last committed write.
    """

    version = models.BigIntegerField(default=_new_version)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="dataversion_one_row")]

    def __str__(self):
        return f"data version {self.version}"
