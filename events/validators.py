"""Rules shared by the proposal form, the services and the models."""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

MAX_PDF_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
# Objects looked at before giving up on a PDF (a proposal's programme has a few hundred).
MAX_PDF_OBJECTS = 200_000

# Keys that make a PDF run code or carry files: JavaScript (an action's /JS, the document's
# /Names /JavaScript tree), additional actions run on events (/AA: opening or closing the
# document or a page, and so on), embedded files (/EmbeddedFiles, a file specification's /EF),
# XFA forms (scripts) and rich media.
ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EF", "/XFA", "/RichMedia"}
)
# Actions (an action dictionary's /S) that run code, start programs or open embedded content.
ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/GoToE", "/RichMediaExecute", "/SubmitForm"}
)
ACTIVE_TYPES = frozenset({"/EmbeddedFile"})


class _ActiveContent(Exception):
    pass


def _walk_pdf(reader: PdfReader) -> None:
    """Visit every object reachable from the trailer (objects inside object streams too: pypdf
    resolves them), with names as pypdf decodes them (`/J#61vaScript` is `/JavaScript`).
    Raises _ActiveContent at the first active construct."""
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(item, DictionaryObject):  # stream dictionaries too
            if ACTIVE_KEYS.intersection(item.keys()):
                raise _ActiveContent
            if item.get("/S") in ACTIVE_ACTIONS or item.get("/Type") in ACTIVE_TYPES:
                raise _ActiveContent
            stack.extend(value for name, value in item.items() if name != "/Parent")
        elif isinstance(item, ArrayObject):
            stack.extend(item)


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
    validate_pdf_content(upload)


def validate_pdf_content(upload) -> None:
    """Parse the PDF (pypdf) and refuse JavaScript, launch and similar actions, additional
    actions, embedded files and XFA forms, wherever they are written: in the document, a page or
    an annotation, with hex-escaped names, inside object streams. Also refuses a PDF that
    cannot be read or is protected by a password (its objects cannot be checked)."""
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("Password-protected PDFs cannot be checked: attach one without a password."),
                code="pdf_encrypted",
            )
        _walk_pdf(reader)
    except _ActiveContent:
        raise ValidationError(
            _(
                "This PDF contains scripts, automatic actions or attached files, which are not "
                "accepted. Save it again as a plain PDF (for example with “Print to PDF”)."
            ),
            code="pdf_active_content",
        ) from None
    except ValidationError:
        raise
    except Exception as error:  # pypdf raises many kinds of errors on damaged files
        raise ValidationError(
            _("This PDF cannot be read: it may be damaged."), code="pdf_unreadable"
        ) from error
    finally:
        upload.seek(0)
