"""Build the open-data dump (dump.zip) now, instead of on the first request after a change."""

from django.core.management.base import BaseCommand

from exchangeportal.opendata import dump_current


class Command(BaseCommand):
    help = "Build /api/v1/dump.zip for the current data (no-op when it is up to date)."

    def handle(self, *args, **options):
        path = dump_current()
        self.stdout.write(f"Open-data dump: {path}")
