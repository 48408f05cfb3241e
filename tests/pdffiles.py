"""PDF files made in the tests, byte by byte: a harmless one and one for each way a PDF can run
code or carry a file (for `events.validators.validate_pdf`).

Written by hand rather than with a PDF library so that each file holds exactly the construct
under test: JavaScript as the open action, in the document's or a page's additional actions
(/AA), as an annotation's action, a launch action, an embedded file, names spelled with hex
escapes (/J#61vaScript), and objects hidden in a compressed object stream.
"""

import zlib

PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] %s>>"


def build(objects: dict[int, bytes], *, trailer: bytes = b"/Root 1 0 R") -> bytes:
    """A PDF with a classic cross-reference table; objects are numbered 1..n without gaps."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    start = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, trailer, start)
    return bytes(out)


def document(*, catalog_extra: bytes = b"", page_extra: bytes = b"", extra=None) -> bytes:
    """Catalog (1), pages (2), one page (3), plus `extra` objects from 4 on."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog_extra,
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: PAGE % page_extra,
    }
    objects.update(extra or {})
    return build(objects)


def harmless() -> bytes:
    """A plain one-page PDF that opens at its first page (a destination, not an action)."""
    return document(catalog_extra=b"/OpenAction [3 0 R /Fit] ")


def link_to_website() -> bytes:
    """A link annotation opening a web page: an action, but not one that runs anything."""
    return document(
        page_extra=b"/Annots [4 0 R] ",
        extra={
            4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 20] "
            b"/A << /S /URI /URI (https://example.org/) >> >>"
        },
    )


def open_action_javascript() -> bytes:
    return document(catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> ")


def document_additional_actions() -> bytes:
    """JavaScript run when the document closes (/AA /WC on the catalog)."""
    return document(catalog_extra=b"/AA << /WC << /S /JavaScript /JS (app.alert(1)) >> >> ")


def page_additional_actions() -> bytes:
    """JavaScript run when the page opens (/AA /O on the page)."""
    return document(
        page_extra=b"/AA << /O 4 0 R >> ",
        extra={
            4: b"<< /S /JavaScript /JS 5 0 R >>",
            5: b"<< /Length 12 >>\nstream\napp.alert(1)\nendstream",
        },
    )


def annotation_launch_action() -> bytes:
    """A link that starts a program."""
    return document(
        page_extra=b"/Annots [4 0 R] ",
        extra={
            4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 20] "
            b"/A << /S /Launch /F (cmd.exe) >> >>"
        },
    )


def javascript_name_tree() -> bytes:
    """Document-level JavaScript in the catalog's /Names /JavaScript tree."""
    return document(
        catalog_extra=b"/Names << /JavaScript 4 0 R >> ",
        extra={
            4: b"<< /Names [(init) 5 0 R] >>",
            5: b"<< /S /JavaScript /JS (app.alert(1)) >>",
        },
    )


def hex_escaped_names() -> bytes:
    """/JavaScript and /JS spelled with hex escapes, which a byte search does not find."""
    return document(catalog_extra=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> ")


def embedded_file() -> bytes:
    """A file attached to the document (/Names /EmbeddedFiles → a file specification)."""
    payload = b"MZ this could be a program"
    return document(
        catalog_extra=b"/Names << /EmbeddedFiles << /Names [(setup.exe) 4 0 R] >> >> ",
        extra={
            4: b"<< /Type /Filespec /F (setup.exe) /EF << /F 5 0 R >> >>",
            5: b"<< /Type /EmbeddedFile /Length %d >>\nstream\n%s\nendstream"
            % (len(payload), payload),
        },
    )


def object_stream_javascript() -> bytes:
    """The catalog and its JavaScript open action inside a compressed object stream, with a
    cross-reference stream (PDF 1.5): nothing of it is readable in the file's bytes."""
    inside = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        4: b"<< /S /JavaScript /JS (app.alert(1)) >>",
    }
    header, body = b"", b""
    for number, content in inside.items():
        header += b"%d %d " % (number, len(body))
        body += content + b"\n"
    packed = zlib.compress(header + body)

    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    plain = {
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: PAGE % b"",
        5: b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(inside), len(header), len(packed))
        + packed
        + b"\nendstream",
    }
    for number, content in plain.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    # Cross-reference stream (object 6): type 0 free, 1 at an offset, 2 inside object stream 5.
    rows = {0: (0, 0, 65535), 6: (1, len(out), 0)}
    rows.update({number: (1, offset, 0) for number, offset in offsets.items()})
    rows.update({number: (2, 5, index) for index, number in enumerate(inside)})
    table = b"".join(
        bytes([kind]) + field.to_bytes(4, "big") + extra.to_bytes(2, "big")
        for _number, (kind, field, extra) in sorted(rows.items())
    )
    start = len(out)
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start
    )
    return bytes(out)
