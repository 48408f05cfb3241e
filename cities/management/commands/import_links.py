"""`python manage.py import_links FILE.csv [--dry-run]`: import a list of ties."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cities.imports import TIE_COLUMNS, ties_import
from exchangeportal.infra.progress import ProgressBar

PROGRESS_FROM_ROWS = 300


class Command(BaseCommand):
    help = (
        f"Import ties from a CSV file with the columns {','.join(TIE_COLUMNS)}. "
        "Places are matched by any name or alias within their country; unknown places are "
        "created. Nothing is written if any row is invalid (each is reported with its line)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Write the valid rows even if some rows are invalid.",
        )

    def handle(self, *args, file: Path, dry_run: bool, skip_invalid: bool, **options):
        try:
            with file.open("rb") as raw:
                rows = max(sum(1 for _line in raw) - 1, 0)
            handle = file.open(encoding="utf-8-sig", newline="")
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror or error}") from None
        bar = (
            ProgressBar(rows, label="Reading", stream=self.stderr._out)
            if rows > PROGRESS_FROM_ROWS
            else None
        )
        with handle:
            report = ties_import(
                handle=handle,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                progress=bar.update if bar else None,
            )

        for error in report.errors:
            self.stderr.write(f"{file.name}, {error}")
        for line in report.outcomes.table():
            self.stdout.write(line)
        if options["verbosity"] >= 2:
            for outcome, lines in report.lines_by_outcome.items():
                shown = ", ".join(map(str, lines[:200])) + (" …" if len(lines) > 200 else "")
                self.stdout.write(f"Ties {outcome}: line(s) {shown or '—'}")
        if report.created_places:
            verb = "Places created" if report.written else "Places that would be created"
            self.stdout.write(f"{verb}:")
            for place in report.created_places:
                parent = f", part of {place.parent_name}" if place.parent_name else ""
                origin = (
                    "unresolved: a curator should check it"
                    if place.unresolved
                    else f"GeoNames {place.gazetteer.geonames_id}"
                )
                self.stdout.write(
                    f"  {place.name_en} ({place.country}, {place.admin_level}{parent}; "
                    f"{origin}) — line {place.line}"
                )
        for choice in report.choices:
            self.stdout.write(f"Note: {choice.reason}.")
        if report.conflicts:
            verb = "kept" if report.written else "would be kept"
            self.stdout.write(f"Conflicts with curated ties ({verb} for a curator, not written):")
            for conflict in report.conflicts:
                self.stdout.write(
                    f"  line {conflict.line}: {conflict.tie}: {conflict.field_label} "
                    f"{conflict.current} ({', '.join(conflict.current_sources) or 'no source'}) "
                    f"≠ {conflict.incoming} "
                    f"({', '.join(conflict.incoming_sources) or 'no source'})"
                )
        if report.kept_notes:
            self.stdout.write(
                f"{report.kept_notes} note(s) kept beside the curated notes (see the ties' admin)."
            )
        if report.errors and not report.written:
            raise CommandError(
                f"Nothing was imported: {len(report.errors)} invalid row(s) of {report.rows}."
            )
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written."))
        else:
            skipped = f" ({len(report.errors)} invalid row(s) skipped)" if report.errors else ""
            self.stdout.write(self.style.SUCCESS(f"Imported {report.rows} row(s){skipped}."))
