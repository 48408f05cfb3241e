"""Mail to partners and reviewers: plain text plus HTML, in each recipient's language.

Mail is queued in the database in the caller's transaction and sent after commit
(`exchangeportal.infra.mail`), so nothing is sent for a change that is rolled back and a mail server
outage never breaks the request. Links are built per recipient, so a Korean partner gets
`/ko/…` links.
"""

import dataclasses

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from exchangeportal.infra.mail import Message, mail_queue

from . import selectors


@dataclasses.dataclass(frozen=True)
class Recipient:
    email: str
    language: str


def partner_recipients(partner, *, extra_email: str = "", extra_language: str = "en"):
    """The partner's active users, each in their language, plus an extra address if new."""
    recipients = [
        Recipient(membership.user.email, membership.language)
        for membership in partner.memberships.select_related("user").filter(user__is_active=True)
        if membership.user.email
    ]
    known = {recipient.email.lower() for recipient in recipients}
    if extra_email and extra_email.lower() not in known:
        recipients.append(Recipient(extra_email, extra_language))
    return recipients


def reviewer_recipients():
    return [
        Recipient(user.email, settings.LANGUAGE_CODE)
        for user in selectors.reviewers_to_notify().only("email")
    ]


def queue_mail(
    *,
    template: str,
    recipients: list[Recipient],
    context: dict,
    links: dict[str, tuple[str, dict]] | None = None,
) -> None:
    """Queue `events/emails/<template>{_subject.txt,.txt,.html}` for each recipient, sent after
    the transaction commits (`exchangeportal.infra.mail`: a mail server outage is recorded, never
    raised).

    `links` maps a context name to a (view name, kwargs) pair, reversed in each
    recipient's language and made absolute with `PORTAL_BASE_URL`.
    """
    messages = []
    for recipient in recipients:
        with translation.override(recipient.language):
            ctx = dict(context)
            for name, (viewname, kwargs) in (links or {}).items():
                ctx[name] = settings.PORTAL_BASE_URL + reverse(viewname, kwargs=kwargs)
            subject = render_to_string(f"events/emails/{template}_subject.txt", ctx)
            messages.append(
                Message(
                    to=recipient.email,
                    subject=" ".join(subject.split()),
                    body=render_to_string(f"events/emails/{template}.txt", ctx),
                    html_body=render_to_string(f"events/emails/{template}.html", ctx),
                )
            )
    mail_queue(messages=messages)
