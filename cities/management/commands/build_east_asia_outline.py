"""Rebuild static/vendor/east-asia/east-asia.geojson from world-atlas's countries-50m.json."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cities.outline import east_asia_geojson

DEFAULT_OUTPUT = Path(settings.BASE_DIR) / "static" / "vendor" / "east-asia" / "east-asia.geojson"


class Command(BaseCommand):
    help = (
        "Convert world-atlas countries-50m.json (TopoJSON) into the map's East Asia outline "
        "(GeoJSON). See static/vendor/east-asia/README.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="path to world-atlas/countries-50m.json")
        parser.add_argument("--output", default=str(DEFAULT_OUTPUT))

    def handle(self, *args, source, output, **options):
        try:
            topology = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {source}: {error}") from None
        if topology.get("type") != "Topology" or "countries" not in topology.get("objects", {}):
            raise CommandError(f"{source} is not a world-atlas countries TopoJSON file")
        collection = east_asia_geojson(topology)
        Path(output).write_text(
            json.dumps(collection, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        self.stdout.write(f"Wrote {len(collection['features'])} countries to {output}")
