"""`python manage.py rebuild_search_index`: recompute every place's search keys."""

from django.core.management.base import BaseCommand, CommandError

from cities.models import City
from cities.services import city_search_keys_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the search keys of places (all, or those given by slug) from their names. "
        "Run it after importing places by any way that does not go through the services."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="only these places (default: all)")

    def handle(self, *args, slugs: list[str], **options):
        cities = None
        if slugs:
            cities = list(City.objects.filter(slug__in=slugs))
            missing = sorted(set(slugs) - {city.slug for city in cities})
            if missing:
                raise CommandError(
                    f"Nothing was rebuilt. No place with the slug(s): {', '.join(missing)}"
                )
        written = city_search_keys_rebuild(cities=cities)
        places = len(cities) if cities is not None else City.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {written} search keys for {places} places."))
