"""The translation desk in the admin, derived from the models' `Translated` descriptors.

- `translation_rows`: a translated text's four fields as one fieldset row (side by side);
- `MissingTranslationFilter`: "missing Chinese / Japanese / Korean" on a content change list;
- `TranslationDeskSiteMixin`: a page per language counting, per content model, what is missing;
- the Translator group (created by a migration): its members edit the zh-hans, ja and ko fields
  of the content models and nothing else (`TranslationDeskAdminMixin`).

A model takes part when its ModelAdmin uses `TranslationDeskAdminMixin`; a model that gains a
`Translated` attribute joins the filter and the page without further wiring. Imports no app.
"""

from functools import reduce
from operator import or_

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminTextareaWidget
from django.db import models
from django.db.models import Count, Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .translation import CONTENT_LANGUAGE_SUFFIXES, language_suffix, translated_bases

TRANSLATOR_GROUP = "Translator"
CURATOR_GROUP = "Curator"

# The languages the desk fills, by URL code; English is the language the curators write in.
DESK_LANGUAGES = {
    "zh-hans": _("Chinese"),
    "ja": _("Japanese"),
    "ko": _("Korean"),
}
MISSING_LABELS = {
    "zh-hans": _("missing Chinese"),
    "ja": _("missing Japanese"),
    "ko": _("missing Korean"),
}
TRANSLATION_SUFFIXES = tuple(language_suffix(code) for code in DESK_LANGUAGES)


def translation_rows(model) -> list[tuple[str, ...]]:
    """One fieldset row per translated text: its en, zh-hans, ja and ko fields side by side."""
    return [getattr(model, base).field_names for base in translated_bases(model)]


def translator_field_names(model) -> set[str]:
    """The fields a translator may edit: every translated text in Chinese, Japanese, Korean."""
    return {
        f"{base}_{suffix}" for base in translated_bases(model) for suffix in TRANSLATION_SUFFIXES
    }


def missing_translation_q(model, language_code: str) -> Q | None:
    """Records with a translated text empty in `language_code` while another language has it
    (usually English; a proposal may have come in Chinese only). None: the model has none."""
    suffix = language_suffix(language_code)
    conditions = []
    for base in translated_bases(model):
        others = [f"{base}_{other}" for other in CONTENT_LANGUAGE_SUFFIXES if other != suffix]
        filled_elsewhere = reduce(or_, (~Q(**{name: ""}) for name in others))
        conditions.append(Q(**{f"{base}_{suffix}": ""}) & filled_elsewhere)
    return reduce(or_, conditions) if conditions else None


