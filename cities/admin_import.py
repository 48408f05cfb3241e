"""The admin's "Import ties" page: upload → preview → confirm, through `ties_import`.

The uploaded file is kept on the server under a random name known only to the
session; the confirmation carries nothing but the CSRF token, so a client can
neither swap the file between preview and confirmation nor point at another one.
"""

import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .imports import TIE_COLUMNS, ties_import_file

UPLOAD_DIR = Path(tempfile.gettempdir()) / "exchangeportal-tie-imports"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_LIFETIME_SECONDS = 24 * 3600
SESSION_KEY = "tie_import"


class TieImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, with the columns %(columns)s.") % {"columns": ", ".join(TIE_COLUMNS)},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Upload a .csv file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        data = upload.read()
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        return data


def _upload_path(token: str) -> Path:
    return UPLOAD_DIR / f"{token}.csv"


def _forget(request) -> None:
    kept = request.session.pop(SESSION_KEY, None)
    if kept:
        _upload_path(kept["token"]).unlink(missing_ok=True)


def _remove_stale_uploads() -> None:
    if not UPLOAD_DIR.exists():
        return
    for old in UPLOAD_DIR.glob("*.csv"):
        if time.time() - old.stat().st_mtime > UPLOAD_LIFETIME_SECONDS:
            old.unlink(missing_ok=True)


class TieImportAdminMixin:
    """Adds the import page to the tie changelist (for staff who may add and change ties)."""

    change_list_template = "admin/cities/friendshiplink/change_list.html"

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{opts.app_label}_{opts.model_name}_import",
            ),
            *super().get_urls(),
        ]

    def may_import(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import": self.may_import(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.may_import(request):
            raise PermissionDenied
        changelist = reverse("admin:cities_friendshiplink_changelist")
        form, report, file_name = TieImportForm(), None, ""
        action = request.POST.get("action", "")
        if request.method == "POST" and action == "cancel":
            _forget(request)
            messages.info(request, gettext("The import was cancelled; nothing was written."))
            return redirect(changelist)
        if request.method == "POST" and action == "confirm":
            kept = request.session.get(SESSION_KEY)
            if not kept or not _upload_path(kept["token"]).exists():
                messages.error(request, gettext("Nothing to confirm: upload the file again."))
                return redirect("admin:cities_friendshiplink_import")
            report = ties_import_file(path=_upload_path(kept["token"]), origin=kept["name"])
            file_name = kept["name"]
            if report.written:
                _forget(request)
                counts = report.counts().get("Ties", {})
                messages.success(
                    request,
                    gettext(
                        "%(name)s imported: %(created)s ties created, %(updated)s updated, "
                        "%(unchanged)s unchanged, %(conflicts)s lines with conflicts kept for a "
                        "curator, %(places)s places created."
                    )
                    % {
                        "name": file_name,
                        "created": counts.get("created", 0),
                        "updated": counts.get("updated", 0),
                        "unchanged": counts.get("unchanged", 0),
                        "places": len(report.created_places),
                        "conflicts": len(report.lines_by_outcome["conflicts"]),
                    },
                )
                return redirect(changelist)
            _forget(request)  # the data changed since the preview: start again
        elif request.method == "POST":
            form = TieImportForm(request.POST, request.FILES)
            if form.is_valid():
                _forget(request)
                _remove_stale_uploads()
                UPLOAD_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
                token = secrets.token_urlsafe(24)
                _upload_path(token).write_bytes(form.cleaned_data["file"])
                file_name = request.FILES["file"].name
                report = ties_import_file(path=_upload_path(token), dry_run=True)
                if report.ok:
                    request.session[SESSION_KEY] = {"token": token, "name": file_name}
                else:
                    _upload_path(token).unlink(missing_ok=True)

        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Import ties"),
            "form": form,
            "report": report,
            "file_name": file_name,
            "columns": TIE_COLUMNS,
            "counts": report.counts() if report else {},
            "can_confirm": bool(report and report.ok and not report.written),
        }
        return TemplateResponse(request, "admin/cities/friendshiplink/import.html", context)
