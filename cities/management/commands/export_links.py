"""`python manage.py export_links [FILE]`: every tie, in the format import_links reads."""

from pathlib import Path

from django.core.management.base import BaseCommand

from cities.imports import ties_export


class Command(BaseCommand):
    help = "Export every tie as CSV (the columns import_links reads) to FILE or stdout."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?")

    def handle(self, *args, file: Path | None, **options):
        if file is None:
            ties_export(handle=self.stdout)
            return
        with file.open("w", encoding="utf-8", newline="") as handle:
            count = ties_export(handle=handle)
        self.stderr.write(f"{count} tie(s) written to {file}.")
