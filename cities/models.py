"""Places, the ties between them, Culture City designations, figures and sources."""

from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exchangeportal.infra.translation import TextOriginsField, Translated, translated_field_names

from .dates import DatePrecision, format_partial_date, parse_partial_date, partial_date_iso
from .validators import (
    latitude_validators,
    longitude_validators,
    validate_country_code,
    validate_wikidata_id,
)


class Country(models.TextChoices):
    """The three first-class countries; any other ISO code is allowed on a place."""

    CHINA = "CN", _("China")
    JAPAN = "JP", _("Japan")
    KOREA = "KR", _("South Korea")


COUNTRY_TIME_ZONES = {
    Country.CHINA: "Asia/Shanghai",
    Country.JAPAN: "Asia/Tokyo",
    Country.KOREA: "Asia/Seoul",
}

# The place's own script: the name its own people write.
_OWN_SCRIPT_FIELD = {
    Country.CHINA: "name_zh_hans",
    Country.JAPAN: "name_ja",
    Country.KOREA: "name_ko",
}


def country_label(code: str) -> str:
    try:
        return str(Country(code).label)
    except ValueError:
        return code


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class SourceKind(models.TextChoices):
    """Primary: the publisher is a government or an official registry (CLAIR, GAOK, CPAFFC, TCS)."""

    PRIMARY = "primary", _("primary (government or registry)")
    SECONDARY = "secondary", _("secondary (news, lists, encyclopaedias)")


