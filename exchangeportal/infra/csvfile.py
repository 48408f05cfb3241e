"""CSV downloads for people: UTF-8, with a byte-order mark on request (`?bom=1`).

Excel on Windows reads a CSV file without a BOM in the system's legacy code page, so 扬州,
奈良 and 양저우 come out garbled; with the UTF-8 BOM (U+FEFF, the bytes EF BB BF) first it
reads UTF-8. Other programs (and the API's CSV, for machines) get no BOM by default: many
readers would take it for part of the first column's name.
"""

from django.http import HttpResponse

BOM_PARAMETER = "bom"
UTF8_BOM = "\ufeff"


def wants_bom(request) -> bool:
    """`?bom=1` asks for the variant "for Excel"."""
    return request.GET.get(BOM_PARAMETER) == "1"


def csv_download_response(request, *, filename: str) -> HttpResponse:
    """An empty text/csv attachment to write rows into (`csv.writer(response)`); it starts
    with the UTF-8 BOM when the request asks for it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if wants_bom(request):
        response.write(UTF8_BOM)
    return response
