"""One factory per model. Names and places are real-looking but made up per test."""

import datetime
from decimal import Decimal

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
from cities.services import city_search_keys_rebuild
from events.models import EventCategory, EventFormat, EventSeries, EventStatus, ExchangeEvent


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class CuratorFactory(UserFactory):
    """A staff user in the Curator group (created by a data migration), not a superuser."""

    is_staff = True

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name="Curator"))


class TranslatorFactory(UserFactory):
    """A staff user in the Translator group (created by a data migration): edits translations."""

    is_staff = True

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name="Translator"))


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    url = factory.Sequence(lambda n: f"https://example.org/source/{n}")
    publisher = "example.org"


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        skip_postgeneration_save = True

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

    @factory.post_generation
    def search_keys(self, create, extracted, **kwargs):
        """Searchable like a place saved through the services (`city_save_names`)."""
        if create:
            city_search_keys_rebuild(cities=[self])


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
    indicator_en = factory.Sequence(lambda n: f"inbound tourists {n}")
    value = Decimal("16100")
    unit_en = "people"


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


# --- Partners and proposals ------------------------------------------------------------------

from django.utils import timezone  # noqa: E402

from events.models import (  # noqa: E402
    EventProposal,
    Partner,
    PartnerKind,
    PartnerMembership,
    ProposalActivity,
    ProposalState,
)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name_en = factory.Sequence(lambda n: f"Friendship Association {n}")
    kind = PartnerKind.NGO
    country = Country.JAPAN


class PartnerMembershipFactory(factory.django.DjangoModelFactory):
    """A partner's user; the e-mail address is verified unless `email_verified_at=None`."""

    class Meta:
        model = PartnerMembership

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    language = "en"
    email_verified_at = factory.LazyFunction(timezone.now)


class ReviewerFactory(UserFactory):
    """A staff user in the Reviewer group (created by a data migration), not a superuser."""

    class Meta:
        skip_postgeneration_save = True

    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name="Reviewer"))


class EventProposalFactory(factory.django.DjangoModelFactory):
    """A complete proposal (ready to submit) in `draft`; pass `state=` for others."""

    class Meta:
        model = EventProposal
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerFactory)
    state = ProposalState.DRAFT
    title_en = factory.Sequence(lambda n: f"Youth Go exchange {n}")
    summary_en = "Young players of three cities meet for a week of Go."
    description = "A week of matches, lessons and home stays."
    category = EventCategory.CULTURE
    format = EventFormat.IN_PERSON
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    ends_on = factory.LazyAttribute(
        lambda proposal: proposal.starts_on + datetime.timedelta(days=2)
    )
    host = factory.SubFactory(CityFactory, country=Country.JAPAN)
    venue = "City Hall"
    participants = 40
    contact_name = "Aiko Tanaka"
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.org")
    privacy_consent = True

    @factory.post_generation
    def partner_places(self, create, extracted, **kwargs):
        if not create:
            return
        places = extracted if extracted is not None else [CityFactory(country=Country.KOREA)]
        self.partner_places.set(places)


class ProposalActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProposalActivity

    proposal = factory.SubFactory(EventProposalFactory)
    from_state = ProposalState.DRAFT
    to_state = ProposalState.SUBMITTED


class GoodPracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.GoodPractice"

    slug = factory.Sequence(lambda n: f"good-practice-{n}")
    event = factory.SubFactory(ExchangeEventFactory)
    what_en = factory.Sequence(lambda n: f"A joint workshop that other towns can copy ({n}).")
    cost_en = "About 2 million yen, shared by the two cities."


class SuggestionFactory(factory.django.DjangoModelFactory):
    """A city office's new-tie suggestion, submitted; the partner is an office of `place`."""

    class Meta:
        model = "events.Suggestion"

    partner = factory.SubFactory(
        PartnerFactory, office_of=factory.SelfAttribute("..place"), kind="city_government"
    )
    place = factory.SubFactory(CityFactory, country=Country.CHINA)
    kind = "new_tie"
    state = ProposalState.SUBMITTED
    partner_place = factory.SubFactory(CityFactory, country=Country.JAPAN)
    tie_kind = TieKind.FRIENDSHIP
    date = datetime.date(2024, 5, 10)
    label_own = "友好城市"


class SuggestionActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.SuggestionActivity"

    suggestion = factory.SubFactory(SuggestionFactory)
    from_state = ""
    to_state = ProposalState.SUBMITTED