class Source(models.Model):
    """Where a fact comes from: a URL, or a citation where no URL exists."""

    url = models.URLField(_("URL"), max_length=1000, blank=True)
    title = models.CharField(_("title or citation"), max_length=500, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    accessed_on = models.DateField(_("accessed on"), null=True, blank=True)
    kind = models.CharField(
        _("kind of source"),
        max_length=10,
        choices=SourceKind.choices,
        default=SourceKind.SECONDARY,
        help_text=_("Primary when the publisher is a government or an official registry."),
    )
    # A document a city office sent with a suggestion (the signed agreement as a PDF),
    # published with the fact it supports; most sources have a URL instead.
    document = models.FileField(
        _("document"),
        upload_to="sources/",
        max_length=200,
        blank=True,
        help_text=_("A PDF the publisher supplied, e.g. the signed agreement."),
    )

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["publisher", "title", "url"]
        constraints = [
            models.UniqueConstraint(fields=["url", "title"], name="source_unique_url_title"),
            models.CheckConstraint(
                condition=~(Q(url="") & Q(title="")),
                name="source_has_url_or_title",
                violation_error_message=_("A source needs a URL or a citation."),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.publisher or self.url

    @property
    def label(self) -> str:
        """What a reader sees as the link text: the title, else the site's host name."""
        return self.title or self.publisher or urlsplit(self.url).hostname or self.url

    @property
    def link(self) -> str:
        """Where the source can be read: its URL, else its document's address, else ""."""
        if self.url:
            return self.url
        return self.document.url if self.document else ""


class AdminLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    PREFECTURE = "prefecture", _("prefecture")
    METROPOLITAN_CITY = "metropolitan_city", _("metropolitan city")
    SPECIAL_CITY = "special_city", _("special city")
    SAR = "sar", _("special administrative region")
    MUNICIPALITY = "municipality", _("city / municipality")
    DISTRICT = "district", _("district")
    COUNTY = "county", _("county")
    OTHER = "other", _("other")


class CoordinatesBasis(models.TextChoices):
    PLACE = "place", _("the place itself")
    CAPITAL = "capital", _("its capital")


class KanaBasis(models.TextChoices):
    """Where a Japanese place's kana reading comes from."""

    GAZETTEER = "gazetteer", _("gazetteer (GeoNames)")
    MACHINE = "machine", _("machine reading")
    ROMANISATION = "romanised", _("machine reading of the romanised name")
    CURATOR = "curator", _("curator")


# The readings a program made (and the place page marks as such).
MACHINE_KANA_BASES = frozenset({KanaBasis.MACHINE, KanaBasis.ROMANISATION})


class CityQuerySet(models.QuerySet):
    def with_parent(self):
        return self.select_related("parent")

    def without_coordinates(self):
        """Places the map cannot show: latitude or longitude unknown."""
        return self.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))


def _script_name_fields() -> tuple[str, ...]:
    """The name in each UI language, with traditional Chinese beside simplified."""
    fields = translated_field_names("name")
    fields.insert(fields.index("name_zh_hans") + 1, "name_zh_hant")
    return tuple(fields)


class City(TimestampedModel):
    """A place: a city, district, county, prefecture, province, metropolitan city or SAR."""

    # The one definition of the fields a place's names live in: its name in each script,
    # then the official romanisation and the other spellings (one per line). Search keys,
    # admin search, imports, the gazetteer, the demo loader and the API derive their lists.
    SCRIPT_NAME_FIELDS = _script_name_fields()
    NAME_FIELDS = (*SCRIPT_NAME_FIELDS, "romanization", "aliases")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        validators=[validate_country_code],
        help_text=_("ISO 3166-1 alpha-2 code: CN, JP, KR, or any other."),
    )
    admin_level = models.CharField(
        _("administrative level"),
        max_length=20,
        choices=AdminLevel.choices,
        default=AdminLevel.MUNICIPALITY,
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    valid_from = models.DateField(_("exists since"), null=True, blank=True)
    valid_to = models.DateField(
        _("exists until"),
        null=True,
        blank=True,
        help_text=_("For places merged or dissolved: kept, with the date."),
    )

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh_hans = models.CharField(_("name (simplified Chinese)"), max_length=200, blank=True)
    name_zh_hant = models.CharField(_("name (traditional Chinese)"), max_length=200, blank=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=200, blank=True)
    romanization = models.CharField(
        _("official romanisation"),
        max_length=200,
        blank=True,
        help_text=_("Pinyin, modified Hepburn with macrons, or Revised Romanization."),
    )
    aliases = models.TextField(
        _("other spellings"),
        blank=True,
        help_text=_("One per line: old romanisations, forms with 市 / 시 / 県 suffixes …"),
    )
    # The reading of a Japanese place's name in hiragana, from the gazetteer file (GeoNames'
    # own kana, else the analyser's reading its Latin names confirm) or a curator. The
    # search keys index it (in kana and Hepburn); no analyser runs when they are rebuilt.
    name_kana = models.CharField(
        _("reading (kana)"),
        max_length=200,
        blank=True,
        help_text=_("Hiragana; several readings separated by spaces (なら ならし)."),
    )
    name_kana_basis = models.CharField(
        _("reading from"),
        max_length=10,
        choices=KanaBasis.choices,
        blank=True,
    )

    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=latitude_validators,
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=longitude_validators,
    )
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    population_as_of = models.DateField(
        _("population as of"),
        null=True,
        blank=True,
        help_text=_("Date of the figure's source, e.g. the GeoNames snapshot it came from."),
    )
    coordinates_basis = models.CharField(
        _("coordinates of"),
        max_length=10,
        choices=CoordinatesBasis.choices,
        blank=True,
        help_text=_("A province or prefecture is shown at its capital."),
    )
    unresolved = models.BooleanField(
        _("unresolved"),
        default=False,
        help_text=_(
            "Created by an import from a name that no stored or gazetteer place answers to: "
            "a curator should check it, add its names and coordinates, or merge it."
        ),
    )
    area_km2 = models.DecimalField(
        _("area (km²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    website = models.URLField(_("website"), max_length=500, blank=True)
    photo = models.ImageField(_("photo"), upload_to="places/", blank=True)
    photo_credit = models.CharField(_("photo credit"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh_hans = models.TextField(_("description (simplified Chinese)"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_ko = models.TextField(_("description (Korean)"), blank=True)
    geonames_id = models.PositiveIntegerField(_("GeoNames id"), null=True, blank=True)
    wikidata_id = models.CharField(
        _("Wikidata id"), max_length=20, blank=True, validators=[validate_wikidata_id]
    )
    note = models.TextField(_("curator's note"), blank=True)

    name = Translated("name")
    description = Translated("description")
    text_origins = TextOriginsField()

    objects = CityQuerySet.as_manager()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name_en", "country"]
        indexes = [
            models.Index(fields=["country", "admin_level"]),
            models.Index(fields=["name_en"]),
            models.Index(fields=["population"]),
            # Indexes for scale (migration 0003_indexes): the data version's MAX(updated_at),
            # the directory filtered by country in name order.
            models.Index(fields=["updated_at"], name="city_updated_at_idx"),
            models.Index(fields=["country", "name_en"], name="city_country_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="city_valid_to_after_valid_from",
                violation_error_message=_("A place cannot stop existing before it began."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="city_not_own_parent",
                violation_error_message=_("A place cannot be part of itself."),
            ),
        ]

    def __str__(self) -> str:
        return self.name_en

    def get_absolute_url(self) -> str:
        return reverse("cities:city_detail", kwargs={"slug": self.slug})

    @property
    def own_script_name(self) -> str:
        """The name in the place's own script (CN → 简体, JP → 日本語, KR → 한국어)."""
        field = _OWN_SCRIPT_FIELD.get(self.country)
        return (getattr(self, field) if field else "") or self.name_en

    @property
    def country_name(self) -> str:
        return country_label(self.country)

    @property
    def time_zone(self) -> ZoneInfo:
        return ZoneInfo(COUNTRY_TIME_ZONES.get(self.country, "UTC"))

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def kana_list(self) -> list[str]:
        """The stored kana readings, in order."""
        return self.name_kana.split()

    @property
    def name_kana_is_machine(self) -> bool:
        return bool(self.name_kana) and self.name_kana_basis in MACHINE_KANA_BASES


class SocialPlatform(models.TextChoices):
    WECHAT = "wechat", "WeChat"
    WEIBO = "weibo", "Weibo"
    YOUTUBE = "youtube", "YouTube"
    FACEBOOK = "facebook", "Facebook"
    X = "x", "X"
    INSTAGRAM = "instagram", "Instagram"
    LINE = "line", "LINE"
    NAVER_BLOG = "naver_blog", "Naver Blog"
    KAKAO_CHANNEL = "kakao_channel", "KakaoTalk Channel"
    OTHER = "other", _("other")


class SocialAccount(models.Model):
    city = models.ForeignKey(
        City, verbose_name=_("place"), on_delete=models.CASCADE, related_name="social_accounts"
    )
    platform = models.CharField(_("platform"), max_length=20, choices=SocialPlatform.choices)
    address = models.CharField(_("URL or account id"), max_length=500)

    class Meta:
        verbose_name = _("social account")
        verbose_name_plural = _("social accounts")
        ordering = ["platform"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "platform", "address"], name="social_account_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.address}"

    @property
    def is_url(self) -> bool:
        return self.address.startswith(("https://", "http://"))


class TieKind(models.TextChoices):
    SISTER = "sister", _("sister city")
    FRIENDSHIP = "friendship", _("friendship city")
    FRIENDLY_EXCHANGE = "friendly_exchange", _("friendly exchange")
    PARTNERSHIP = "partnership", _("partnership")
    OTHER = "other", _("other")


class DateBasis(models.TextChoices):
    SIGNED = "signed", _("agreement signed")
    CEREMONY = "ceremony", _("ceremony")
    COUNCIL = "council", _("council approval")
    MEMORANDUM = "memorandum", _("memorandum")
    UNKNOWN = "unknown", _("unknown")


class TieStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    DORMANT = "dormant", _("dormant")
    ENDED = "ended", _("ended")


class TieEvidence(models.TextChoices):
    PRIMARY = "primary", _("primary source")
    SECONDARY = "secondary", _("secondary source")
    UNVERIFIED = "unverified", _("unverified")


class FriendshipLinkQuerySet(models.QuerySet):
    def with_places(self):
        return self.select_related("city_a", "city_b")

    def involving(self, city):
        return self.filter(Q(city_a=city) | Q(city_b=city))

    def without_date(self):
        """Ties whose establishment date is unknown."""
        return self.filter(established_on__isnull=True)

    def without_source(self):
        """Ties that name no source at all."""
        return self.filter(sources__isnull=True)

    def between(self, slug_a: str, slug_b: str):
        """The tie joining the places with these slugs, in either order (at most one)."""
        return self.filter(
            Q(city_a__slug=slug_a, city_b__slug=slug_b)
            | Q(city_a__slug=slug_b, city_b__slug=slug_a)
        )


class FriendshipLink(TimestampedModel):
    """A tie between two places: one record per unordered pair."""

    city_a = models.ForeignKey(
        City, verbose_name=_("place A"), on_delete=models.PROTECT, related_name="ties_as_a"
    )
    city_b = models.ForeignKey(
        City, verbose_name=_("place B"), on_delete=models.PROTECT, related_name="ties_as_b"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TieKind.choices)
    label_a = models.CharField(
        _("label used by place A"),
        max_length=200,
        blank=True,
        help_text=_("Place A's own term, in its own language (e.g. 友好城市)."),
    )
    label_b = models.CharField(
        _("label used by place B"),
        max_length=200,
        blank=True,
        help_text=_("Place B's own term, in its own language (e.g. 자매도시)."),
    )
    established_on = models.DateField(_("established"), null=True, blank=True)
    established_precision = models.CharField(
        _("precision of the date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    date_basis = models.CharField(
        _("date basis"), max_length=20, choices=DateBasis.choices, default=DateBasis.UNKNOWN
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TieStatus.choices, default=TieStatus.ACTIVE
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.TextField(
        _("research note"),
        blank=True,
        help_text=_("For curators only: how the sources were read, doubts, what to check."),
    )
    public_note_en = models.TextField(
        _("public note (English)"), blank=True, help_text=_("Shown on the tie's page.")
    )
    public_note_zh_hans = models.TextField(_("public note (simplified Chinese)"), blank=True)
    public_note_ja = models.TextField(_("public note (Japanese)"), blank=True)
    public_note_ko = models.TextField(_("public note (Korean)"), blank=True)
    verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Confirmed against a trustworthy source; unverified ties are weakly sourced."),
    )
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True)

    public_note = Translated("public_note")
    text_origins = TextOriginsField()

    objects = FriendshipLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("tie")
        verbose_name_plural = _("ties")
        ordering = ["established_on", "id"]
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["established_on"]),
            # Indexes for scale (migration 0003_indexes): the data version's MAX(updated_at),
            # the ties list/map filtered by status or kind in date order.
            models.Index(fields=["updated_at"], name="tie_updated_at_idx"),
            models.Index(fields=["status", "established_on"], name="tie_status_established_idx"),
            models.Index(fields=["kind", "established_on"], name="tie_kind_established_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(city_a=F("city_b")),
                name="tie_not_with_itself",
                violation_error_message=_("A place cannot be tied to itself."),
            ),
            models.UniqueConstraint(
                Least("city_a", "city_b"),
                Greatest("city_a", "city_b"),
                name="tie_unique_unordered_pair",
                violation_error_message=_(
                    "These two places are already tied (in one order or the other)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(status=TieStatus.ENDED),
                name="tie_ended_on_only_when_ended",
                violation_error_message=_("Only an ended tie has an end date."),
            ),
        ]

    def __str__(self) -> str:
        details = self.get_kind_display()
        if self.established_on:
            details = f"{details}, {self.established_on.year}"
        return f"{self.city_a} — {self.city_b} ({details})"

    def get_absolute_url(self) -> str:
        slug_a, slug_b = sorted([self.city_a.slug, self.city_b.slug])
        return reverse("cities:tie_detail", kwargs={"slug_a": slug_a, "slug_b": slug_b})

    @property
    def established_display(self) -> str:
        return format_partial_date(self.established_on, self.established_precision)

    @property
    def established_iso(self) -> str:
        return partial_date_iso(self.established_on, self.established_precision)

    @property
    def evidence(self) -> str:
        """Primary, secondary or unverified (`TieEvidence`): from `verified` and the sources' kinds.

        Reads `sources.all()`, so list views prefetch the sources.
        """
        if not self.verified:
            return TieEvidence.UNVERIFIED
        if any(source.kind == SourceKind.PRIMARY for source in self.sources.all()):
            return TieEvidence.PRIMARY
        return TieEvidence.SECONDARY

    def get_evidence_display(self) -> str:
        return str(TieEvidence(self.evidence).label)

    def partner_of(self, city: City) -> City:
        return self.city_b if city.pk == self.city_a_id else self.city_a

    def label_of(self, city: City) -> str:
        return self.label_a if city.pk == self.city_a_id else self.label_b


class ConflictField(models.TextChoices):
    KIND = "kind", _("kind")
    ESTABLISHED = "established", _("date established")
    LABEL_A = "label_a", _("label used by place A")
    LABEL_B = "label_b", _("label used by place B")
    NAME_EN = "name_en", _("name (English)")
    NAME_ZH_HANS = "name_zh_hans", _("name (simplified Chinese)")
    NAME_ZH_HANT = "name_zh_hant", _("name (traditional Chinese)")
    NAME_JA = "name_ja", _("name (Japanese)")
    NAME_KO = "name_ko", _("name (Korean)")
    ROMANIZATION = "romanization", _("official romanisation")


# The conflicts that concern a place rather than a tie: a name in one script.
PLACE_CONFLICT_FIELDS = (
    ConflictField.NAME_EN,
    ConflictField.NAME_ZH_HANS,
    ConflictField.NAME_ZH_HANT,
    ConflictField.NAME_JA,
    ConflictField.NAME_KO,
    ConflictField.ROMANIZATION,
)


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACCEPTED = "accepted", _("incoming value accepted")
    DISMISSED = "dismissed", _("curated value kept")


class TieConflict(models.Model):
    """A fact from outside (an import, a city office's suggestion) that disagrees with a curated
    tie or place: kept for a curator, not written. Names concern the place, the rest the tie."""

    tie = models.ForeignKey(
        "FriendshipLink",
        verbose_name=_("tie"),
        on_delete=models.CASCADE,
        related_name="conflicts",
        null=True,
        blank=True,
    )
    place = models.ForeignKey(
        City,
        verbose_name=_("place"),
        on_delete=models.CASCADE,
        related_name="conflicts",
        null=True,
        blank=True,
    )
    field = models.CharField(_("field"), max_length=20, choices=ConflictField.choices)
    current_value = models.CharField(_("curated value"), max_length=200, blank=True)
    incoming_value = models.CharField(_("incoming value"), max_length=200)
    current_sources = models.TextField(_("curated value's sources"), blank=True)
    incoming_source = models.ForeignKey(
        Source,
        verbose_name=_("incoming value's source"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    origin = models.CharField(
        _("from"), max_length=300, blank=True, help_text=_("The file and line it came from.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ConflictStatus.choices, default=ConflictStatus.OPEN
    )
    created_at = models.DateTimeField(_("found"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import conflict")
        verbose_name_plural = _("import conflicts")
        ordering = ["status", "-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tie", "field", "incoming_value"],
                condition=Q(status="open"),
                name="tie_conflict_open_once",
            ),
            models.UniqueConstraint(
                fields=["place", "field", "incoming_value"],
                condition=Q(status="open"),
                name="place_conflict_open_once",
            ),
            models.CheckConstraint(
                condition=Q(tie__isnull=False, place__isnull=True)
                | Q(tie__isnull=True, place__isnull=False),
                name="conflict_of_a_tie_or_a_place",
                violation_error_message=_("A conflict concerns either a tie or a place."),
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="tie_conflict_status_idx")]

    def __str__(self) -> str:
        subject = self.tie if self.tie_id else self.place
        return f"{subject}: {self.get_field_display()} {self.current_value} ≠ {self.incoming_value}"

    @property
    def incoming_display(self) -> str:
        """The incoming value as a reader reads it (a kind's name, a partial date)."""
        if self.field == ConflictField.KIND:
            try:
                return str(TieKind(self.incoming_value).label)
            except ValueError:
                return self.incoming_value
        if self.field == ConflictField.ESTABLISHED:
            try:
                return format_partial_date(*parse_partial_date(self.incoming_value))
            except ValueError:
                return self.incoming_value
        return self.incoming_value


class TieNote(models.Model):
    """A note an import brought for a tie that already has a curated note: kept, with its source."""

    tie = models.ForeignKey(
        "FriendshipLink", verbose_name=_("tie"), on_delete=models.CASCADE, related_name="kept_notes"
    )
    text = models.TextField(_("note"))
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.SET_NULL, null=True, blank=True
    )
    origin = models.CharField(_("from"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("kept on"), auto_now_add=True)

    class Meta:
        verbose_name = _("imported note")
        verbose_name_plural = _("imported notes")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["tie", "text"], name="tie_note_unique")]

    def __str__(self) -> str:
        return self.text[:80]


class MilestoneKind(models.TextChoices):
    MEMORANDUM = "memorandum", _("memorandum of understanding")
    AGREEMENT = "agreement", _("agreement")
    UPGRADE = "upgrade", _("upgrade")
    RENEWAL = "renewal", _("renewal")
    SUSPENSION = "suspension", _("suspension")
    END = "end", _("end")


class LinkMilestone(models.Model):
    """A dated step in the life of a tie (memorandum, agreement, upgrade …)."""

    link = models.ForeignKey(
        FriendshipLink, verbose_name=_("tie"), on_delete=models.CASCADE, related_name="milestones"
    )
    date = models.DateField(_("date"))
    date_precision = models.CharField(
        _("precision of the date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MilestoneKind.choices)
    kind_after = models.CharField(
        _("kind of tie after this step"),
        max_length=20,
        choices=TieKind.choices,
        blank=True,
    )
    note_en = models.TextField(_("public note (English)"), blank=True)
    note_zh_hans = models.TextField(_("public note (simplified Chinese)"), blank=True)
    note_ja = models.TextField(_("public note (Japanese)"), blank=True)
    note_ko = models.TextField(_("public note (Korean)"), blank=True)
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True)

    note = Translated("note")
    text_origins = TextOriginsField()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["link", "date", "kind"],
                name="milestone_unique_per_tie_date_kind",
                violation_error_message=_("This tie already has this step on this date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.date_display})"

    @property
    def date_display(self) -> str:
        return format_partial_date(self.date, self.date_precision)


class DesignationStatus(models.TextChoices):
    SELECTED = "selected", _("selected")
    PROCLAIMED = "proclaimed", _("proclaimed")
    EXTENDED = "extended", _("extended")
    CANCELLED = "cancelled", _("cancelled")


class CultureCityDesignation(TimestampedModel):
    """A Culture City of East Asia designation: one place, one year."""

    year = models.PositiveSmallIntegerField(_("year"))
    city = models.ForeignKey(
        City, verbose_name=_("place"), on_delete=models.PROTECT, related_name="designations"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DesignationStatus.choices,
        default=DesignationStatus.PROCLAIMED,
    )
    theme_en = models.CharField(_("theme (English)"), max_length=300, blank=True)
    theme_zh_hans = models.CharField(_("theme (simplified Chinese)"), max_length=300, blank=True)
    theme_ja = models.CharField(_("theme (Japanese)"), max_length=300, blank=True)
    theme_ko = models.CharField(_("theme (Korean)"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True)

    theme = Translated("theme")
    text_origins = TextOriginsField()

    class Meta:
        verbose_name = _("Culture City designation")
        verbose_name_plural = _("Culture City designations")
        ordering = ["-year", "city__country"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "city"],
                name="designation_unique_year_place",
                violation_error_message=_("This place already has a designation for this year."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2014) & Q(year__lte=2100),
                name="designation_year_from_2014",
                violation_error_message=_("Culture Cities of East Asia are named from 2014 on."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.city} ({self.get_status_display()})"

    @property
    def proclamation_missing(self) -> bool:
        """Its year has begun, yet the sources show only the national selection."""
        return self.status == DesignationStatus.SELECTED and self.year <= timezone.localdate().year


class ExchangeIndicator(TimestampedModel):
    """A figure about a place's exchanges (inbound tourists, students exchanged …)."""

    city = models.ForeignKey(
        City, verbose_name=_("place"), on_delete=models.CASCADE, related_name="indicators"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    indicator_en = models.CharField(_("figure (English)"), max_length=300)
    indicator_zh_hans = models.CharField(
        _("figure (simplified Chinese)"), max_length=300, blank=True
    )
    indicator_ja = models.CharField(_("figure (Japanese)"), max_length=300, blank=True)
    indicator_ko = models.CharField(_("figure (Korean)"), max_length=300, blank=True)
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=4)
    unit_en = models.CharField(_("unit (English)"), max_length=50)
    unit_zh_hans = models.CharField(_("unit (simplified Chinese)"), max_length=50, blank=True)
    unit_ja = models.CharField(_("unit (Japanese)"), max_length=50, blank=True)
    unit_ko = models.CharField(_("unit (Korean)"), max_length=50, blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    note_zh_hans = models.TextField(_("note (simplified Chinese)"), blank=True)
    note_ja = models.TextField(_("note (Japanese)"), blank=True)
    note_ko = models.TextField(_("note (Korean)"), blank=True)
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True)

    indicator = Translated("indicator")
    unit = Translated("unit")
    note = Translated("note")
    text_origins = TextOriginsField()

    class Meta:
        verbose_name = _("exchange indicator")
        verbose_name_plural = _("exchange indicators")
        ordering = ["city", "indicator_en", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "year", "indicator_en"],
                name="indicator_unique_place_year",
                violation_error_message=_("This figure is already recorded for this year."),
            )
        ]

    def __str__(self) -> str:
        value = Decimal(self.value).normalize()
        return f"{self.city} {self.year}: {self.indicator} = {value:f} {self.unit}"


class TrilateralGroup(TimestampedModel):
    """A known China–Japan–Korea group of three places with a joint programme."""

    city_cn = models.ForeignKey(
        City, verbose_name=_("Chinese member"), on_delete=models.PROTECT, related_name="+"
    )
    city_jp = models.ForeignKey(
        City, verbose_name=_("Japanese member"), on_delete=models.PROTECT, related_name="+"
    )
    city_kr = models.ForeignKey(
        City, verbose_name=_("Korean member"), on_delete=models.PROTECT, related_name="+"
    )
    link_years = models.CharField(_("tie years as reported"), max_length=300, blank=True)
    joint_programme_en = models.TextField(_("joint programme (English)"), blank=True)
    joint_programme_zh_hans = models.TextField(
        _("joint programme (simplified Chinese)"), blank=True
    )
    joint_programme_ja = models.TextField(_("joint programme (Japanese)"), blank=True)
    joint_programme_ko = models.TextField(_("joint programme (Korean)"), blank=True)
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True)

    joint_programme = Translated("joint_programme")
    text_origins = TextOriginsField()

    class Meta:
        verbose_name = _("trilateral group")
        verbose_name_plural = _("trilateral groups")
        ordering = ["city_cn__name_en"]
        constraints = [
            models.UniqueConstraint(
                fields=["city_cn", "city_jp", "city_kr"], name="trilateral_group_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.city_cn} – {self.city_jp} – {self.city_kr}"

    @property
    def members(self) -> list[City]:
        return [self.city_cn, self.city_jp, self.city_kr]


class CitySearchKey(models.Model):
    """A normalised search key of a place, or the end of one (see `cities.search`).

    Derived from the place's names, never edited. Keys that are a name's end
    (`is_suffix`) let the database answer "contains" from the index: a query is
    inside a name exactly when some end of that name starts with it.
    """

    city = models.ForeignKey(
        City,
        verbose_name=_("place"),
        on_delete=models.CASCADE,
        related_name="search_keys",
        db_index=False,  # the (city, key) unique constraint's index serves it
    )
    key = models.CharField(_("search key"), max_length=200)
    is_suffix = models.BooleanField(
        _("end of a key"), default=False, help_text=_("The end of a longer key, not a whole one.")
    )

    class Meta:
        verbose_name = _("search key")
        verbose_name_plural = _("search keys")
        ordering = ["city", "is_suffix", "key"]
        constraints = [
            models.UniqueConstraint(fields=["city", "key"], name="city_search_key_unique")
        ]
        indexes = [
            # varchar_pattern_ops lets PostgreSQL serve LIKE 'prefix%' from the index;
            # other databases ignore it and build a plain index, which serves a range.
            models.Index(
                fields=["key"], name="city_search_key_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.key


class HistoryVia(models.TextChoices):
    """Who made a change, as the public reads it."""

    CURATOR = "curator", _("a curator")
    IMPORT = "import", _("an import")
    OFFICE = "office", _("the city office")


class HistoryAction(models.TextChoices):
    CREATED = "created", _("recorded")
    CHANGED = "changed", _("changed")
    MILESTONE = "milestone", _("milestone added")
    CONFLICT = "conflict", _("kept for a curator")


class HistoryEntryQuerySet(models.QuerySet):
    def for_page(self):
        """Newest first, with what each line shows (source, milestone, user) loaded."""
        return self.select_related("source", "milestone", "changed_by").order_by(
            "-created_at", "-id"
        )


class HistoryEntry(models.Model):
    """One change to a tie or a place: who, when, which fields (old → new), from which source.

    Written only by `cities.services` (`history_record`), never edited; `changes` maps a
    field name to [old, new] as stored text (dates in ISO form, choices by value).
    """

    tie = models.ForeignKey(
        FriendshipLink,
        verbose_name=_("tie"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="history",
    )
    place = models.ForeignKey(
        City,
        verbose_name=_("place"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="history",
    )
    action = models.CharField(_("action"), max_length=10, choices=HistoryAction.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    milestone = models.ForeignKey(
        LinkMilestone,
        verbose_name=_("milestone"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    via = models.CharField(_("by"), max_length=10, choices=HistoryVia.choices)
    via_detail = models.CharField(
        _("details"),
        max_length=300,
        blank=True,
        help_text=_("The organisation, the suggestion or the file the change came from."),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = HistoryEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tie", "created_at"], name="history_tie_idx"),
            models.Index(fields=["place", "created_at"], name="history_place_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(tie__isnull=False, place__isnull=True)
                | Q(tie__isnull=True, place__isnull=False),
                name="history_of_a_tie_or_a_place",
            ),
        ]

    def __str__(self) -> str:
        subject = self.tie_id and f"tie {self.tie_id}" or f"place {self.place_id}"
        return f"{subject}: {self.action} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def rows(self) -> list[tuple[str, str, str]]:
        """(field's name, old, new) for each change, as a reader reads them, in field order."""
        model = FriendshipLink if self.tie_id else City
        rows = []
        for name, (old, new) in self.changes.items():
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:  # a field since removed: show its name
                rows.append((name, old, new))
                continue
            rows.append(
                (
                    str(model_field.verbose_name),
                    _history_value(model_field, old),
                    _history_value(model_field, new),
                )
            )
        return rows


def _history_value(model_field, value) -> str:
    """A stored history value as text: a choice's label, yes/no, or the text itself."""
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    if isinstance(model_field, models.DateField):
        try:
            return format_partial_date(*parse_partial_date(str(value)))
        except ValueError:
            return str(value)
    return str(value)
