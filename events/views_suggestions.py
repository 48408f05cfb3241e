"""City offices' pages: their suggestions (new tie, milestone, correction), the form, the
detail with its timeline, withdrawing, and the permission-checked PDF."""

import secrets
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from exchangeportal.infra.ratelimit import client_ip

from . import services_suggestions as services
from .forms_suggestions import SuggestionForm, kept_document_token
from .models import Suggestion, SuggestionKind
from .storage import private_storage
from .views_partner import PartnerRequiredMixin, _add_errors


def _partner_suggestion(partner, pk) -> Suggestion:
    suggestion = Suggestion.objects.for_list().filter(partner=partner, pk=pk).first()
    if suggestion is None:
        raise Http404
    return suggestion


class SuggestionListView(PartnerRequiredMixin, ListView):
    """The office's suggestions with their states; for other partners, what being an office
    takes."""

    template_name = "partners/suggestion_list.html"
    context_object_name = "suggestions"
    paginate_by = 20

    def get_queryset(self):
        return (
            Suggestion.objects.for_list()
            .filter(partner=self.partner)
            .order_by("-submitted_at", "-id")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            partner=self.partner, membership=self.membership, kinds=SuggestionKind.choices, **kwargs
        )


class SuggestionCreateView(PartnerRequiredMixin, View):
    """A new suggestion of one kind: checked, then sent to the reviewers at once. A PDF that
    passed its checks is kept when another field is wrong, so it is not sent twice."""

    template_name = "partners/suggestion_form.html"

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("kind") not in SuggestionKind.values:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200, kept_name=""):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "kind": form.kind,
                "kind_label": SuggestionKind(form.kind).label,
                "partner": self.partner,
                "membership": self.membership,
                "kept_name": kept_name,
            },
            status=status,
        )

    def get(self, request, kind):
        if self.partner.office_of_id is None:
            return redirect("partners:suggestion_list")
        return self.render_form(SuggestionForm(kind=kind, partner=self.partner))

    def post(self, request, kind):
        if self.partner.office_of_id is None:
            return redirect("partners:suggestion_list")
        form = SuggestionForm(request.POST, request.FILES, kind=kind, partner=self.partner)
        if form.honeypot_filled:
            form.is_valid()
            form.add_error(None, _("Your suggestion could not be accepted."))
            return self.render_form(form, status=400)
        if not form.is_valid():
            return self._invalid(form)
        kept = form.cleaned_data.get("kept_document") or {}
        document = form.cleaned_data.get("document") or None
        if document is None and kept:
            storage = private_storage()
            if storage.exists(kept["n"]):
                document = File(storage.open(kept["n"]), name=kept["o"])
        try:
            suggestion = services.suggestion_submit(
                partner=self.partner,
                actor=request.user,
                kind=kind,
                fields=form.content_fields(),
                document=document,
                language=get_language() or settings.LANGUAGE_CODE,
                client_address=client_ip(request),
            )
        except ValidationError as error:
            _add_errors(form, error)
            return self._invalid(form)
        finally:
            if document is not None and kept and not form.cleaned_data.get("document"):
                document.close()
        if kept:
            name = kept["n"]
            transaction.on_commit(lambda: private_storage().delete(name))
        messages.success(
            request, _("Suggestion sent. We sent you a receipt; a reviewer will check it.")
        )
        return redirect(suggestion.get_absolute_url())

    def _invalid(self, form):
        """Show the errors; keep a PDF that passed its checks (as a signed hidden value)."""
        upload = form.cleaned_data.get("document") if "document" not in form.errors else None
        kept = form.cleaned_data.get("kept_document") or {}
        if upload:
            upload.seek(0)
            name = private_storage().save(
                f"suggestions/pending/{secrets.token_urlsafe(24)}.pdf", ContentFile(upload.read())
            )
            kept = {"n": name, "o": PurePath(upload.name).name[:200]}
        if kept:
            data = form.data.copy()
            data["kept_document"] = kept_document_token(
                partner=self.partner, name=kept["n"], original=kept["o"]
            )
            form.data = data
        return self.render_form(form, kept_name=kept.get("o", ""))


class SuggestionDetailView(PartnerRequiredMixin, View):
    def get(self, request, pk):
        suggestion = _partner_suggestion(self.partner, pk)
        return render(
            request,
            "partners/suggestion_detail.html",
            {
                "suggestion": suggestion,
                "timeline": suggestion.activities.filter(is_internal=False).order_by(
                    "created_at", "id"
                ),
                "partner": self.partner,
                "can_withdraw": services.S.WITHDRAWN in services.allowed_targets(suggestion.state),
            },
        )


class SuggestionWithdrawView(PartnerRequiredMixin, View):
    def post(self, request, pk):
        suggestion = _partner_suggestion(self.partner, pk)
        try:
            services.suggestion_withdraw(suggestion=suggestion, actor=request.user)
            messages.success(request, _("Suggestion withdrawn."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(suggestion.get_absolute_url())


class SuggestionDocumentView(PartnerRequiredMixin, View):
    """A suggestion's private PDF, for its office's users and the reviewers."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_staff:
            if not request.user.has_perm("events.view_suggestion"):
                raise PermissionDenied
            suggestion = Suggestion.objects.filter(pk=kwargs["pk"]).first()
            return self.serve(suggestion)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return self.serve(_partner_suggestion(self.partner, pk))

    def serve(self, suggestion):
        if suggestion is None or not suggestion.document:
            raise Http404
        storage = private_storage()
        if not storage.exists(suggestion.document.name):
            raise Http404
        response = FileResponse(
            storage.open(suggestion.document.name),
            content_type="application/pdf",
            as_attachment=True,
            filename=suggestion.document_name or "suggestion.pdf",
        )
        response["Cache-Control"] = "private, max-age=0"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
