"""The review desk: partners and proposals in the admin.

Proposals are read-only here. Reviewers change a proposal's state only with the
transition buttons on its page and the bulk actions, which all call `events.services`.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminURLFieldWidget
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, URLField
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cities.admin import city_search_fields
from cities.templatetags.portal import money
from exchangeportal.infra.translation import translated_field_names

from . import selectors, services, services_suggestions
from .models import (
    PROPOSAL_SUMMARY_FIELDS,
    PROPOSAL_TITLE_FIELDS,
    EventProposal,
    Partner,
    PartnerMembership,
    ProposalActivity,
    ProposalState,
)

# Button labels, in the order they are shown.
TRANSITION_LABELS = {
    ProposalState.UNDER_REVIEW: _("Start review"),
    ProposalState.CHANGES_REQUESTED: _("Request changes"),
    ProposalState.ACCEPTED: _("Accept and publish the event"),
    ProposalState.REJECTED: _("Reject"),
}


class MembershipInline(admin.TabularInline):
    model = PartnerMembership
    fields = ["user", "language", "email_verified_at"]
    readonly_fields = ["email_verified_at"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "country", "place", "office_of", "proposal_count"]
    list_filter = ["kind", "country", ("office_of", admin.EmptyFieldListFilter)]
    list_select_related = ["place", "office_of"]
    search_fields = [*translated_field_names("name"), "website"]
    autocomplete_fields = ["place"]
    # Verified through the actions (`partner_office_verify`), never typed in.
    readonly_fields = ["office_of", "office_verified_by", "office_verified_at"]
    inlines = [MembershipInline]
    formfield_overrides = {URLField: {"assume_scheme": "https", "widget": AdminURLFieldWidget}}
    actions = ["verify_office_action", "revoke_office_action"]

    @admin.action(description=_("Verify as the office of its place"))
    def verify_office_action(self, request, queryset):
        self._office_bulk(request, queryset, services_suggestions.partner_office_verify)

    @admin.action(description=_("Withdraw the office verification"))
    def revoke_office_action(self, request, queryset):
        self._office_bulk(request, queryset, services_suggestions.partner_office_revoke)

    def _office_bulk(self, request, queryset, service):
        if not services_suggestions.user_may_verify_offices(request.user):
            raise PermissionDenied
        done = 0
        for partner in queryset.select_related("place"):
            try:
                service(partner=partner, actor=request.user)
                done += 1
            except ValidationError as error:
                self.message_user(
                    request, f"“{partner}”: {' '.join(error.messages)}", messages.ERROR
                )
        if done:
            self.message_user(
                request, _("%(count)s partner(s) updated.") % {"count": done}, messages.SUCCESS
            )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(proposal_total=Count("proposals"))

    @admin.display(description=_("proposals"), ordering="proposal_total")
    def proposal_count(self, obj):
        return obj.proposal_total


class TransitionForm(forms.Form):
    target = forms.ChoiceField(choices=[*ProposalState.choices, ("note", _("internal note"))])
    message = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))


class RejectActionForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the partners"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Sent with the decision to each selected proposal's partner."),
    )


@admin.register(EventProposal)
class EventProposalAdmin(admin.ModelAdmin):
    change_form_template = "admin/events/eventproposal/change_form.html"
    view_on_site = False  # the proposal's page is the partner's, not the reviewers'
    list_display = [
        "__str__",
        "partner",
        "host",
        "state",
        "starts_on",
        "submitted_at",
        "reviewer",
    ]
    list_filter = [
        "state",
        "category",
        "format",
        ("host__country", admin.AllValuesFieldListFilter),
        ("submitted_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["partner", "host", "reviewer"]
    date_hierarchy = "submitted_at"
    search_fields = [
        *PROPOSAL_TITLE_FIELDS,
        *PROPOSAL_SUMMARY_FIELDS,
        "contact_name",
        "contact_email",
        *(f"partner__{name}" for name in translated_field_names("name")),
        *city_search_fields("host"),
    ]
    actions = ["start_review_action", "reject_with_message_action"]
    fieldsets = [
        (None, {"fields": ["state", "partner", "reviewer", "event", "submitted_at", "decided_at"]}),
        (
            _("The event"),
            {
                "fields": [
                    "language",
                    *PROPOSAL_TITLE_FIELDS,
                    *PROPOSAL_SUMMARY_FIELDS,
                    "description",
                    "category",
                    "format",
                    "starts_on",
                    "ends_on",
                    "host",
                    "partner_places_display",
                    "venue",
                    "online_url",
                    "participants_display",
                    "budget_display",
                    "links_display",
                    "source_url",
                    "image_alt",
                    "image_credit",
                ]
            },
        ),
        (
            _("Contact and files"),
            {
                "fields": [
                    "contact_name",
                    "contact_email",
                    "contact_phone",
                    "files_display",
                    "privacy_consent",
                    "created_by",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        # Drafts are the partner's own work in progress: the desk sees what was sent to it.
        return super().get_queryset(request).exclude(state=ProposalState.DRAFT)

    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing edits a proposal here: states change through the services only.
        return False

    @admin.display(description=_("partner places"))
    def partner_places_display(self, obj):
        return ", ".join(f"{place.name_en} ({place.country})" for place in obj.partner_places.all())

    @admin.display(description=_("participants"))
    def participants_display(self, obj):
        return "—" if obj.participants is None else intcomma(obj.participants)

    @admin.display(description=_("budget"))
    def budget_display(self, obj):
        return money(obj.budget_amount, obj.budget_currency) or "—"

    @admin.display(description=_("ties served"))
    def links_display(self, obj):
        return "; ".join(str(link) for link in obj.links.select_related("city_a", "city_b"))

    @admin.display(description=_("files"))
    def files_display(self, obj):
        """The uploaded images as thumbnails (each opening the full image) and the PDF as a
        link, all served by the private file view; the partner's texts are escaped."""
        parts = []
        for number, (name, _file) in enumerate(obj.images, start=1):
            url = reverse("partners:proposal_file", kwargs={"pk": obj.pk, "field": name})
            if number == 1 and obj.image_alt:
                alt = obj.image_alt
            else:
                alt = _("Image %(number)d of the proposal “%(title)s”") % {
                    "number": number,
                    "title": obj,
                }
            parts.append(
                format_html(
                    '<a href="{}" class="review-thumb"><img src="{}?size=thumb" alt="{}" '
                    'loading="lazy"></a>',
                    url,
                    url,
                    alt,
                )
            )
        if obj.document:
            url = reverse("partners:proposal_file", kwargs={"pk": obj.pk, "field": "document"})
            parts.append(
                format_html(
                    '<a href="{}" class="review-document">{}</a>',
                    url,
                    _("PDF: %(name)s") % {"name": obj.document_name or "proposal.pdf"},
                )
            )
        if not parts:
            return "—"
        return format_html(
            '<span class="review-files">{}</span>',
            format_html_join("", "{}", ((part,) for part in parts)),
        )

    # --- Transition buttons on the change page ---

    def get_urls(self):
        return [
            path(
                "<path:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="events_eventproposal_transition",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        proposal = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if proposal is not None:
            is_reviewer = services.user_is_reviewer(request.user)
            extra_context.update(
                timeline=selectors.proposal_timeline(proposal=proposal, include_internal=True),
                transitions=[
                    (state, label)
                    for state, label in TRANSITION_LABELS.items()
                    if is_reviewer and state in services.allowed_targets(proposal.state)
                ],
                can_note=is_reviewer,
                transition_url=reverse(
                    "admin:events_eventproposal_transition", kwargs={"object_id": proposal.pk}
                ),
                message_required=[ProposalState.CHANGES_REQUESTED, ProposalState.REJECTED],
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request, object_id):
        """POST from a transition button: call the one service for the target state."""
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse("admin:events_eventproposal_change", args=[object_id])
            )
        if not services.user_is_reviewer(request.user):
            raise PermissionDenied
        proposal = get_object_or_404(self.get_queryset(request), pk=object_id)
        form = TransitionForm(request.POST)
        change_url = reverse("admin:events_eventproposal_change", args=[proposal.pk])
        if not form.is_valid():
            messages.error(request, _("Choose an action."))
            return HttpResponseRedirect(change_url)
        target, message = form.cleaned_data["target"], form.cleaned_data["message"]
        try:
            if target == "note":
                services.proposal_add_note(proposal=proposal, actor=request.user, message=message)
                messages.success(request, _("Internal note saved."))
            else:
                service = services.TRANSITION_SERVICES.get(target)
                if service is None or target not in TRANSITION_LABELS:
                    raise PermissionDenied
                before = proposal.state
                result = service(proposal=proposal, actor=request.user, message=message)
                if result.state == before:
                    messages.info(
                        request,
                        _("Nothing changed. %(state)s")
                        % {"state": services.STATE_SENTENCES[result.state]},
                    )
                else:
                    messages.success(request, services.TRANSITION_DONE[result.state])
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        return HttpResponseRedirect(change_url)

    # --- Bulk actions: loop through the services, report what failed ---

    def _run_bulk(self, request, queryset, service, *, done_message, **kwargs):
        """Call `service` for each selected proposal; one sentence for those done
        (`done_message(count)`, an ngettext), one per proposal that failed."""
        done, failed = 0, []
        for proposal in queryset:
            try:
                service(proposal=proposal, actor=request.user, **kwargs)
                done += 1
            except ValidationError as error:
                failed.append(
                    _("“%(proposal)s” was not changed. %(reason)s")
                    % {"proposal": proposal, "reason": " ".join(error.messages)}
                )
            except PermissionDenied:
                failed.append(
                    _("“%(proposal)s” was not changed: you may not do this.")
                    % {"proposal": proposal}
                )
        if done:
            self.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)
        for line in failed:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=_("Start review of the selected proposals"))
    def start_review_action(self, request, queryset):
        if not services.user_is_reviewer(request.user):
            raise PermissionDenied
        self._run_bulk(
            request,
            queryset,
            services.proposal_start_review,
            done_message=lambda count: ngettext(
                "The review of %(count)d proposal started: you are its reviewer.",
                "The review of %(count)d proposals started: you are their reviewer.",
                count,
            ),
        )

    @admin.action(description=_("Reject the selected proposals with a message"))
    def reject_with_message_action(self, request, queryset):
        if not services.user_is_reviewer(request.user):
            raise PermissionDenied
        form = RejectActionForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self._run_bulk(
                request,
                queryset,
                services.proposal_reject,
                message=form.cleaned_data["message"],
                done_message=lambda count: ngettext(
                    "%(count)d proposal was rejected: its partner was sent your message.",
                    "%(count)d proposals were rejected: their partners were sent your message.",
                    count,
                ),
            )
            return None
        return TemplateResponse(
            request,
            "admin/events/eventproposal/reject_action.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject proposals with a message"),
                "form": form,
                "proposals": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(ProposalActivity)
class ProposalActivityAdmin(admin.ModelAdmin):
    list_display = ["proposal", "from_state", "to_state", "actor", "created_at", "is_internal"]
    list_filter = ["to_state", "is_internal"]
    list_select_related = ["proposal", "actor"]
    search_fields = ["message", *(f"proposal__{name}" for name in PROPOSAL_TITLE_FIELDS)]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
