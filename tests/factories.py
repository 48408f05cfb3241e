"""One factory per model. Names and places are real-looking but made up per test."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cities.dates import DatePrecision
from cities.models import (
    AdminLevel,
    City,
    Country,
    CultureCityDesignation,
    DesignationStatus,
    ExchangeIndicator,
    FriendshipLink,
    LinkMilestone,
    MilestoneKind,
    SocialAccount,
    SocialPlatform,
    Source,
    TieKind,
    TrilateralGroup,
)
from events.models import EventCategory, EventFormat, EventSeries, EventStatus, ExchangeEvent


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class CuratorFactory(UserFactory):
    """A staff user in the Curator group (created by a data migration), not a superuser."""

    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name="Curator"))


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://example.org/source/{n}")
    publisher = "example.org"


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    name_en = factory.Sequence(lambda n: f"Town {n}")
    slug = factory.Sequence(lambda n: f"town-{n}")
    country = Country.CHINA
    admin_level = AdminLevel.MUNICIPALITY
    name_zh_hans = factory.Sequence(lambda n: f"城{n}")
    name_zh_hant = factory.Sequence(lambda n: f"城{n}")
    name_ja = factory.Sequence(lambda n: f"町{n}")
    name_ko = factory.Sequence(lambda n: f"도시{n}")
    latitude = factory.Sequence(lambda n: 30 + (n % 10))
    longitude = factory.Sequence(lambda n: 120 + (n % 10))


class SocialAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialAccount

    city = factory.SubFactory(CityFactory)
    platform = SocialPlatform.WEIBO
    address = factory.Sequence(lambda n: f"https://weibo.com/town{n}")


class FriendshipLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FriendshipLink

    city_a = factory.SubFactory(CityFactory, country=Country.CHINA)
    city_b = factory.SubFactory(CityFactory, country=Country.JAPAN)
    kind = TieKind.FRIENDSHIP
    established_on = datetime.date(1995, 1, 1)
    established_precision = DatePrecision.YEAR
    verified = True


class LinkMilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LinkMilestone

    link = factory.SubFactory(FriendshipLinkFactory)
    date = datetime.date(1993, 5, 1)
    date_precision = DatePrecision.MONTH
    kind = MilestoneKind.MEMORANDUM


class CultureCityDesignationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CultureCityDesignation

    year = 2020
    city = factory.SubFactory(CityFactory)
    status = DesignationStatus.PROCLAIMED


class ExchangeIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeIndicator

    city = factory.SubFactory(CityFactory)
    year = 2021
    indicator = factory.Sequence(lambda n: f"inbound tourists {n}")
    value = 1000
    unit = "people"


class TrilateralGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrilateralGroup

    city_cn = factory.SubFactory(CityFactory, country=Country.CHINA)
    city_jp = factory.SubFactory(CityFactory, country=Country.JAPAN)
    city_kr = factory.SubFactory(CityFactory, country=Country.KOREA)


class EventSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventSeries

    slug = factory.Sequence(lambda n: f"series-{n}")
    name_en = factory.Sequence(lambda n: f"Friendship Cup {n}")


class ExchangeEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeEvent

    slug = factory.Sequence(lambda n: f"event-{n}")
    title_en = factory.Sequence(lambda n: f"Calligraphy exchange {n}")
    starts_on = datetime.date(2019, 10, 25)
    ends_on = factory.LazyAttribute(lambda event: event.starts_on)
    date_precision = DatePrecision.DAY
    host = factory.SubFactory(CityFactory)
    category = EventCategory.CULTURE
    format = EventFormat.IN_PERSON
    status = EventStatus.HELD
    is_published = True


class GoodPracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.GoodPractice"

    event = factory.SubFactory(ExchangeEventFactory)
    what_en = factory.Sequence(lambda n: f"A joint workshop that other towns can copy ({n}).")
    cost_en = "About 2 million yen, shared by the two cities."
