"""Partner pages: sign-up, e-mail verification, the proposal dashboard, form and detail,
and the permission-checked proposal file view."""

import mimetypes

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from exchangeportal.infra.images import thumbnail_name
from exchangeportal.infra.locale_names import default_currency
from exchangeportal.infra.ratelimit import client_ip, rate_limit_exceeded, ratelimit_hit

from . import selectors, services
from .forms_partner import PartnerRegistrationForm, ProposalForm
from .models import (
    PROPOSAL_IMAGE_FIELDS,
    EventProposal,
    PartnerKind,
    PartnerMembership,
    ProposalState,
)
from .storage import private_storage

LOGIN_URL = reverse_lazy("partners:login")
LANGUAGE_COUNTRIES = {"zh-hans": "CN", "ja": "JP", "ko": "KR"}


class RegisterView(FormView):
    """Public sign-up: creates the user, the partner and the membership; rate-limited per IP.

    A sign-up with an address that has an account answers exactly like a new one (the owner
    gets a mail instead, see `partner_register`), so the page does not tell who has an account;
    nobody is logged in by signing up. A taken user name is said (it cannot be hidden: the
    person chooses it to log in). Refusals answer 400 (invalid, honeypot) or 429 (the limit).
    """

    template_name = "partners/register.html"
    form_class = PartnerRegistrationForm

    def get_initial(self):
        # The reader's language suggests the country; English readers choose.
        return {"country": LANGUAGE_COUNTRIES.get(get_language() or "", "")}

    def form_invalid(self, form, status=400):
        response = super().form_invalid(form)
        response.status_code = status
        return response

    def form_valid(self, form):
        if form.honeypot_filled:
            form.add_error(None, _("Your sign-up could not be accepted."))
            return self.form_invalid(form)
        if settings.RATELIMIT_ENABLED:
            limit = ratelimit_hit(
                scope="partner-signup",
                key=client_ip(self.request),
                rate=settings.PARTNER_SIGNUP_RATE,
            )
            if not limit.allowed:
                form.add_error(
                    None,
                    _("Too many sign-ups from your network. Please try again in an hour."),
                )
                response = self.form_invalid(form, status=429)
                response["Retry-After"] = str(limit.retry_after)
                return response
        email = form.cleaned_data["email"]
        services.partner_register(
            username=form.cleaned_data["username"],
            email=email,
            password=form.cleaned_data["password1"],
            partner_names=form.partner_names,
            kind=form.cleaned_data["kind"],
            country=form.cleaned_data["country"],
            place=form.cleaned_data["place"],
            website=form.cleaned_data["website"],
            language=get_language() or settings.LANGUAGE_CODE,
        )
        messages.success(
            self.request,
            _(
                "Thank you! We sent a message to %(email)s: open the link in it to confirm your "
                "address, then log in."
            )
            % {"email": email},
        )
        return redirect("partners:login")


class ProgrammeView(TemplateView):
    """The public page of the partner programme: who may propose, what makes a good
    proposal, what happens after submitting, examples from the database. Three queries."""

    template_name = "partners/programme.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            partner_kinds=PartnerKind.choices,
            states=ProposalState,
            review_days=settings.PROPOSAL_REVIEW_DAYS,
            review_time=selectors.proposal_review_days(),
            examples=selectors.programme_examples(),
            is_partner=selectors.partner_for_user(user=self.request.user) is not None,
            **kwargs,
        )


class VerifyEmailView(View):
    def get(self, request, token):
        try:
            services.partner_email_verify(token=token)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you: your e-mail address is confirmed."))
        if request.user.is_authenticated:
            return redirect("partners:proposal_list")
        return redirect("partners:login")


class PartnerRequiredMixin(LoginRequiredMixin):
    """Logged in and serving a partner; others see a page explaining what is missing."""

    login_url = LOGIN_URL

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = (
            PartnerMembership.objects.select_related("partner").filter(user=request.user).first()
        )
        if self.membership is None:
            return render(request, "partners/no_partner.html", status=403)
        self.partner = self.membership.partner
        return super().dispatch(request, *args, **kwargs)


class ResendVerificationView(PartnerRequiredMixin, View):
    def post(self, request):
        if self.membership.email_verified:
            messages.info(request, _("Your e-mail address is already confirmed."))
        elif rate_limit_exceeded(scope="verify-resend", key=str(request.user.pk), rate="3/3600"):
            messages.error(request, _("We already sent several links. Please check your mail."))
        else:
            services.partner_send_verification(membership=self.membership)
            messages.success(
                request, _("We sent a new link to %(email)s.") % {"email": request.user.email}
            )
        return redirect("partners:proposal_list")


