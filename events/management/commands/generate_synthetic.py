"""`python manage.py generate_synthetic --places 20000 --ties 100000 --events 200000 --seed 1`."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cities.bulk import statistics_refresh
from cities.models import (
    City,
    CitySearchKey,
    CultureCityDesignation,
    FriendshipLink,
    LinkMilestone,
    Source,
)
from cities.services import city_search_keys_rebuild
from cities.synthetic import (
    SYNTHETIC_NOTE,
    designations_generate,
    places_generate,
    sources_generate,
    ties_generate,
)
from events.models import EventSeries, ExchangeEvent
from events.synthetic import events_generate, synthetic_remove
from exchangeportal.infra.cache import data_version_bump
from exchangeportal.infra.progress import ProgressBar

# The tables the generator fills, and whose sizes the planner must learn afterwards.
SYNTHETIC_MODELS = (
    City,
    CitySearchKey,
    Source,
    FriendshipLink,
    FriendshipLink.sources.through,
    LinkMilestone,
    CultureCityDesignation,
    EventSeries,
    ExchangeEvent,
    ExchangeEvent.partners.through,
    ExchangeEvent.links.through,
    ExchangeEvent.sources.through,
)


class Command(BaseCommand):
    help = (
        "Fill the configured database with a deterministic synthetic data set (places in four "
        "scripts, ties with hubs, events 1970–2026) for load tests. Refuses to run twice "
        "unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("--places", type=int, default=20000)
        parser.add_argument("--ties", type=int, default=100000)
        parser.add_argument("--events", type=int, default=200000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--replace", action="store_true", help="Delete an earlier synthetic set first."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, places, ties, events, seed, replace, no_progress, **options):
        if min(places, ties, events) < 0 or places < 2 and (ties or events):
            raise CommandError("Ask for at least two places, and no negative numbers.")
        if City.objects.filter(note=SYNTHETIC_NOTE).exists():
            if not replace:
                raise CommandError(
                    "The database already holds a synthetic set: use --replace to regenerate it."
                )
            synthetic_remove()
        started = time.monotonic()

        def bar(total, label):
            if no_progress or total == 0:
                return None
            return ProgressBar(total, label=label, stream=self.stderr._out).update

        with transaction.atomic():
            generated = places_generate(count=places, seed=seed, progress=bar(places, "Places"))
            sources = sources_generate(count=max(50, ties // 50), seed=seed)
            neighbours = ties_generate(
                places=generated, count=ties, seed=seed, sources=sources, progress=bar(ties, "Ties")
            )
            designations_generate(places=generated, seed=seed, sources=sources)
            events_generate(
                places=generated,
                neighbours=neighbours,
                count=events,
                seed=seed,
                sources=sources,
                progress=bar(events, "Events"),
            )
            # The places are found by the search at once, like those entered in the admin.
            city_search_keys_rebuild(cities=City.objects.filter(note=SYNTHETIC_NOTE))
            data_version_bump()
        statistics_refresh(*SYNTHETIC_MODELS)
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {len(generated.ids)} places, {sum(map(len, neighbours.values())) // 2} "
                f"ties and {events} events (seed {seed}) in {time.monotonic() - started:.0f} s."
            )
        )
