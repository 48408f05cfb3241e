"""The curation desk for places, ties, designations, figures and sources."""

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR
from django.db import models
from django.db.models import Count
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from exchangeportal.infra.image_forms import PipelineImageFormMixin
from exchangeportal.infra.optimistic import (
    LOADED_VERSION_FIELD,
    OptimisticLockAdminMixin,
    optimistic_form,
)
from exchangeportal.infra.translation_desk import TranslationDeskAdminMixin

from .admin_forms import FriendshipLinkAdminForm
from .admin_import import TieImportAdminMixin
from .models import (
    City,
    ConflictStatus,
    CultureCityDesignation,
    ExchangeIndicator,
    FriendshipLink,
    HistoryEntry,
    HistoryVia,
    LinkMilestone,
    SocialAccount,
    Source,
    TieConflict,
    TieNote,
    TrilateralGroup,
)
from .search import CITY_NAME_FIELDS, city_name_match
from .services import city_save_names, tie_conflict_resolve, tie_save, tie_sync_milestones

CITY_SEARCH_FIELDS = [*City.NAME_FIELDS, "slug"]
# A place's names: its name in the four UI languages side by side, then the other scripts
# and spellings.
CITY_NAME_ROWS = [
    City.name.field_names,
    *(name for name in City.NAME_FIELDS if name not in City.name.field_names),
]


def city_search_fields(prefix: str) -> list[str]:
    return [f"{prefix}__{name}" for name in CITY_SEARCH_FIELDS]


def tie_places(tie) -> str:
    """A tie by its two places only: the short form for a change list's column (its kind and
    year have columns of their own)."""
    return f"{tie.city_a.name_en} — {tie.city_b.name_en}"


def short_url(url: str, length: int = 48) -> str:
    """A URL without its scheme, cut to `length` characters, for a change list's column."""
    text = url.split("://", 1)[-1]
    return text if len(text) <= length else f"{text[: length - 1]}…"


# Django 6 assumes https for scheme-less URLs typed into URL fields; say so now.
HTTPS_URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class GapFilter(admin.SimpleListFilter):
    """Records with and without a gap the dashboard counts: `gap_method` names the
    queryset method the count uses; `GAP` lists what it returns, `FILLED` the others."""

    GAP: str
    FILLED: str
    choice_labels: tuple  # (label of GAP, label of FILLED)
    gap_method: str  # a method of the model's queryset, e.g. "without_coordinates"

    def lookups(self, request, model_admin):
        return list(zip((self.GAP, self.FILLED), self.choice_labels, strict=True))

    def queryset(self, request, queryset):
        if self.value() == self.GAP:
            return getattr(queryset, self.gap_method)()
        if self.value() == self.FILLED:
            return queryset.exclude(pk__in=getattr(queryset, self.gap_method)().values("pk"))
        return queryset


class CoordinatesFilter(GapFilter):
    """Places the map cannot show (the dashboard's "places without coordinates")."""

    title = _("coordinates")
    parameter_name = "coordinates"
    GAP, FILLED = "missing", "known"
    choice_labels = (_("missing"), _("known"))
    gap_method = "without_coordinates"


class TieDateFilter(GapFilter):
    """Ties with and without an establishment date (the dashboard's "ties without a date")."""

    title = _("date established")
    parameter_name = "date"
    GAP, FILLED = "unknown", "known"
    choice_labels = (_("unknown"), _("known"))
    gap_method = "without_date"


class TieSourceFilter(GapFilter):
    """Ties that name no source (the dashboard's "ties without a source")."""

    title = _("sources")
    parameter_name = "sourced"
    GAP, FILLED = "no", "yes"
    choice_labels = (_("no source"), _("at least one source"))
    gap_method = "without_source"


class CityAdminForm(PipelineImageFormMixin, forms.ModelForm):
    """Place photos go through the one image pipeline."""

    pipeline_image_fields = ["photo"]

    class Meta:
        model = City
        fields = ["photo"]  # the admin adds the other fields


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URL_FIELDS
    list_display = ["__str__", "publisher", "kind", "url_display", "accessed_on"]
    list_filter = ["kind", "publisher"]
    search_fields = ["title", "url", "publisher"]
    # A document arrives with a city office's suggestion, through the PDF checks there.
    readonly_fields = ["document"]

    @admin.display(description=_("URL"), ordering="url")
    def url_display(self, obj):
        if not obj.url:
            return "—"
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>', obj.url, short_url(obj.url)
        )


