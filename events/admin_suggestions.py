"""The review desk for city offices' suggestions, beside the event proposals.

Suggestions are read-only here. Reviewers move them with the buttons on their page and the
bulk action, which call `events.services_suggestions`; accepting applies them through the
tie and place services.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cities.admin import city_search_fields
from exchangeportal.infra.translation import translated_field_names

from . import services_suggestions as services
from .admin_review import TransitionForm
from .forms_suggestions import KIND_FIELDS
from .models import ProposalState, Suggestion, SuggestionActivity
from .services import user_is_reviewer

# Shown for every kind of suggestion.
_ALWAYS = {"created_by", "language", "note", "source_url", "document_link"}

TRANSITION_LABELS = {
    ProposalState.UNDER_REVIEW: _("Start review"),
    ProposalState.ACCEPTED: _("Accept and apply"),
    ProposalState.REJECTED: _("Reject"),
}
# What the desk says after each decision, as a sentence.
TRANSITION_DONE = {
    ProposalState.UNDER_REVIEW: _("The review has started."),
    ProposalState.ACCEPTED: _("The suggestion was accepted. Outcome: %(outcome)s."),
    ProposalState.REJECTED: _("The suggestion was rejected and the office was told why."),
}


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    change_form_template = "admin/events/eventproposal/change_form.html"
    view_on_site = False
    list_display = ["__str__", "partner", "kind", "state", "outcome", "submitted_at", "reviewer"]
    list_filter = ["state", "kind", "outcome", ("submitted_at", admin.DateFieldListFilter)]
    list_select_related = [
        "partner",
        "place",
        "partner_place",
        "tie__city_a",
        "tie__city_b",
        "reviewer",
    ]
    date_hierarchy = "submitted_at"
    search_fields = [
        *(f"partner__{name}" for name in translated_field_names("name")),
        *city_search_fields("place"),
        *city_search_fields("partner_place"),
        "value",
        "label_own",
        "label_partner",
    ]
    actions = ["start_review_action"]
    fieldsets = [
        (
            None,
            {"fields": ["state", "outcome", "partner", "reviewer", "submitted_at", "decided_at"]},
        ),
        (
            _("The suggestion"),
            {
                "fields": [
                    "kind",
                    "place",
                    "partner_place",
                    "tie_link",
                    "tie_kind",
                    "date",
                    "date_precision",
                    "date_basis",
                    "label_own",
                    "label_partner",
                    "milestone_kind",
                    "kind_after",
                    "correction_field",
                    "value",
                ]
            },
        ),
        (
            _("Source"),
            {"fields": ["document_link", "source_url", "note", "created_by", "language"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def get_fieldsets(self, request, obj=None):
        """Only the fields the suggestion's kind uses (as the office's form shows them)."""
        if obj is None:
            return self.fieldsets
        used = {"tie" if name == "tie" else name for name in KIND_FIELDS[obj.kind]}
        used |= {"tie_link"} if "tie" in used or obj.tie_id else set()
        used |= {"document_link"} if "document" in used else set()
        fixed = {"kind", "place"}
        return [
            (
                title,
                {
                    "fields": [
                        name
                        for name in options["fields"]
                        if title is None or name in used or name in fixed or name in _ALWAYS
                    ]
                },
            )
            for title, options in self.fieldsets
        ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("tie"))
    def tie_link(self, obj):
        if not obj.tie_id:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:cities_friendshiplink_change", args=[obj.tie_id]),
            obj.tie,
        )

    @admin.display(description=_("PDF document"))
    def document_link(self, obj):
        if not obj.document:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("partners:suggestion_document", kwargs={"pk": obj.pk}),
            obj.document_name or _("PDF document"),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="events_suggestion_transition",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        suggestion = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if suggestion is not None:
            is_reviewer = user_is_reviewer(request.user)
            extra_context.update(
                timeline=suggestion.activities.select_related("actor").order_by("created_at", "id"),
                transitions=[
                    (state, label)
                    for state, label in TRANSITION_LABELS.items()
                    if is_reviewer and state in services.allowed_targets(suggestion.state)
                ],
                can_note=is_reviewer,
                transition_url=reverse(
                    "admin:events_suggestion_transition", kwargs={"object_id": suggestion.pk}
                ),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request, object_id):
        """POST from a decision button: call the one service for the target state."""
        change_url = reverse("admin:events_suggestion_change", args=[object_id])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        if not user_is_reviewer(request.user):
            raise PermissionDenied
        suggestion = get_object_or_404(Suggestion, pk=object_id)
        form = TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose an action."))
            return HttpResponseRedirect(change_url)
        target, message = form.cleaned_data["target"], form.cleaned_data["message"]
        try:
            if target == "note":
                services.suggestion_add_note(
                    suggestion=suggestion, actor=request.user, message=message
                )
                messages.success(request, _("Internal note saved."))
            else:
                if target not in TRANSITION_LABELS:
                    raise PermissionDenied
                service = services.SUGGESTION_TRANSITION_SERVICES[target]
                result = service(suggestion=suggestion, actor=request.user, message=message)
                messages.success(
                    request,
                    TRANSITION_DONE[target] % {"outcome": result.get_outcome_display()},
                )
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        return HttpResponseRedirect(change_url)

    @admin.action(description=_("Start review of the selected suggestions"))
    def start_review_action(self, request, queryset):
        if not user_is_reviewer(request.user):
            raise PermissionDenied
        done = 0
        for suggestion in queryset:
            try:
                services.suggestion_start_review(suggestion=suggestion, actor=request.user)
                done += 1
            except ValidationError as error:
                self.message_user(
                    request, f"“{suggestion}”: {' '.join(error.messages)}", messages.ERROR
                )
        if done:
            self.message_user(
                request,
                _("The review of %(count)s suggestion(s) has started.") % {"count": done},
                messages.SUCCESS,
            )


@admin.register(SuggestionActivity)
class SuggestionActivityAdmin(admin.ModelAdmin):
    list_display = ["suggestion", "from_state", "to_state", "actor", "created_at", "is_internal"]
    list_filter = ["to_state", "is_internal"]
    list_select_related = ["suggestion__partner", "actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