class ProposalListView(PartnerRequiredMixin, ListView):
    """The partner's dashboard: their proposals with states, paginated."""

    template_name = "partners/proposal_list.html"
    context_object_name = "proposals"
    paginate_by = 20

    def get_queryset(self):
        return selectors.proposal_list_for_partner(partner=self.partner)

    def get_context_data(self, **kwargs):
        return super().get_context_data(partner=self.partner, membership=self.membership, **kwargs)


class ProposalTiesView(PartnerRequiredMixin, View):
    """The "ties served" checkboxes for the places typed so far (GET host, partner_places,
    links): the fragment static/js/proposal-ties.js puts into the form. Built by the
    proposal form itself, so the choices are the ones the submit accepts. Bounded: at most
    `MAX_PARTNER_PLACES` + 1 places looked up."""

    def get(self, request):
        ticked = [value for value in request.GET.getlist("links") if value.isdigit()]
        form = ProposalForm(
            instance=EventProposal(partner=self.partner),
            typed_places=request.GET,
            initial={"links": ticked},
        )
        response = render(request, "partners/includes/_ties.html", {"form": form})
        response["Cache-Control"] = "private, no-store"
        return response


class ProposalDetailView(PartnerRequiredMixin, TemplateView):
    template_name = "partners/proposal_detail.html"

    def get_context_data(self, **kwargs):
        proposal = _partner_proposal(self.partner, self.kwargs["pk"])
        return super().get_context_data(
            proposal=proposal,
            timeline=selectors.proposal_timeline(proposal=proposal, include_internal=False),
            partner=self.partner,
            can_withdraw=services.ProposalState.WITHDRAWN
            in services.allowed_targets(proposal.state),
            **kwargs,
        )


def _partner_proposal(partner, pk) -> EventProposal:
    """The proposal if it is the partner's; a 404 for everyone else's."""
    try:
        return selectors.proposal_detail_for_partner(partner=partner, pk=pk)
    except EventProposal.DoesNotExist as error:
        raise Http404 from error


