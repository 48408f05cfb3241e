"""Rules shared by the proposal form, the services and the models."""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_PDF_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"


def validate_pdf(upload) -> None:
    """A PDF is recognised by its first bytes, not its name; at most 10 MB."""
    if upload.size > MAX_PDF_BYTES:
        raise ValidationError(
            _("The PDF is larger than %(limit)s MB."),
            code="pdf_too_large",
            params={"limit": MAX_PDF_BYTES // (1024 * 1024)},
        )
    if PurePath(upload.name or "").suffix.lower() != ".pdf":
        raise ValidationError(_("Only a PDF file (.pdf) can be attached."), code="pdf_name")
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if not head.startswith(PDF_MAGIC):
        raise ValidationError(
            _("This file is not a PDF (its content does not start like one)."), code="pdf_content"
        )
