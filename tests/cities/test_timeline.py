import datetime

import pytest

from cities.dates import DatePrecision
from cities.models import MilestoneKind
from cities.selectors import city_ties_page
from cities.timeline import (
    DESIGNATION,
    EVENT,
    MILESTONE,
    TIE,
    TimelineEntry,
    city_timeline,
    city_timeline_milestones,
    city_timeline_ties,
    timeline_build,
)
from tests import factories


class Item:
    def __init__(self, pk):
        self.pk = pk


def entry(day, precision, kind=EVENT, pk=1):
    return TimelineEntry(day, precision, kind, Item(pk))


def test_timeline_build_orders_by_date_with_a_vaguer_date_first_and_groups_by_year():
    day = entry(datetime.date(2010, 5, 23), DatePrecision.DAY, TIE, 1)
    month = entry(datetime.date(2010, 5, 1), DatePrecision.MONTH, MILESTONE, 2)
    year = entry(datetime.date(2010, 1, 1), DatePrecision.YEAR, DESIGNATION, 3)
    january = entry(datetime.date(2010, 1, 1), DatePrecision.DAY, EVENT, 4)
    older = entry(datetime.date(1997, 10, 8), DatePrecision.DAY, MILESTONE, 5)

    timeline = timeline_build([day, month, year, january, older])

    assert [(y.year, [e.item.pk for e in y.entries]) for y in timeline.years] == [
        (1997, [5]),
        (2010, [3, 4, 2, 1]),
    ]
    assert (timeline.truncated, timeline.size) == (False, 5)


def test_timeline_build_keeps_the_newest_entries_when_there_are_too_many():
    entries = [entry(datetime.date(2000 + n, 1, 1), DatePrecision.YEAR, pk=n) for n in range(5)]

    timeline = timeline_build(entries, limit=3)

    assert [y.year for y in timeline.years] == [2002, 2003, 2004]
    assert (timeline.truncated, timeline.size) == (True, 3)


def test_timeline_entry_shows_only_what_is_known():
    assert entry(datetime.date(2002, 11, 1), DatePrecision.MONTH).date_iso == "2002-11"
    assert entry(datetime.date(1995, 1, 1), DatePrecision.YEAR).date_display == "1995"


@pytest.mark.django_db
def test_city_timeline_merges_ties_milestones_designations_and_given_entries():
    yangzhou = factories.CityFactory(slug="yangzhou", name_en="Yangzhou")
    nara = factories.CityFactory(slug="nara", name_en="Nara", country="JP")
    tie = factories.FriendshipLinkFactory(
        city_a=nara,
        city_b=yangzhou,
        established_on=datetime.date(2010, 5, 23),
        established_precision=DatePrecision.DAY,
    )
    factories.FriendshipLinkFactory(city_a=yangzhou, established_on=None)  # no date: left out
    memorandum = factories.LinkMilestoneFactory(
        link=tie, date=datetime.date(2010, 2, 20), date_precision=DatePrecision.DAY
    )
    designation = factories.CultureCityDesignationFactory(city=yangzhou, year=2020)
    event = entry(datetime.date(2019, 10, 25), DatePrecision.DAY, EVENT, 99)

    timeline = city_timeline(city=yangzhou, designations=[designation], extra=[event])

    entries = [e for year in timeline.years for e in year.entries]
    assert [(e.kind, e.date_iso) for e in entries] == [
        (MILESTONE, "2010-02-20"),
        (TIE, "2010-05-23"),
        (EVENT, "2019-10-25"),
        (DESIGNATION, "2020"),
    ]
    assert entries[0].item == memorandum
    assert entries[0].item.link.partner == nara
    assert entries[1].item.partner == nara


@pytest.mark.django_db
def test_city_timeline_from_the_loaded_ties_is_the_queried_one_without_a_query(
    django_assert_num_queries,
):
    city = factories.CityFactory()
    for year in (2003, 2001, 2002):
        tie = factories.FriendshipLinkFactory(city_a=city, established_on=datetime.date(year, 1, 1))
        factories.LinkMilestoneFactory(link=tie, date=datetime.date(year, 6, 1))
    factories.FriendshipLinkFactory(city_b=city, established_on=None)
    page, _groups = city_ties_page(city=city)

    with django_assert_num_queries(0):
        loaded = city_timeline(city=city, designations=[], ties=list(page))
    queried = city_timeline(city=city, designations=[])

    def shown(timeline):
        return [
            (e.kind, e.date_iso, e.item, getattr(e.item, "partner", None) or e.item.link.partner)
            for year in timeline.years
            for e in year.entries
        ]

    assert shown(loaded) == shown(queried)
    assert [kind for kind, *_rest in shown(loaded)] == [TIE, MILESTONE] * 3


@pytest.mark.django_db
def test_city_timeline_reads_are_bounded(django_assert_num_queries):
    city = factories.CityFactory()
    for year in range(2000, 2006):
        tie = factories.FriendshipLinkFactory(city_a=city, established_on=datetime.date(year, 1, 1))
        factories.LinkMilestoneFactory(
            link=tie, date=datetime.date(year, 6, 1), kind=MilestoneKind.RENEWAL
        )

    with django_assert_num_queries(2):
        ties = city_timeline_ties(city=city, limit=2)
        milestones = city_timeline_milestones(city=city, limit=2)
        partners = [e.item.partner.name_en for e in ties] + [
            e.item.link.partner.name_en for e in milestones
        ]

    assert [e.date.year for e in ties] == [2005, 2004]
    assert [e.date.year for e in milestones] == [2005, 2004]
    assert len(partners) == 4