class ProposalFormView(PartnerRequiredMixin, View):
    """New proposal and edit: "Save draft" keeps everything, "Submit" validates fully and
    submits. Images that pass the pipeline are kept with the draft even when another field
    fails, so nothing is uploaded twice."""

    template_name = "partners/proposal_form.html"

    def get_proposal(self) -> EventProposal | None:
        if "pk" not in self.kwargs:
            return None
        proposal = _partner_proposal(self.partner, self.kwargs["pk"])
        if not proposal.is_editable:
            messages.error(self.request, services.not_editable_message(state=proposal.state))
            raise _Redirect(proposal.get_absolute_url())
        return proposal

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except _Redirect as target:
            return HttpResponseRedirect(target.url)

    def render_form(self, form, proposal, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "proposal": proposal,
                "partner": self.partner,
                "membership": self.membership,
                "image_fields": [
                    (form[name], form[f"remove_{name}"], getattr(proposal, name, None))
                    for name in PROPOSAL_IMAGE_FIELDS
                ],
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        proposal = self.get_proposal()
        initial = {}
        if proposal is None:
            initial = {
                "contact_name": request.user.get_full_name(),
                "contact_email": request.user.email,
                "host": self.partner.place_id,
                "budget_currency": default_currency(self.partner.country),
            }
        return self.render_form(ProposalForm(instance=proposal, initial=initial), proposal)

    def post(self, request, *args, **kwargs):
        proposal = self.get_proposal()
        submitting = "submit" in request.POST
        form = ProposalForm(
            request.POST,
            request.FILES,
            instance=proposal or EventProposal(partner=self.partner),
            require_complete=submitting,
        )
        if form.honeypot_filled:
            form.is_valid()
            form.add_error(None, _("Your proposal could not be accepted."))
            return self.render_form(form, proposal, status=400)

        if not form.is_valid():
            proposal = self._keep_valid_parts(form, proposal)
            return self.render_form(form, proposal)

        try:
            proposal = services.proposal_save(
                proposal=proposal,
                partner=self.partner,
                actor=request.user,
                fields=form.content_fields(),
                partner_places=form.cleaned_data.get("partner_places") or [],
                links=form.cleaned_data.get("links") or [],
                images=form.image_changes(),
                document=form.cleaned_data.get("document") or None,
                remove_document=bool(form.cleaned_data.get("remove_document")),
                language=get_language() or settings.LANGUAGE_CODE,
            )
        except ValidationError as error:
            _add_errors(form, error)
            return self.render_form(form, proposal)

        if not submitting:
            messages.success(request, _("Draft saved."))
            return redirect("partners:proposal_edit", pk=proposal.pk)

        try:
            services.proposal_submit(
                proposal=proposal, actor=request.user, client_address=client_ip(request)
            )
        except services.SubmissionLimited as error:
            messages.error(request, " ".join(error.messages))
            return redirect("partners:proposal_edit", pk=proposal.pk)
        except ValidationError as error:
            form = ProposalForm(request.POST, instance=proposal, require_complete=True)
            form.is_valid()
            _add_errors(form, error)
            messages.error(request, _("Your draft is saved, but it cannot be submitted yet."))
            return self.render_form(form, proposal)
        messages.success(
            request, _("Proposal submitted. We sent you a receipt; reviewers will be in touch.")
        )
        return redirect(proposal.get_absolute_url())

    def _keep_valid_parts(self, form, proposal):
        """Save the images and PDF that passed their checks, with every field that is valid
        for a draft (the places and ties included), so the stored draft holds what the
        partner typed. The submission rules do not apply to a draft: a field refused only by
        them (e.g. partner places all in the host's country) is kept as typed. If even that
        save is refused, the page says to choose the files again."""
        images, document = form.valid_uploads(), form.valid_document()
        if not images and not document:
            return proposal
        draft = ProposalForm(
            self.request.POST, instance=proposal or EventProposal(partner=self.partner)
        )
        draft.is_valid()
        valid = {
            name: value for name, value in draft.cleaned_data.items() if name not in draft.errors
        }
        fields = {name: value for name, value in draft.content_fields().items() if name in valid}
        try:
            proposal = services.proposal_save(
                proposal=proposal,
                partner=self.partner,
                actor=self.request.user,
                fields=fields,
                partner_places=valid.get("partner_places"),
                links=valid.get("links"),
                images=images,
                document=document,
                language=get_language() or settings.LANGUAGE_CODE,
            )
        except ValidationError as error:
            _add_errors(form, error)
            form.add_error(
                None,
                _(
                    "Your files could not be kept with the draft: choose them again after "
                    "correcting the fields marked below."
                ),
            )
            return proposal
        form.instance = proposal
        messages.info(
            self.request,
            _("Your files are saved with the draft. Correct the fields marked below."),
        )
        return proposal


class _Redirect(Exception):
    def __init__(self, url):
        self.url = url


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


class ProposalActionView(PartnerRequiredMixin, View):
    """POST-only buttons on the detail page: submit, withdraw."""

    action = ""

    def post(self, request, pk):
        proposal = _partner_proposal(self.partner, pk)
        try:
            if self.action == "submit":
                services.proposal_submit(
                    proposal=proposal, actor=request.user, client_address=client_ip(request)
                )
                messages.success(request, _("Proposal submitted. We sent you a receipt."))
            else:
                services.proposal_withdraw(
                    proposal=proposal, actor=request.user, message=request.POST.get("message", "")
                )
                messages.success(request, _("Proposal withdrawn."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(proposal.get_absolute_url())


class ProposalFileView(PartnerRequiredMixin, View):
    """A proposal's private image, thumbnail or PDF, for its partner's users only."""

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and request.user.is_staff
            and request.user.has_perm("events.view_eventproposal")
        ):
            return self.serve(request, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, **kwargs):
        return self.serve(request, **kwargs)

    def serve(self, request, pk, field):
        if field not in (*PROPOSAL_IMAGE_FIELDS, "document"):
            raise Http404
        try:
            proposal = selectors.proposal_detail(user=request.user, pk=pk)
        except EventProposal.DoesNotExist as error:
            raise Http404 from error
        name = getattr(proposal, field).name
        if not name:
            raise Http404
        if request.GET.get("size") == "thumb" and field != "document":
            name = thumbnail_name(name)
        storage = private_storage()
        if not storage.exists(name):
            raise Http404
        content_type = "application/pdf" if field == "document" else mimetypes.guess_type(name)[0]
        response = FileResponse(
            storage.open(name),
            content_type=content_type or "application/octet-stream",
            as_attachment=field == "document",
            filename=proposal.document_name or "proposal.pdf" if field == "document" else None,
        )
        response["Cache-Control"] = "private, max-age=0"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
