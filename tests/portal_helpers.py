"""Small readers of rendered portal pages, shared by the view tests."""

import re
from html.parser import HTMLParser

from tests.factories import CityFactory, FriendshipLinkFactory


def card_links(response, prefix: str) -> list[str]:
    """The slugs of the card titles linking under `prefix` ("/en/cities/"), in page order."""
    html = response.content.decode()
    pattern = r'class="card__title"><a href="' + re.escape(prefix) + r'([^/"]+)/"'
    return re.findall(pattern, html)


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)">', response.content.decode())
    return match.group(1) if match else ""


class _FormReader(HTMLParser):
    """What a browser would send for the form with id `form_id`: every named input, select and
    textarea with its current value (checked boxes only, selected options only)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, []
        self._select = self._textarea = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value", "on")))
            else:
                self.data.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self.data.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def form_data(response, form_id: str) -> dict[str, str | list[str]]:
    """The data a browser would post from the form `form_id` of a rendered page (an admin
    change form is `<model>_form`), as a dict for the test client (repeated names → lists)."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    data: dict[str, str | list[str]] = {}
    for name, value in reader.data:
        if name in data:
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    return data


def place(country, name=None):
    """A place in `country` (CN, JP, KR …), named `name` when given."""
    return CityFactory(country=country, **({"name_en": name} if name else {}))


def tie(a, b, **fields):
    """A tie between places `a` and `b`."""
    return FriendshipLinkFactory(city_a=a, city_b=b, **fields)
