"""Exchange events and the series they belong to."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.dates import DatePrecision, format_partial_date, partial_date_iso
from cities.models import (
    City,
    CultureCityDesignation,
    FriendshipLink,
    Source,
    TimestampedModel,
)
from cities.validators import validate_currency_code
from exchangeportal.infra.translation import TextOriginsField, Translated


class EventCategory(models.TextChoices):
    CULTURE = "culture", _("culture")
    SPORTS = "sports", _("sports")
    TOURISM = "tourism", _("tourism")
    TRADE_INVESTMENT = "trade_investment", _("trade and investment")
    EDUCATION_YOUTH = "education_youth", _("education and youth")
    SCIENCE_TECHNOLOGY = "science_technology", _("science and technology")
    GOVERNMENT = "government", _("government")
    HEALTH_DISASTER_RELIEF = "health_disaster_relief", _("health and disaster relief")
    OTHER = "other", _("other")


class EventFormat(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    ONLINE = "online", _("online")
    HYBRID = "hybrid", _("hybrid")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")
    POSTPONED = "postponed", _("postponed")


class EventSeries(TimestampedModel):
    """A recurring exchange (the CJK Go tournament since 1999, the World Canal Cities Forum)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_zh_hans = models.CharField(_("name (simplified Chinese)"), max_length=300, blank=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=300, blank=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh_hans = models.TextField(_("description (simplified Chinese)"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_ko = models.TextField(_("description (Korean)"), blank=True)
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True)

    name = Translated("name")
    description = Translated("description")
    text_origins = TextOriginsField()

    class Meta:
        verbose_name = _("event series")
        verbose_name_plural = _("event series")
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_en

    def get_absolute_url(self) -> str:
        return reverse("events:series_detail", kwargs={"slug": self.slug})


class ExchangeEventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_places(self):
        return self.select_related("host", "series")

    def upcoming(self, *, today: datetime.date | None = None):
        return self.filter(ends_on__gte=today or timezone.localdate())

    def past(self, *, today: datetime.date | None = None):
        return self.filter(ends_on__lt=today or timezone.localdate())


class ExchangeEvent(TimestampedModel):
    """An exchange activity between places: a tournament, a forum, an exhibition …"""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_zh_hans = models.CharField(_("title (simplified Chinese)"), max_length=300, blank=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=300, blank=True)
    title_ko = models.CharField(_("title (Korean)"), max_length=300, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_zh_hans = models.TextField(_("summary (simplified Chinese)"), blank=True)
    summary_ja = models.TextField(_("summary (Japanese)"), blank=True)
    summary_ko = models.TextField(_("summary (Korean)"), blank=True)
    description = models.TextField(_("description"), blank=True)

    starts_on = models.DateField(_("starts on"), help_text=_("Local date at the host place."))
    ends_on = models.DateField(_("ends on"), help_text=_("Local date at the host place."))
    date_precision = models.CharField(
        _("precision of the dates"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    starts_at = models.DateTimeField(
        _("start time"),
        null=True,
        blank=True,
        help_text=_("When the exact start time is known (stored in UTC, shown in local time)."),
    )

    host = models.ForeignKey(
        City, verbose_name=_("host place"), on_delete=models.PROTECT, related_name="hosted_events"
    )
    partners = models.ManyToManyField(
        City, verbose_name=_("partner places"), blank=True, related_name="partnered_events"
    )
    partner_organisations = models.CharField(
        _("partner organisations"),
        max_length=500,
        blank=True,
        help_text=_("Organisations that are not places (CPAFFC, CLAIR …), separated by ';'."),
    )
    category = models.CharField(_("category"), max_length=30, choices=EventCategory.choices)
    format = models.CharField(
        _("format"), max_length=10, choices=EventFormat.choices, default=EventFormat.IN_PERSON
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    series = models.ForeignKey(
        EventSeries,
        verbose_name=_("series"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    edition = models.PositiveSmallIntegerField(_("edition"), null=True, blank=True)
    links = models.ManyToManyField(
        FriendshipLink, verbose_name=_("ties served"), blank=True, related_name="events"
    )
    designation = models.ForeignKey(
        CultureCityDesignation,
        verbose_name=_("Culture City year"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    budget_amount = models.DecimalField(
        _("budget"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    budget_currency = models.CharField(
        _("currency"), max_length=3, blank=True, validators=[validate_currency_code]
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    outcome_en = models.TextField(_("outcome (English)"), blank=True)
    outcome_zh_hans = models.TextField(_("outcome (simplified Chinese)"), blank=True)
    outcome_ja = models.TextField(_("outcome (Japanese)"), blank=True)
    outcome_ko = models.TextField(_("outcome (Korean)"), blank=True)
    image = models.ImageField(_("image"), upload_to="events/", blank=True)
    image_alt = models.CharField(
        _("image description"),
        max_length=300,
        blank=True,
        help_text=_("What the image shows, for readers who cannot see it."),
    )
    image_credit = models.CharField(_("image credit"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.PLANNED
    )
    is_published = models.BooleanField(_("published"), default=True)
    note = models.TextField(_("curator's note"), blank=True)
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True)

    title = Translated("title")
    summary = Translated("summary")
    outcome = Translated("outcome")
    text_origins = TextOriginsField()

    objects = ExchangeEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_on", "id"]
        indexes = [
            models.Index(fields=["is_published", "starts_on"]),
            models.Index(fields=["is_published", "ends_on"]),
            models.Index(fields=["category"]),
            models.Index(fields=["format"]),
            # Indexes for scale (migration 0006_indexes): the data version's MAX(updated_at),
            # a place's events and the host filter in date order, the API's title order.
            models.Index(fields=["updated_at"], name="event_updated_at_idx"),
            models.Index(
                fields=["host", "is_published", "starts_on"], name="event_host_starts_idx"
            ),
            models.Index(fields=["title_en"], name="event_title_en_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="event_ends_on_or_after_start",
                violation_error_message=_("An event cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["series", "edition"],
                condition=Q(series__isnull=False, edition__isnull=False),
                name="event_unique_series_edition",
                violation_error_message=_("This series already has an event with this edition."),
            ),
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | Q(budget_amount__gte=0),
                name="event_budget_not_negative",
                violation_error_message=_("A budget cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title_en} ({self.starts_on.year})"

    def get_absolute_url(self) -> str:
        return reverse("events:event_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        errors = {}
        if self.budget_amount is not None and not self.budget_currency:
            errors["budget_currency"] = _("Give the currency of the budget.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("An event cannot end before it starts.")
        if self.starts_at and self.starts_on and self.host_id:
            local_day = self.starts_at.astimezone(self.host.time_zone).date()
            if local_day != self.starts_on:
                errors["starts_at"] = _(
                    "The start time falls on %(day)s at the host place, not on the start date."
                ) % {"day": local_day.isoformat()}
        if errors:
            raise ValidationError(errors)

    @property
    def outcome_missing(self) -> bool:
        """Still "planned" after its last day: what happened is not recorded yet."""
        return self.status == EventStatus.PLANNED and self.ends_on < timezone.localdate()

    @property
    def dates_display(self) -> str:
        start = format_partial_date(self.starts_on, self.date_precision)
        end = format_partial_date(self.ends_on, self.date_precision)
        return start if start == end else f"{start} – {end}"

    @property
    def starts_iso(self) -> str:
        return partial_date_iso(self.starts_on, self.date_precision)

    @property
    def ends_iso(self) -> str:
        return partial_date_iso(self.ends_on, self.date_precision)

    @property
    def local_starts_at(self) -> datetime.datetime | None:
        """The start time in the host place's time zone."""
        if self.starts_at is None:
            return None
        return self.starts_at.astimezone(self.host.time_zone)

    @property
    def organiser(self):
        """The partner that proposed the event through the portal, or None (select
        `proposal__partner` with the event to read it without a query)."""
        proposal = getattr(self, "proposal", None)  # none: RelatedObjectDoesNotExist
        return proposal.partner if proposal is not None else None

    @property
    def partner_organisation_list(self) -> list[str]:
        return [name.strip() for name in self.partner_organisations.split(";") if name.strip()]


class GoodPracticeQuerySet(models.QuerySet):
    def published(self):
        """Published cases; a case told through an event needs that event published too."""
        return self.filter(is_published=True).filter(
            Q(event__isnull=True) | Q(event__is_published=True)
        )

    def for_list(self):
        return self.select_related("event", "event__host", "series").prefetch_related(
            models.Prefetch("places", queryset=City.objects.order_by("name_en")),
            models.Prefetch("sources", queryset=Source.objects.order_by("publisher", "title")),
            models.Prefetch("event__partners", queryset=City.objects.order_by("name_en")),
            models.Prefetch(
                "event__sources", queryset=Source.objects.order_by("publisher", "title")
            ),
        )


class GoodPractice(TimestampedModel):
    """A successful case of exchange another city can follow: what was done, who took part
    (places and organisations), since when, what came of it, and its sources. A case may be
    told through one event, a series (a tournament held every year) or on its own."""

    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("The case's address; filled from its title when left empty."),
    )
    title_en = models.CharField(
        _("title (English)"),
        max_length=300,
        blank=True,
        help_text=_("Left empty, the case takes the title of its event or series."),
    )
    title_zh_hans = models.CharField(_("title (simplified Chinese)"), max_length=300, blank=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=300, blank=True)
    title_ko = models.CharField(_("title (Korean)"), max_length=300, blank=True)
    event = models.OneToOneField(
        ExchangeEvent,
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="good_practice",
        help_text=_("The event the case is about, or its latest recorded edition."),
    )
    series = models.ForeignKey(
        EventSeries,
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="good_practices",
    )
    places = models.ManyToManyField(
        City, verbose_name=_("places"), blank=True, related_name="good_practices"
    )
    since_on = models.DateField(
        _("since"), null=True, blank=True, help_text=_("When it began (or took place).")
    )
    since_precision = models.CharField(
        _("precision of the date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.YEAR,
    )
    is_ongoing = models.BooleanField(
        _("still running"), default=False, help_text=_("It is repeated to this day.")
    )
    category = models.CharField(
        _("category"),
        max_length=30,
        choices=EventCategory.choices,
        blank=True,
        help_text=_("Left empty, the event's category."),
    )
    format = models.CharField(
        _("format"),
        max_length=10,
        choices=EventFormat.choices,
        blank=True,
        help_text=_("Left empty, the event's format."),
    )
    what_en = models.TextField(_("what was done (English)"))
    what_zh_hans = models.TextField(_("what was done (simplified Chinese)"), blank=True)
    what_ja = models.TextField(_("what was done (Japanese)"), blank=True)
    what_ko = models.TextField(_("what was done (Korean)"), blank=True)
    cost_en = models.TextField(_("what it cost (English)"), blank=True)
    cost_zh_hans = models.TextField(_("what it cost (simplified Chinese)"), blank=True)
    cost_ja = models.TextField(_("what it cost (Japanese)"), blank=True)
    cost_ko = models.TextField(_("what it cost (Korean)"), blank=True)
    who_en = models.TextField(_("who took part (English)"), blank=True)
    who_zh_hans = models.TextField(_("who took part (simplified Chinese)"), blank=True)
    who_ja = models.TextField(_("who took part (Japanese)"), blank=True)
    who_ko = models.TextField(_("who took part (Korean)"), blank=True)
    result_en = models.TextField(_("what came of it (English)"), blank=True)
    result_zh_hans = models.TextField(_("what came of it (simplified Chinese)"), blank=True)
    result_ja = models.TextField(_("what came of it (Japanese)"), blank=True)
    result_ko = models.TextField(_("what came of it (Korean)"), blank=True)
    repeat_en = models.TextField(_("what another city needs to repeat it (English)"), blank=True)
    repeat_zh_hans = models.TextField(
        _("what another city needs to repeat it (simplified Chinese)"), blank=True
    )
    repeat_ja = models.TextField(_("what another city needs to repeat it (Japanese)"), blank=True)
    repeat_ko = models.TextField(_("what another city needs to repeat it (Korean)"), blank=True)
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    title = Translated("title")
    what = Translated("what")
    cost = Translated("cost")
    who = Translated("who")
    result = Translated("result")
    repeat = Translated("repeat")
    text_origins = TextOriginsField()

    objects = GoodPracticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        ordering = [F("since_on").desc(nulls_last=True), "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(what_en=""),
                name="good_practice_has_write_up",
                violation_error_message=_("Say what was done (in English at least)."),
            ),
            models.CheckConstraint(
                condition=Q(event__isnull=False) | Q(series__isnull=False) | ~Q(title_en=""),
                name="good_practice_has_a_subject",
                violation_error_message=_(
                    "Give the case a title (in English at least), an event or a series."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.heading)

    def get_absolute_url(self) -> str:
        return reverse("practices:practice_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        # `self.event` and not only `event_id`: on a new event's page the inline's event is
        # not saved yet.
        if not (self.event is not None or self.series_id or self.title_en):
            raise ValidationError(
                {
                    "title_en": _(
                        "Give the case a title (in English at least), an event or a series."
                    )
                }
            )

    @property
    def heading(self):
        """The case's own title, else its event's, else its series' (select them with it)."""
        if self.title:
            return self.title
        if self.event_id:
            return self.event.title
        if self.series_id:
            return self.series.name
        return self.title

    @property
    def shown_sources(self) -> list:
        """The case's own sources, else its event's (prefetched by `for_list`)."""
        own = list(self.sources.all())
        if own or not self.event_id:
            return own
        return list(self.event.sources.all())

    @property
    def shown_places(self) -> list:
        """The case's places, else its event's host and partner places."""
        own = list(self.places.all())
        if own or not self.event_id:
            return own
        partners = [place for place in self.event.partners.all() if place.pk != self.event.host_id]
        return [self.event.host, *partners]

    @property
    def shown_category(self) -> str:
        return self.category or (self.event.category if self.event_id else "")

    @property
    def shown_format(self) -> str:
        return self.format or (self.event.format if self.event_id else "")

    @property
    def shown_category_display(self) -> str:
        return str(EventCategory(self.shown_category).label) if self.shown_category else ""

    @property
    def shown_format_display(self) -> str:
        return str(EventFormat(self.shown_format).label) if self.shown_format else ""

    @property
    def since_display(self) -> str:
        return format_partial_date(self.since_on, self.since_precision)

    @property
    def since_iso(self) -> str:
        return partial_date_iso(self.since_on, self.since_precision)
