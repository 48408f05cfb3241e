"""Every page reachable from the home page obeys the Content-Security-Policy: no inline code."""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

INLINE = [
    (
        "inline script",
        re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"),
    ),
    ("style element", re.compile(r"<style\b")),
    ("style attribute", re.compile(r"<[a-zA-Z][^>]*\sstyle=")),
    ("event handler attribute", re.compile(r"<[a-zA-Z][^>]*\son[a-z]+=")),
    ("javascript: URL", re.compile(r"""(?:href|src|action)=["']\s*javascript:""", re.IGNORECASE)),
]
MAX_PAGES = 60


def _internal_links(html: str) -> list[str]:
    links = []
    for href in re.findall(r"""<a\b[^>]*\bhref=["']([^"']+)["']""", html):
        path, _fragment = urldefrag(href.replace("&amp;", "&"))
        parts = urlsplit(path)
        if not parts.scheme and not parts.netloc and path.startswith("/"):
            links.append(path)
    return links


@pytest.mark.django_db
def test_pages_reachable_from_home_have_no_inline_code(client, demo_data):
    queue, seen, problems, visited = deque(["/en/", "/ja/", "/zh-hans/", "/ko/"]), set(), [], 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        visited += 1
        assert response.status_code in {200, 301, 302, 404}, path
        if "text/html" not in response.get("Content-Type", ""):
            if response.streaming:  # a streamed file (the open-data dump): read to its end
                b"".join(response.streaming_content)
            continue
        html = response.content.decode()
        problems += [f"{path}: {name}" for name, pattern in INLINE if pattern.search(html)]
        queue.extend(link for link in _internal_links(html) if link not in seen)

    assert visited >= 20
    assert problems == []
