"""PDF attachments are parsed (pypdf): scripts, automatic actions and attached files refused."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from events.validators import validate_pdf
from tests import pdffiles

REFUSED = (
    "This PDF contains scripts, automatic actions or attached files, which are not accepted. "
    "Save it again as a plain PDF (for example with “Print to PDF”)."
)


def upload(content: bytes, name: str = "programme.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def refusal(content: bytes) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        validate_pdf(upload(content))
    return refused.value.messages


@pytest.mark.parametrize("make", [pdffiles.harmless, pdffiles.link_to_website])
def test_validate_pdf_accepts_a_plain_pdf(make):
    document = upload(make())

    validate_pdf(document)

    assert document.tell() == 0  # ready to be stored


@pytest.mark.parametrize(
    "make",
    [
        pdffiles.open_action_javascript,
        pdffiles.document_additional_actions,
        pdffiles.page_additional_actions,
        pdffiles.annotation_launch_action,
        pdffiles.javascript_name_tree,
        pdffiles.hex_escaped_names,
        pdffiles.embedded_file,
        pdffiles.object_stream_javascript,
    ],
)
def test_validate_pdf_refuses_active_content(make):
    assert refusal(make()) == [REFUSED]


def test_hidden_constructs_are_invisible_to_a_byte_search():
    """Why the file is parsed: these two never spell "/JavaScript" in their bytes."""
    assert b"/JavaScript" not in pdffiles.hex_escaped_names()
    assert b"JavaScript" not in pdffiles.object_stream_javascript()


def test_validate_pdf_refuses_a_damaged_pdf():
    assert refusal(b"%PDF-1.7\n" + b"\x00garbage" * 50) == [
        "This PDF cannot be read: it may be damaged."
    ]


def test_validate_pdf_still_refuses_other_files_by_their_first_bytes():
    assert refusal(b"<!doctype html><script>alert(1)</script>") == [
        "This file is not a PDF (its content does not start like one)."
    ]
