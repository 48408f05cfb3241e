"""Send again the queued mail that failed or was never sent (for a systemd timer or cron)."""

from django.core.management.base import BaseCommand, CommandError

from exchangeportal.infra.mail import mail_retryable, mail_send


class Command(BaseCommand):
    help = (
        "Send the queued mail that failed (or was never tried) again. Exits with status 1 when "
        "some still failed, so a timer or cron reports it; run it every few minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-attempts",
            type=int,
            default=20,
            help="Leave mail that has already failed this many times to a person (default 20).",
        )

    def handle(self, *args, max_attempts, **options):
        mails = mail_retryable().filter(attempts__lt=max_attempts).order_by("created_at", "id")
        result = mail_send(mails=mails.iterator())
        self.stdout.write(f"Sent {result.sent}, failed {result.failed}.")
        if result.failed:
            raise CommandError(
                f"{result.failed} mail(s) could not be sent; their errors are in the admin "
                "(Queued mail) and the log."
            )
