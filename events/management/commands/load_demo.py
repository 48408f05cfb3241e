"""`python manage.py load_demo`: the researched demo data, idempotent and atomic."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cities.demo import (
    CITIES_DATA_DIR,
    DemoDataError,
    LoadReport,
    load_cities_demo,
    load_source_publishers,
)
from events.demo import EVENTS_DATA_DIR, load_events_demo


class Command(BaseCommand):
    help = (
        "Load the researched demo data (places, ties, milestones, Culture City designations, "
        "figures, trilateral groups, events). Running it again changes nothing; a bad row "
        "aborts the whole load and names the file and line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cities-data", type=Path, default=CITIES_DATA_DIR)
        parser.add_argument("--events-data", type=Path, default=EVENTS_DATA_DIR)
        parser.add_argument(
            "--gazetteer",
            type=Path,
            default=None,
            help="The gazetteer file (default: gazetteer/places.tsv in the cities data folder).",
        )

    def handle(self, *args, cities_data: Path, events_data: Path, gazetteer, **options):
        report = LoadReport()
        try:
            with transaction.atomic():
                places = load_cities_demo(report, cities_data, gazetteer_path=gazetteer)
                load_events_demo(report, places, events_data)
                load_source_publishers(report, cities_data)  # every source is in by now
        except DemoDataError as error:
            raise CommandError(f"Nothing was loaded. {error}") from None

        for line in report.table():
            self.stdout.write(line)
        verdict = "Demo data loaded." if report.changed else "Demo data already up to date."
        self.stdout.write(self.style.SUCCESS(verdict))
