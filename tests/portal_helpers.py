"""Small readers of rendered portal pages, shared by the view tests."""

import re


def card_links(response, prefix: str) -> list[str]:
    """The slugs of the card titles linking under `prefix` ("/en/cities/"), in page order."""
    html = response.content.decode()
    pattern = r'class="card__title"><a href="' + re.escape(prefix) + r'([^/"]+)/"'
    return re.findall(pattern, html)


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)">', response.content.decode())
    return match.group(1) if match else ""