class HistoryInline(admin.TabularInline):
    """A tie's or a place's history, newest first: read-only, written by the services."""

    model = HistoryEntry
    fields = [
        "created_at",
        "action",
        "changes_display",
        "source",
        "via",
        "via_detail",
        "changed_by",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("history")

    def get_queryset(self, request):
        return super().get_queryset(request).for_page()

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("changes"))
    def changes_display(self, obj):
        rows = obj.rows
        if obj.milestone_id:
            milestone = format_html("<strong>{}</strong>", obj.milestone)
            rows_html = format_html_join("", "<br>{}: {} → {}", rows)
            return format_html("{}{}", milestone, rows_html)
        return format_html_join(format_html("<br>"), "{}: {} → {}", rows) or "—"

    @admin.display(description=_("URL"), ordering="url")
    def url_display(self, obj):
        if not obj.url:
            return "—"
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>', obj.url, short_url(obj.url)
        )


class SocialAccountInline(admin.TabularInline):
    model = SocialAccount
    formfield_overrides = HTTPS_URL_FIELDS
    extra = 0


class DesignationInline(TranslationDeskAdminMixin, admin.TabularInline):
    model = CultureCityDesignation
    fields = ["year", "status", "theme_en"]
    extra = 0
    show_change_link = True


class TiesAsAInline(admin.TabularInline):
    model = FriendshipLink
    fk_name = "city_a"
    fields = ["city_b", "kind", "established_on", "established_precision", "status", "verified"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("tie (as place A)")
    verbose_name_plural = _("ties (as place A)")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("city_b")


class TiesAsBInline(TiesAsAInline):
    fk_name = "city_b"
    fields = ["city_a", "kind", "established_on", "established_precision", "status", "verified"]
    readonly_fields = fields
    verbose_name = _("tie (as place B)")
    verbose_name_plural = _("ties (as place B)")

    def get_queryset(self, request):
        return super(TiesAsAInline, self).get_queryset(request).select_related("city_a")


class TieConflictInline(admin.TabularInline):
    model = TieConflict
    fields = ["field", "current_value", "incoming_value", "incoming_source", "origin", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(City)
class CityAdmin(TranslationDeskAdminMixin, OptimisticLockAdminMixin, admin.ModelAdmin):
    form = optimistic_form(
        CityAdminForm,
        _(
            "This place was changed by someone else since you opened it — reload to see "
            "their changes."
        ),
    )
    formfield_overrides = HTTPS_URL_FIELDS
    list_display = [
        "name_en",
        "own_script_name",
        "country",
        "admin_level",
        "parent",
        "tie_count",
        "has_coordinates",
    ]
    list_filter = ["country", "admin_level", CoordinatesFilter]
    list_select_related = ["parent"]
    search_fields = CITY_SEARCH_FIELDS
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [
        SocialAccountInline,
        DesignationInline,
        TiesAsAInline,
        TiesAsBInline,
        TieConflictInline,
        HistoryInline,
    ]
    fieldsets = [
        (None, {"fields": ["slug", "country", "admin_level", "parent", "valid_from", "valid_to"]}),
        (
            _("Names"),
            {"fields": [*CITY_NAME_ROWS, ("name_kana", "name_kana_basis")]},
        ),
        (
            _("Facts"),
            {
                "fields": [
                    ("latitude", "longitude"),
                    ("population", "population_year"),
                    "area_km2",
                    "website",
                    ("geonames_id", "wikidata_id"),
                ]
            },
        ),
        (_("Photo"), {"fields": ["photo", "photo_credit"]}),
        (
            _("Description"),
            {"fields": [City.description.field_names]},
        ),
        (_("Curation"), {"fields": ["note"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                ties_a=Count("ties_as_a", distinct=True), ties_b=Count("ties_as_b", distinct=True)
            )
        )

    def get_search_results(self, request, queryset, search_term):
        """The portal's one search: any script, spelling or suffix (see `cities.search`)."""
        if not search_term.strip():
            return queryset, False
        ranked = city_name_match(queryset, search_term)
        if ORDER_VAR in request.GET:  # the curator sorted by a column: keep that order
            ranked = ranked.order_by(*queryset.query.order_by)
        return ranked, False

    readonly_fields = ["name_kana_basis"]

    def save_model(self, request, obj, form, change):
        # A reading the curator typed or corrected is theirs (the service marks it).
        reading = {"name_kana": obj.name_kana} if "name_kana" in form.changed_data else {}
        city_save_names(
            city=obj,
            **{field: getattr(obj, field) for field in CITY_NAME_FIELDS},
            **reading,
            changed_by=request.user,
            via=HistoryVia.CURATOR,
        )

    @admin.display(description=_("own-script name"))
    def own_script_name(self, obj):
        return obj.own_script_name

    @admin.display(description=_("ties"))
    def tie_count(self, obj):
        return obj.ties_a + obj.ties_b

    @admin.display(description=_("on the map"), boolean=True)
    def has_coordinates(self, obj):
        return obj.latitude is not None and obj.longitude is not None


class TieNoteInline(admin.TabularInline):
    """Notes an import brought for a tie that already had a curated note: kept, not written."""

    model = TieNote
    fields = ["text", "source", "origin", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False


class MilestoneInline(TranslationDeskAdminMixin, admin.TabularInline):
    model = LinkMilestone
    fields = [
        "date",
        "date_precision",
        "kind",
        "kind_after",
        *LinkMilestone.note.field_names,
        "sources",
    ]
    autocomplete_fields = ["sources"]
    extra = 0


@admin.register(FriendshipLink)
class FriendshipLinkAdmin(
    TranslationDeskAdminMixin, TieImportAdminMixin, OptimisticLockAdminMixin, admin.ModelAdmin
):
    form = FriendshipLinkAdminForm  # optimistic locking: no silent lost update
    list_display = [
        "places",
        "kind",
        "established_display",
        "date_basis",
        "status",
        "verified",
    ]
    list_filter = [
        "kind",
        "status",
        "verified",
        "date_basis",
        TieDateFilter,
        TieSourceFilter,
        ("city_a__country", admin.AllValuesFieldListFilter),
        ("city_b__country", admin.AllValuesFieldListFilter),
    ]
    list_select_related = ["city_a", "city_b"]
    search_fields = city_search_fields("city_a") + city_search_fields("city_b") + ["note"]
    autocomplete_fields = ["city_a", "city_b", "sources"]
    inlines = [MilestoneInline, TieConflictInline, TieNoteInline, HistoryInline]
    fieldsets = [
        (None, {"fields": [("city_a", "label_a"), ("city_b", "label_b"), "kind"]}),
        (
            _("Dates and status"),
            {
                "fields": [
                    ("established_on", "established_precision", "date_basis"),
                    ("status", "ended_on"),
                ]
            },
        ),
        (
            _("Sources and curation"),
            {
                "fields": [
                    "sources",
                    "verified",
                    FriendshipLink.public_note.field_names,
                    "note",
                ]
            },
        ),
    ]

    @admin.display(description=_("places"), ordering="city_a__name_en")
    def places(self, obj):
        return tie_places(obj)

    @admin.display(description=_("established"), ordering="established_on")
    def established_display(self, obj):
        return obj.established_display

    def save_model(self, request, obj, form, change):
        tie_save(
            tie=obj,
            loaded_version=form.cleaned_data.get(LOADED_VERSION_FIELD),
            changed_by=request.user,
            via=HistoryVia.CURATOR,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Milestones edited in the inline keep the tie's kind and status in step.
        tie_sync_milestones(tie=form.instance)


@admin.register(TieConflict)
class TieConflictAdmin(admin.ModelAdmin):
    """The conflict queue (imports, city offices' suggestions): a curator takes the incoming
    value or keeps the curated one."""

    list_display = ["subject", "field", "current_value", "incoming_value", "origin", "status"]
    list_filter = ["status", "field"]
    list_select_related = ["tie__city_a", "tie__city_b", "place"]
    search_fields = (
        city_search_fields("tie__city_a")
        + city_search_fields("tie__city_b")
        + city_search_fields("place")
    )
    readonly_fields = [
        "tie",
        "place",
        "field",
        "current_value",
        "current_sources",
        "incoming_value",
        "incoming_source",
        "origin",
        "status",
        "created_at",
        "resolved_by",
        "resolved_at",
    ]
    actions = ["accept_incoming", "keep_curated"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("tie or place"))
    def subject(self, obj):
        return obj.tie if obj.tie_id else obj.place

    def _resolve(self, request, queryset, *, accept: bool) -> None:
        done = 0
        for conflict in queryset.filter(status=ConflictStatus.OPEN):
            tie_conflict_resolve(conflict=conflict, accept=accept, user=request.user)
            done += 1
        self.message_user(
            request,
            ngettext("%(count)d conflict was resolved.", "%(count)d conflicts were resolved.", done)
            % {"count": done},
        )

    @admin.action(description=_("Take the incoming value (and its source)"), permissions=["change"])
    def accept_incoming(self, request, queryset):
        self._resolve(request, queryset, accept=True)

    @admin.action(description=_("Keep the curated value"), permissions=["change"])
    def keep_curated(self, request, queryset):
        self._resolve(request, queryset, accept=False)


@admin.register(LinkMilestone)
class LinkMilestoneAdmin(TranslationDeskAdminMixin, admin.ModelAdmin):
    list_display = ["places", "date_display", "kind", "kind_after"]
    list_filter = ["kind", "kind_after"]
    list_select_related = ["link__city_a", "link__city_b"]
    search_fields = city_search_fields("link__city_a") + city_search_fields("link__city_b")
    autocomplete_fields = ["link", "sources"]

    @admin.display(description=_("tie"), ordering="link__city_a__name_en")
    def places(self, obj):
        return tie_places(obj.link)

    @admin.display(description=_("date"), ordering="date")
    def date_display(self, obj):
        return obj.date_display


@admin.register(CultureCityDesignation)
class CultureCityDesignationAdmin(
    TranslationDeskAdminMixin, OptimisticLockAdminMixin, admin.ModelAdmin
):
    form = optimistic_form(
        forms.ModelForm,
        _(
            "This designation was changed by someone else since you opened it — reload to see "
            "their changes."
        ),
    )
    list_display = ["year", "city", "country", "status", "theme_en"]
    list_filter = ["year", "status", ("city__country", admin.AllValuesFieldListFilter)]
    list_select_related = ["city"]
    search_fields = city_search_fields("city") + list(CultureCityDesignation.theme.field_names)
    autocomplete_fields = ["city", "sources"]
    fields = [
        "year",
        "city",
        "status",
        CultureCityDesignation.theme.field_names,
        "note",
        "sources",
    ]

    @admin.display(description=_("country"), ordering="city__country")
    def country(self, obj):
        return obj.city.country


@admin.register(ExchangeIndicator)
class ExchangeIndicatorAdmin(TranslationDeskAdminMixin, OptimisticLockAdminMixin, admin.ModelAdmin):
    form = optimistic_form(
        forms.ModelForm,
        _(
            "This figure was changed by someone else since you opened it — reload to see "
            "their changes."
        ),
    )
    list_display = ["city", "year", "indicator_en", "value", "unit_en"]
    list_filter = ["year", "unit_en", ("city__country", admin.AllValuesFieldListFilter)]
    list_select_related = ["city"]
    search_fields = city_search_fields("city") + list(ExchangeIndicator.indicator.field_names)
    autocomplete_fields = ["city", "sources"]


@admin.register(TrilateralGroup)
class TrilateralGroupAdmin(TranslationDeskAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "link_years"]
    list_select_related = ["city_cn", "city_jp", "city_kr"]
    search_fields = (
        city_search_fields("city_cn")
        + city_search_fields("city_jp")
        + city_search_fields("city_kr")
    )
    autocomplete_fields = ["city_cn", "city_jp", "city_kr", "sources"]
