"""`manage.py restore PATH`: load a `backup` archive into an empty database and media folder."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exchangeportal.infra.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Load an archive written by `backup` into an EMPTY, migrated database and an empty "
        "media folder, verifying every checksum and row count of its manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive written by `backup`")

    def handle(self, *args, path: Path, **options):
        try:
            summary = backup_restore(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        for label, count in summary.counts.items():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {path}: {sum(summary.counts.values())} rows, {summary.files} media "
                "files; counts and checksums match the manifest."
            )
        )