def is_translator(user) -> bool:
    """In the Translator group, and neither a superuser nor a Curator (who edit everything).

    The group names are read once per request's user object."""
    if not user.is_active or user.is_superuser:
        return False
    names = getattr(user, "_translation_desk_groups", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._translation_desk_groups = names
    return TRANSLATOR_GROUP in names and CURATOR_GROUP not in names


class MissingTranslationFilter(admin.SimpleListFilter):
    title = _("translation")
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return list(MISSING_LABELS.items())

    def queryset(self, request, queryset):
        if self.value() not in MISSING_LABELS:
            return queryset
        condition = missing_translation_q(queryset.model, self.value())
        return queryset if condition is None else queryset.filter(condition)


def _editable_field_names(model) -> list[str]:
    return [
        field.name
        for field in model._meta.get_fields()
        if (field.concrete or field.many_to_many)
        and getattr(field, "editable", False)
        and not field.auto_created
    ]


def _rows_of(fields, rows) -> list:
    """`fields` with each translated text's fields (two or more of them) as one row, where its
    first field was."""
    row_of = {name: row for row in rows for name in row}
    result, placed = [], set()
    for item in fields:
        row = row_of.get(item) if isinstance(item, str) else None
        if row is None:
            result.append(item)
            continue
        present = tuple(name for name in row if name in fields)
        if len(present) < 2:
            result.append(item)
        elif row not in placed:
            placed.add(row)
            result.append(present)
    return result


class TranslationDeskAdminMixin:
    """For the ModelAdmin or inline of a content model: the "missing <language>" filter, compact
    translation widgets, and, for a translator, everything but the translation fields read-only
    with no adding or deleting."""

    def get_fields(self, request, obj=None):
        """Without explicit fieldsets, too, a translated text's fields form one row."""
        return _rows_of(super().get_fields(request, obj), translation_rows(self.model))

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if translated_bases(self.model):
            filters.append(MissingTranslationFilter)
        return filters

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        translated = {name for row in translation_rows(self.model) for name in row}
        if db_field.name in translated and isinstance(db_field, models.TextField):
            kwargs.setdefault(
                "widget", AdminTextareaWidget(attrs={"rows": 4, "class": "vTranslationField"})
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not is_translator(request.user):
            return readonly
        editable = translator_field_names(self.model)
        return readonly + [
            name
            for name in _editable_field_names(self.model)
            if name not in editable and name not in readonly
        ]

    def get_prepopulated_fields(self, request, obj=None):
        # A slug a translator cannot edit is not filled in from a title either.
        if is_translator(request.user):
            return {}
        return super().get_prepopulated_fields(request, obj)

    # Permissions first: a user who may not add anyway (a reviewer's sidebar) costs no query.
    def has_add_permission(self, request, *args, **kwargs):
        allowed = super().has_add_permission(request, *args, **kwargs)
        return allowed and not is_translator(request.user)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and not is_translator(request.user)

    @property
    def media(self):
        return super().media + forms.Media(css={"all": ["css/translation_desk.css"]})


def translation_desk_rows(*, site: admin.AdminSite, request, language_code: str) -> list[dict]:
    """Per content model the user may see: how many records miss `language_code`, and the
    link to its change list so filtered. One COUNT query per model."""
    rows = []
    for model, model_admin in site._registry.items():
        condition = missing_translation_q(model, language_code)
        if not isinstance(model_admin, TranslationDeskAdminMixin) or condition is None:
            continue
        if not model_admin.has_view_or_change_permission(request):
            continue
        opts = model._meta
        changelist = reverse(
            f"{site.name}:{opts.app_label}_{opts.model_name}_changelist", current_app=site.name
        )
        rows.append(
            {
                "name": opts.verbose_name_plural,
                "app_label": opts.app_label,
                "missing": model._default_manager.filter(condition).count(),
                "url": f"{changelist}?{MissingTranslationFilter.parameter_name}={language_code}",
            }
        )
    return sorted(rows, key=lambda row: (row["app_label"], str(row["name"])))


def translation_missing_totals(*, site: admin.AdminSite, request) -> dict[str, int] | None:
    """Per desk language, how many records (of the content models the user may see) miss it:
    the sums of the language pages' counts. One aggregate query per model. None when the user
    may see no content model."""
    totals = None
    for model, model_admin in site._registry.items():
        if not isinstance(model_admin, TranslationDeskAdminMixin) or not translated_bases(model):
            continue
        if not model_admin.has_view_or_change_permission(request):
            continue
        counts = model._default_manager.aggregate(
            **{
                code.replace("-", "_"): Count("pk", filter=missing_translation_q(model, code))
                for code in DESK_LANGUAGES
            }
        )
        totals = totals or dict.fromkeys(DESK_LANGUAGES, 0)
        for code in DESK_LANGUAGES:
            totals[code] += counts[code.replace("-", "_")]
    return totals


class TranslationDeskSiteMixin:
    """For the AdminSite: /<admin>/translations/<language>/, the page of what is missing."""

    def get_urls(self):
        return [
            path(
                "translations/<str:language_code>/",
                self.admin_view(self.translation_desk_view),
                name="translation_desk",
            ),
            *super().get_urls(),
        ]

    def translation_desk_view(self, request, language_code: str):
        if language_code not in DESK_LANGUAGES:
            raise Http404
        rows = translation_desk_rows(site=self, request=request, language_code=language_code)
        context = {
            **self.each_context(request),
            "title": _("Missing translations: %(language)s")
            % {"language": DESK_LANGUAGES[language_code]},
            "language_code": language_code,
            "languages": list(DESK_LANGUAGES.items()),
            "rows": rows,
            "total": sum(row["missing"] for row in rows),
        }
        return TemplateResponse(request, "admin/translation_desk.html", context)

    def each_context(self, request):
        return {**super().each_context(request), "translation_desk_languages": DESK_LANGUAGES}
