"""The curation desk for events and series."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cities.admin import HTTPS_URL_FIELDS, city_search_fields
from exchangeportal.infra.image_forms import PipelineImageFormMixin
from exchangeportal.infra.optimistic import OptimisticLockAdminMixin, optimistic_form
from exchangeportal.infra.translation_desk import TranslationDeskAdminMixin, translation_rows

from .models import EventSeries, ExchangeEvent, GoodPractice
from .services import good_practice_save

# --- Good practices (network insights) ---------------------------------------------------------

# Each translated text (the title, each part of the write-up) in the four languages side by side.
_GOOD_PRACTICE_WRITE_UP = translation_rows(GoodPractice)


@admin.register(GoodPractice)
class GoodPracticeAdmin(TranslationDeskAdminMixin, OptimisticLockAdminMixin, admin.ModelAdmin):
    form = optimistic_form(
        forms.ModelForm,
        _(
            "This good practice was changed by someone else since you opened it — reload to see "
            "their changes."
        ),
    )
    list_display = ["__str__", "since_on", "is_published", "marked_by", "updated_at"]
    list_filter = ["is_published", "category", "event__category", "event__format"]
    list_select_related = ["event", "series", "marked_by"]
    search_fields = [
        *GoodPractice.title.field_names,
        *(f"event__{name}" for name in ExchangeEvent.title.field_names),
        *GoodPractice.what.field_names,
    ]
    autocomplete_fields = ["event", "series", "places", "sources"]
    readonly_fields = ["marked_by"]
    fieldsets = [
        (None, {"fields": ["slug", "is_published", "marked_by"]}),
        (
            _("The case"),
            {
                "fields": [
                    ("event", "series"),
                    "places",
                    ("since_on", "since_precision", "is_ongoing"),
                    ("category", "format"),
                    "sources",
                ]
            },
        ),
        (_("Write-up"), {"fields": _GOOD_PRACTICE_WRITE_UP}),
    ]

    def save_model(self, request, obj, form, change):
        good_practice_save(practice=obj, user=request.user)


class GoodPracticeInline(TranslationDeskAdminMixin, admin.StackedInline):
    """Mark an event as a good practice from the event's own page."""

    model = GoodPractice
    fk_name = "event"
    extra = 0
    max_num = 1
    fields = ["is_published", *_GOOD_PRACTICE_WRITE_UP]
    verbose_name = _("good practice write-up")


class ExchangeEventAdminForm(PipelineImageFormMixin, forms.ModelForm):
    """Event images go through the one image pipeline."""

    pipeline_image_fields = ["image"]

    class Meta:
        model = ExchangeEvent
        fields = ["image"]  # the admin adds the fieldsets' fields


@admin.register(EventSeries)
class EventSeriesAdmin(TranslationDeskAdminMixin, OptimisticLockAdminMixin, admin.ModelAdmin):
    form = optimistic_form(
        forms.ModelForm,
        _(
            "This series was changed by someone else since you opened it — reload to see "
            "their changes."
        ),
    )
    list_display = ["name_en", "slug"]
    search_fields = [*EventSeries.name.field_names, "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["sources"]


@admin.register(ExchangeEvent)
class ExchangeEventAdmin(TranslationDeskAdminMixin, OptimisticLockAdminMixin, admin.ModelAdmin):
    form = optimistic_form(
        ExchangeEventAdminForm,
        _(
            "This event was changed by someone else since you opened it — reload to see "
            "their changes."
        ),
    )
    formfield_overrides = HTTPS_URL_FIELDS
    inlines = [GoodPracticeInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not GoodPractice:
            return super().save_formset(request, form, formset, change)
        for practice in formset.save(commit=False):
            good_practice_save(practice=practice, user=request.user)
        for practice in formset.deleted_objects:
            practice.delete()
        formset.save_m2m()
        return None

    list_display = [
        "title_en",
        "dates_display",
        "host",
        "category",
        "format",
        "status",
        "is_published",
    ]
    list_filter = [
        "category",
        "format",
        "status",
        "is_published",
        "series",
        ("host__country", admin.AllValuesFieldListFilter),
    ]
    list_select_related = ["host", "series"]
    date_hierarchy = "starts_on"
    search_fields = [
        *ExchangeEvent.title.field_names,
        "slug",
        *city_search_fields("host"),
    ]
    autocomplete_fields = ["host", "partners", "series", "links", "designation", "sources"]
    prepopulated_fields = {"slug": ["title_en"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "slug",
                    ExchangeEvent.title.field_names,
                    ExchangeEvent.summary.field_names,
                    "description",
                ]
            },
        ),
        (
            _("When"),
            {"fields": [("starts_on", "ends_on", "date_precision"), "starts_at", "status"]},
        ),
        (
            _("Who and where"),
            {
                "fields": [
                    "host",
                    "partners",
                    "partner_organisations",
                    "category",
                    "format",
                    "venue",
                    "online_url",
                ]
            },
        ),
        (
            _("Context"),
            {"fields": [("series", "edition"), "links", "designation"]},
        ),
        (
            _("Figures and outcome"),
            {
                "fields": [
                    ("budget_amount", "budget_currency"),
                    "participants",
                    ExchangeEvent.outcome.field_names,
                    "image",
                ]
            },
        ),
        (_("Publication and sources"), {"fields": ["is_published", "sources", "note"]}),
    ]

    @admin.display(description=_("dates"), ordering="starts_on")
    def dates_display(self, obj):
        return obj.dates_display


# The review desk (partners and proposals) registers its own admin classes.

from .admin_review import EventProposalAdmin, PartnerAdmin  # noqa: E402, F401
from .admin_suggestions import SuggestionAdmin  # noqa: E402, F401
