"""`manage.py backup PATH`: one archive with all data, all media and a manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exchangeportal.infra.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write one .tar.gz archive with the data of every app (and users, groups), every media "
        "file and a manifest of row counts and SHA-256 checksums. Restore with `restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive to write (must not exist)")

    def handle(self, *args, path: Path, **options):
        try:
            summary = backup_create(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(summary.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {summary.path}: {rows} rows of {len(summary.counts)} models, "
                f"{summary.files} media files."
            )
        )
