"""The mail queue: an outage of the mail server never breaks a request or an admin action."""

import io
import socket
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from events.models import ProposalState
from exchangeportal.infra.mail import Message, mail_queue, mail_send
from exchangeportal.models import MailStatus, QueuedMail
from tests.factories import EventProposalFactory, UserFactory

SMTP = "django.core.mail.backends.smtp.EmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mail_server_down(settings):
    """SMTP to a port on this machine where nothing listens: the connection is refused."""
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()


@pytest.fixture
def mail_server_silent(settings):
    """SMTP to a socket that accepts the connection and never says a word (a hung server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", listener.getsockname()[1]
    yield
    listener.close()


def signup(client, **overrides):
    data = {
        "username": "yangzhou-fao",
        "email": "fao@example.org",
        "password1": "Grand Canal 2014!",
        "password2": "Grand Canal 2014!",
        "name_en": "Yangzhou Foreign Affairs Office",
        "kind": "city_government",
        "country": "cn",
        "homepage": "",
        **overrides,
    }
    return client.post(reverse("partners:register"), data)


@pytest.mark.django_db(transaction=True)
def test_signup_succeeds_while_the_mail_server_is_down_and_keeps_the_mail(client, mail_server_down):
    response = signup(client)

    queued = QueuedMail.objects.get()
    assert (response.status_code, response["Location"]) == (302, "/en/partners/login/")
    assert get_user_model().objects.get().username == "yangzhou-fao"
    assert (queued.to, queued.subject, queued.status, queued.attempts) == (
        "fao@example.org",
        "Confirm your e-mail address",
        MailStatus.FAILED,
        1,
    )
    assert queued.last_error.startswith("ConnectionRefusedError: ")
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_hung_mail_server_delays_the_request_only_by_the_short_timeout(
    client, settings, mail_server_silent
):
    settings.MAIL_SEND_TIMEOUT = 0.5
    started = time.monotonic()

    response = signup(client)

    elapsed = time.monotonic() - started
    queued = QueuedMail.objects.get()
    assert response.status_code == 302
    assert elapsed < 3
    assert (queued.status, queued.last_error) == (
        MailStatus.FAILED,
        "SMTPServerDisconnected: Connection unexpectedly closed: timed out",
    )


@pytest.mark.django_db
def test_mail_is_sent_after_commit_and_marked_sent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mail_queue(messages=[Message(to="a@example.org", subject="Hello", body="Text")])
        assert mail.outbox == []

    queued = QueuedMail.objects.get()
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["a@example.org"], "Hello", "Text")
    ]
    assert (queued.status, queued.attempts, queued.last_error) == (MailStatus.SENT, 1, "")
    assert queued.sent_at is not None


@pytest.mark.django_db
def test_mail_of_a_rolled_back_change_is_neither_kept_nor_sent(django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        mail_queue(messages=[Message(to="a@example.org", subject="Hello", body="Text")])
        transaction.set_rollback(True)

    assert (QueuedMail.objects.count(), mail.outbox) == (0, [])


@pytest.mark.django_db
def test_mail_send_never_sends_a_sent_mail_twice():
    queued = QueuedMail.objects.create(to="a@example.org", subject="Hi", body="x")

    first = mail_send(mails=QueuedMail.objects.all())
    again = mail_send(mails=[queued])  # a stale copy still saying "pending"

    assert (first.sent, again.sent, len(mail.outbox)) == (1, 0, 1)


@pytest.mark.django_db
def test_retry_mail_sends_what_failed_once_the_server_is_back(settings):
    settings.EMAIL_BACKEND = LOCMEM
    stuck = QueuedMail.objects.create(
        to="a@example.org",
        subject="Confirm your e-mail address",
        body="x",
        status=MailStatus.FAILED,
        attempts=2,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    out = io.StringIO()

    call_command("retry_mail", stdout=out)

    stuck.refresh_from_db()
    assert out.getvalue() == "Sent 1, failed 0.\n"
    assert (stuck.status, stuck.attempts, stuck.last_error) == (MailStatus.SENT, 3, "")
    assert [m.to for m in mail.outbox] == [["a@example.org"]]


@pytest.mark.django_db
def test_retry_mail_fails_loudly_while_the_server_is_still_down(mail_server_down):
    QueuedMail.objects.create(to="a@example.org", subject="S", body="x", status=MailStatus.FAILED)
    QueuedMail.objects.create(
        to="b@example.org", subject="S", body="x", status=MailStatus.FAILED, attempts=20
    )
    out = io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("retry_mail", stdout=out)

    assert out.getvalue() == "Sent 0, failed 1.\n"
    assert str(failed.value) == (
        "1 mail(s) could not be sent; their errors are in the admin (Queued mail) and the log."
    )
    assert sorted(QueuedMail.objects.values_list("to", "attempts")) == [
        ("a@example.org", 1),
        ("b@example.org", 20),
    ]


@pytest.mark.django_db
def test_admin_lists_stuck_mail_and_sends_it_again(client, settings):
    settings.EMAIL_BACKEND = LOCMEM
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    stuck = QueuedMail.objects.create(
        to="a@example.org", subject="Stuck", body="x", status=MailStatus.FAILED, last_error="E"
    )
    url = reverse("admin:exchangeportal_queuedmail_changelist")

    listing = client.get(url, {"status__exact": "failed"})
    response = client.post(
        url, {"action": "send_again", "_selected_action": [stuck.pk]}, follow=True
    )

    stuck.refresh_from_db()
    assert list(listing.context["cl"].result_list) == [stuck]
    assert [str(m) for m in response.context["messages"]] == ["1 mail sent."]
    assert stuck.status == MailStatus.SENT


@pytest.mark.django_db
def test_admin_retry_while_the_server_is_down_reports_instead_of_failing(client, mail_server_down):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    stuck = QueuedMail.objects.create(to="a@example.org", subject="S", body="x")
    url = reverse("admin:exchangeportal_queuedmail_changelist")

    response = client.post(
        url, {"action": "send_again", "_selected_action": [stuck.pk]}, follow=True
    )

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "1 mail could not be sent: see its error."
    ]


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.django_db
def test_admin_mail_list_query_count_fixed(client, django_assert_num_queries, count):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for number in range(count):
        QueuedMail.objects.create(to=f"{number}@example.org", subject="S", body="x")

    with django_assert_num_queries(7):
        response = client.get(reverse("admin:exchangeportal_queuedmail_changelist"))

    assert len(response.context["cl"].result_list) == count


@pytest.mark.django_db(transaction=True)
def test_admin_bulk_action_succeeds_while_the_mail_server_is_down(client, mail_server_down):
    # A superuser: a transactional test starts without the Reviewer group of the migrations.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    proposals = [
        EventProposalFactory(state=ProposalState.UNDER_REVIEW, contact_email=f"{n}@example.org")
        for n in range(2)
    ]

    response = client.post(
        reverse("admin:events_eventproposal_changelist"),
        {
            "action": "reject_with_message_action",
            "_selected_action": [p.pk for p in proposals],
            "apply": "1",
            "message": "Outside our remit.",
        },
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "2 proposals were rejected: their partners were sent your message."
    ]
    assert sorted(QueuedMail.objects.values_list("to", "status")) == [
        ("0@example.org", "failed"),
        ("1@example.org", "failed"),
    ]
