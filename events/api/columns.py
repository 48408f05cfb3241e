"""CSV columns of events and series (API `?format=csv` and the open-data dump)."""

from cities.api.columns import SOURCE_COLUMNS
from cities.api.serializers import tie_pair_slug
from cities.dates import partial_date_iso
from exchangeportal.infra.api.csv_export import Column, translated_columns

EVENT_COLUMNS = [
    Column("slug", "The event's address in the portal and the API.", lambda e: e.slug),
    *translated_columns("title", "Title", origins=True),
    *translated_columns("summary", "Summary", origins=True),
    Column(
        "starts",
        "First day: partial ISO date (local date at the host place).",
        lambda e: partial_date_iso(e.starts_on, e.date_precision),
    ),
    Column(
        "ends",
        "Last day: partial ISO date (local date at the host place).",
        lambda e: partial_date_iso(e.ends_on, e.date_precision),
    ),
    Column("date_precision", "year, month or day.", lambda e: e.date_precision),
    Column(
        "starts_at",
        "Exact start time, ISO 8601 in UTC (empty if unknown).",
        lambda e: e.starts_at.isoformat() if e.starts_at else "",
    ),
    Column("host", "Slug of the host place.", lambda e: e.host.slug),
    Column("host_country", "Country of the host place.", lambda e: e.host.country),
    Column(
        "partners",
        "Slugs of the partner places, separated by '; '.",
        lambda e: [city.slug for city in e.partners.all()],
    ),
    Column(
        "partner_organisations",
        "Partner organisations that are not places, separated by '; '.",
        lambda e: e.partner_organisation_list,
    ),
    Column(
        "category",
        "culture, sports, tourism, trade_investment, education_youth, science_technology, "
        "government, health_disaster_relief or other.",
        lambda e: e.category,
    ),
    Column("format", "in_person, online or hybrid.", lambda e: e.format),
    Column("status", "planned, held, cancelled or postponed.", lambda e: e.status),
    Column("venue", "Venue.", lambda e: e.venue),
    Column(
        "series", "Slug of its series (series.csv).", lambda e: e.series.slug if e.series else ""
    ),
    Column("edition", "Edition number within the series.", lambda e: e.edition),
    Column(
        "ties",
        "Slugs of the ties it serves (ties.csv), separated by '; '.",
        lambda e: [tie_pair_slug(tie) for tie in e.links.all()],
    ),
    Column(
        "designation_year",
        "The Culture City year it belongs to, if any.",
        lambda e: e.designation.year if e.designation else "",
    ),
    Column("budget_amount", "Budget.", lambda e: e.budget_amount),
    Column("budget_currency", "ISO 4217 currency of the budget.", lambda e: e.budget_currency),
    Column("participants", "Number of participants.", lambda e: e.participants),
    *translated_columns("outcome", "Outcome", origins=True),
    *SOURCE_COLUMNS,
]

SERIES_COLUMNS = [
    Column("slug", "The series' address in the portal and the API.", lambda s: s.slug),
    *translated_columns("name", "Name", origins=True),
    *translated_columns("description", "Description", origins=True),
    Column("event_count", "Number of published editions.", lambda s: s.event_count),
    *SOURCE_COLUMNS,
]
