"""Compressed responses: Brotli where the client accepts it, else gzip — never for a page
that holds a secret.

**BREACH.** An attacker who can make a victim's browser send requests (with its cookies) and
can see the size of the compressed answers can learn a secret in the body byte by byte, when
the body also reflects text the attacker chose. So only bodies that hold no secret are
compressed:

- no session or messages cookie came with the request, and none is set by the answer (a
  signed-in partner's or reviewer's pages, with their names, proposals and CSRF token, go
  uncompressed);
- the answer did not use the CSRF token (a page with a form: log-in, sign-up, password reset,
  the search form of the admin).

Django masks the CSRF token with a new random mask on every response, which already defeats
BREACH for the token itself; leaving these pages uncompressed also covers what the masking
does not (a partner's own data). Everything else — the public pages, the API and its GeoJSON,
CSV, iCal, sitemap.xml — is public data, the same for every visitor, and is compressed.
Requests authenticated by an API token are compressed: a browser never adds that header by
itself, so an attacker cannot make one send it.

The page cache (`exchangeportal.infra.cache`) keeps each page's encoded variants beside the
plain one, so a cache hit costs no compression; `CompressionMiddleware` encodes what is not
cached. Static files are compressed ahead of time by whitenoise (`collectstatic`: `.br` and
`.gz` beside each file); whitenoise's file answers are streams the middleware leaves alone
(it only encodes streams of the compressible types, such as the API's CSV).
"""

import gzip
import re

import brotli
from django.conf import settings
from django.utils.cache import patch_vary_headers

# Bodies smaller than this gain nothing (the headers and framing cost more).
MIN_SIZE = 200
# Quality for bodies compressed per request (Brotli 0-11, gzip 1-9): Brotli 5 is smaller than
# gzip 9 and several times faster than Brotli 11, which suits a page rendered on the fly.
BROTLI_QUALITY = 5
GZIP_LEVEL = 6
ENCODINGS = ("br", "gzip")  # the server's preference, best first

_COMPRESSIBLE = re.compile(
    r"^(text/|application/(json|geo\+json|xml|javascript|ld\+json|problem\+json|"
    r"vnd\.oai\.openapi(\+json)?)|image/svg\+xml)",
    re.IGNORECASE,
)


def accepted_encoding(request) -> str | None:
    """The encoding to answer in: "br" or "gzip" as the Accept-Encoding header allows (a
    q-value of 0 refuses; "*" accepts both), or None for the plain body."""
    header = request.META.get("HTTP_ACCEPT_ENCODING", "")
    weights: dict[str, float] = {}
    for part in header.split(","):
        name, _sep, params = part.strip().partition(";")
        name = name.strip().lower()
        if not name:
            continue
        weight = 1.0
        match = re.search(r"q\s*=\s*([^;\s]*)", params)  # a q-value that is no number refuses
        if match:
            try:
                weight = float(match.group(1))
            except ValueError:
                weight = 0.0
        weights[name] = weight
    best = None
    for encoding in ENCODINGS:
        weight = weights.get(encoding, weights.get("*", 0.0))
        if weight > 0 and (best is None or weight > best[1]):
            best = (encoding, weight)
    return best[0] if best else None


def encode(content: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(content, quality=BROTLI_QUALITY)
    if encoding == "gzip":
        # mtime=0: the same body always gives the same bytes (cacheable, comparable).
        return gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0)
    raise ValueError(f"unknown content coding {encoding!r}")


def holds_secret(request, response) -> bool:
    """Whether the body may hold something of this visitor's alone (see the module's
    docstring): then it must not be compressed.

    A page that used the CSRF token is told by the flag `get_token` sets (seen inside the
    view, by the page cache) or, once `CsrfViewMiddleware` has answered and cleared the flag,
    by the CSRF cookie it then sets on the response."""
    personal = {settings.SESSION_COOKIE_NAME, "messages"}
    if personal & set(request.COOKIES):
        return True
    if (personal | {settings.CSRF_COOKIE_NAME}) & set(response.cookies):
        return True
    return bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))


def is_compressible(response) -> bool:
    """A complete, not yet encoded body of a textual type, worth compressing."""
    if response.streaming or response.has_header("Content-Encoding"):
        return False
    if not _COMPRESSIBLE.match(response.get("Content-Type", "")):
        return False
    return len(response.content) >= MIN_SIZE


def weak_etag(etag: str) -> str:
    """The ETag of an encoded variant: weak, as the bytes differ from the plain body (Django's
    conditional GET compares If-None-Match weakly, so a client's W/ tag still gets a 304)."""
    return etag if etag.startswith("W/") else f"W/{etag}"


def apply_encoding(response, content: bytes, encoding: str) -> None:
    """Put an already encoded body on `response` with its headers."""
    response.content = content
    response["Content-Length"] = str(len(content))
    response["Content-Encoding"] = encoding
    if response.has_header("ETag"):
        response["ETag"] = weak_etag(response["ETag"])


def encode_stream(chunks, encoding: str):
    """Encode a streamed body as it is produced (the API's CSV of every row): never held
    whole in memory."""
    if encoding == "br":
        compressor = brotli.Compressor(quality=BROTLI_QUALITY)
        for chunk in chunks:
            data = compressor.process(chunk)
            if data:
                yield data
        yield compressor.finish()
        return
    buffer = _Buffer()
    with gzip.GzipFile(mode="wb", compresslevel=GZIP_LEVEL, fileobj=buffer, mtime=0) as zfile:
        for chunk in chunks:
            zfile.write(chunk)
            data = buffer.take()
            if data:
                yield data
    yield buffer.take()


class _Buffer:
    """A write-only file whose written bytes are taken out as they come."""

    def __init__(self):
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


class CompressionMiddleware:
    """Brotli or gzip for every compressible answer that holds no secret (and that the page
    cache did not already encode). Adds `Vary: Accept-Encoding` to every compressible type,
    so shared caches keep the variants apart."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not _COMPRESSIBLE.match(response.get("Content-Type", "")):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if response.streaming:
            self._encode_stream(request, response)
            return response
        if not is_compressible(response) or holds_secret(request, response):
            return response
        encoding = accepted_encoding(request)
        if encoding is None:
            return response
        encoded = encode(response.content, encoding)
        if len(encoded) < len(response.content):
            apply_encoding(response, encoded, encoding)
        return response

    @staticmethod
    def _encode_stream(request, response) -> None:
        if response.has_header("Content-Encoding") or holds_secret(request, response):
            return
        encoding = accepted_encoding(request)
        if encoding is None:
            return
        response.streaming_content = encode_stream(response.streaming_content, encoding)
        response["Content-Encoding"] = encoding
        del response["Content-Length"]
        if response.has_header("ETag"):
            response["ETag"] = weak_etag(response["ETag"])


class HeadResponseMiddleware:
    """An answer to HEAD has the headers of the GET (its Content-Length among them) and no
    body. Django leaves dropping the body to the server; gunicorn sends what it is given."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD" and not response.streaming and response.content:
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response
