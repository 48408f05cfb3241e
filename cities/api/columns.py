"""CSV columns of places, ties, milestones, designations and sources.

Used by `?format=csv` on the API lists and by the open-data dump, whose README
lists every column with its description.
"""

from exchangeportal.infra.api.csv_export import Column, translated_columns

from ..dates import partial_date_iso
from .serializers import tie_pair_slug


def _source_ids(obj) -> list[int]:
    return [source.pk for source in obj.sources.all()]


def _source_urls(obj) -> list[str]:
    return [source.url or source.title for source in obj.sources.all()]


SOURCE_COLUMNS = [
    Column("source_ids", "Ids of the sources (sources.csv), separated by '; '.", _source_ids),
    Column("source_urls", "URLs (or citations) of the sources, separated by '; '.", _source_urls),
]

CITY_COLUMNS = [
    Column("slug", "The place's address in the portal and the API.", lambda c: c.slug),
    Column("country", "ISO 3166-1 alpha-2 code.", lambda c: c.country),
    Column(
        "admin_level",
        "province, prefecture, metropolitan_city, special_city, sar, municipality, district, "
        "county or other.",
        lambda c: c.admin_level,
    ),
    Column(
        "parent", "Slug of the place it belongs to.", lambda c: c.parent.slug if c.parent else ""
    ),
    Column("name_en", "English name.", lambda c: c.name_en),
    Column("name_zh_hans", "Name in simplified Chinese.", lambda c: c.name_zh_hans),
    Column("name_zh_hant", "Name in traditional Chinese.", lambda c: c.name_zh_hant),
    Column("name_ja", "Name in Japanese.", lambda c: c.name_ja),
    Column("name_ko", "Name in Korean.", lambda c: c.name_ko),
    Column(
        "romanization",
        "Official romanisation (Pinyin, modified Hepburn, Revised Romanization).",
        lambda c: c.romanization,
    ),
    Column("aliases", "Other spellings, separated by '; '.", lambda c: c.alias_list),
    Column(
        "name_kana",
        "Japanese places: the reading in hiragana, readings separated by '; '.",
        lambda c: c.kana_list,
    ),
    Column(
        "name_kana_basis",
        "Where the reading comes from: gazetteer (GeoNames), machine or curator.",
        lambda c: c.name_kana_basis,
    ),
    Column("latitude", "WGS 84 latitude, degrees.", lambda c: c.latitude),
    Column("longitude", "WGS 84 longitude, degrees.", lambda c: c.longitude),
    Column("population", "Population.", lambda c: c.population),
    Column("population_year", "Year of the population figure.", lambda c: c.population_year),
    Column("area_km2", "Area in square kilometres.", lambda c: c.area_km2),
    Column("valid_from", "Exists since (ISO date).", lambda c: c.valid_from),
    Column(
        "valid_to", "Exists until (ISO date), for merged or dissolved places.", lambda c: c.valid_to
    ),
    Column("website", "Official website.", lambda c: c.website),
    Column("wikidata_id", "Wikidata item.", lambda c: c.wikidata_id),
    Column("geonames_id", "GeoNames id.", lambda c: c.geonames_id),
    Column("tie_count", "Number of ties the place takes part in.", lambda c: c.tie_count),
    Column(
        "designation_years",
        "Culture City of East Asia years, separated by '; '.",
        lambda c: [designation.year for designation in c.designations.all()],
    ),
]

TIE_COLUMNS = [
    Column("slug", "The tie's address: both slugs, alphabetical, joined by '--'.", tie_pair_slug),
    Column("city_a", "Slug of place A.", lambda t: t.city_a.slug),
    Column("city_a_name_en", "English name of place A.", lambda t: t.city_a.name_en),
    Column("city_a_country", "Country of place A.", lambda t: t.city_a.country),
    Column("city_b", "Slug of place B.", lambda t: t.city_b.slug),
    Column("city_b_name_en", "English name of place B.", lambda t: t.city_b.name_en),
    Column("city_b_country", "Country of place B.", lambda t: t.city_b.country),
    Column(
        "kind",
        "Normalised kind: sister, friendship, friendly_exchange, partnership, other.",
        lambda t: t.kind,
    ),
    Column("label_a", "Place A's own term for the tie, in its language.", lambda t: t.label_a),
    Column("label_b", "Place B's own term for the tie, in its language.", lambda t: t.label_b),
    Column(
        "established",
        "Partial ISO date: YYYY, YYYY-MM or YYYY-MM-DD (empty if unknown).",
        lambda t: partial_date_iso(t.established_on, t.established_precision),
    ),
    Column("established_precision", "year, month or day.", lambda t: t.established_precision),
    Column(
        "date_basis",
        "What the date is of: signed, ceremony, council, memorandum or unknown.",
        lambda t: t.date_basis,
    ),
    Column("status", "active, dormant or ended.", lambda t: t.status),
    Column("ended_on", "When an ended tie ended (ISO date).", lambda t: t.ended_on),
    Column("verified", "true when confirmed against a trustworthy source.", lambda t: t.verified),
    Column(
        "evidence",
        "primary (government or registry source), secondary (news, lists) or unverified.",
        lambda t: t.evidence,
    ),
    Column("note", "Public note in English (as public_note_en).", lambda t: t.public_note_en),
    *translated_columns("public_note", "Public note", origins=True),
    *SOURCE_COLUMNS,
]

MILESTONE_COLUMNS = [
    Column("tie", "The tie's slug (ties.csv).", lambda m: tie_pair_slug(m.link)),
    Column(
        "date",
        "Partial ISO date: YYYY, YYYY-MM or YYYY-MM-DD.",
        lambda m: partial_date_iso(m.date, m.date_precision),
    ),
    Column("date_precision", "year, month or day.", lambda m: m.date_precision),
    Column(
        "kind",
        "memorandum, agreement, upgrade, renewal, suspension or end.",
        lambda m: m.kind,
    ),
    Column(
        "kind_after",
        "Kind of the tie after this step (empty if unchanged).",
        lambda m: m.kind_after,
    ),
    *translated_columns("note", "Public note", origins=True),
    *SOURCE_COLUMNS,
]

DESIGNATION_COLUMNS = [
    Column("id", "The designation's id in the API.", lambda d: d.pk),
    Column("year", "Culture City of East Asia year.", lambda d: d.year),
    Column("city", "Slug of the place.", lambda d: d.city.slug),
    Column("city_name_en", "English name of the place.", lambda d: d.city.name_en),
    Column("country", "Country of the place.", lambda d: d.city.country),
    Column("status", "selected, proclaimed, extended or cancelled.", lambda d: d.status),
    *translated_columns("theme", "Theme"),
    Column("note", "Note.", lambda d: d.note),
    *SOURCE_COLUMNS,
]

SOURCE_TABLE_COLUMNS = [
    Column("id", "The source's id (referred to by the source_ids columns).", lambda s: s.pk),
    Column("url", "Where the fact can be checked (empty for a printed citation).", lambda s: s.url),
    Column("title", "Title or citation.", lambda s: s.title),
    Column("publisher", "Publisher.", lambda s: s.publisher),
    Column("kind", "primary (government or registry) or secondary.", lambda s: s.kind),
    Column("accessed_on", "When it was last read (ISO date).", lambda s: s.accessed_on),
]
