"""Template helpers of the public portal: language links, paging links, script tags, the
language's separators and amounts of money."""

from decimal import Decimal

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language, get_language_info, pgettext
from django.utils.translation import gettext as _

from exchangeportal.infra.translation import TextOrigin

register = template.Library()

# The language tag of the script a place's own name is written in.
_COUNTRY_SCRIPT_LANG = {"CN": "zh-Hans", "JP": "ja", "KR": "ko"}


def _path_in_language(path: str, current: str, code: str) -> str:
    translated = translate_url(path, code)
    if translated == path and code != current and path.startswith(f"/{current}/"):
        # A path that does not resolve (a 404 page): swap the language prefix.
        translated = f"/{code}/{path[len(current) + 2 :]}"
    return translated


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """One entry per UI language: the current page in that language (query string kept)."""
    request = context.get("request")
    current = get_language() or settings.LANGUAGE_CODE
    links = []
    for code, _name in settings.LANGUAGES:
        if request is None:
            url = f"/{code}/"
        else:
            url = _path_in_language(request.path, current, code)
            if request.GET:
                url = f"{url}?{request.GET.urlencode()}"
        links.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": url,
                "absolute_url": request.build_absolute_uri(url) if request else url,
                "current": code == current,
            }
        )
    return links


@register.simple_tag(takes_context=True)
def page_query(context, number, param: str = "page") -> str:
    """The current query string with `param` set to `number` ("?country=JP&page=2")."""
    request = context["request"]
    query = request.GET.copy()
    query[param] = number
    return f"?{query.urlencode()}"


@register.filter
def script_lang(country: str) -> str:
    """The BCP 47 tag of a place's own script (CN → zh-Hans), so the right CJK glyphs show."""
    return _COUNTRY_SCRIPT_LANG.get(country, "")


@register.simple_tag(takes_context=True)
def x_default_url(context) -> str:
    """The page without a language prefix: it redirects by the browser's Accept-Language."""
    request = context.get("request")
    if request is None:
        return "/"
    current = get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    prefix = f"/{current}/"
    if path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    return request.build_absolute_uri(path)


@register.filter
def in_language(text):
    """A translated text (`ShownText`) as HTML: as it is when in the reader's language; else
    in a `<span lang>` with a small "Original: 日本語" label, so that no text in another
    language is mixed in silently. A translation the portal made says so."""
    language = getattr(text, "language", None)
    if language is None or not text:
        return conditional_escape(text)
    if not text.is_fallback:
        if text.origin == TextOrigin.TRANSLATION:
            return format_html(
                '{} <small class="text-origin">{}</small>', text, _("translation by the portal")
            )
        return conditional_escape(text)
    label = _("Original: %(language)s") % {"language": get_language_info(language)["name_local"]}
    return format_html(
        '<span lang="{}">{}</span> <small class="text-origin">{}</small>', language, text, label
    )


@register.simple_tag
def label_sep() -> str:
    """What follows a label before its value: ": " in English and Korean, "：" in Chinese and
    Japanese (full-width, no space)."""
    return pgettext("label separator", ": ")


@register.simple_tag
def list_sep() -> str:
    """Between the items of a list in running text: ", " in English and Korean, "、" in Chinese
    and Japanese."""
    return pgettext("list separator", ", ")


@register.filter
def lang_span(text):
    """A translated text (`ShownText`) in a `<span lang>` when it is not in the reader's
    language, without the label (for breadcrumbs and short links near a labelled copy)."""
    if getattr(text, "is_fallback", False) and text:
        return format_html('<span lang="{}">{}</span>', text.language, text)
    return conditional_escape(text)


@register.filter
def money(amount, currency: str = "") -> str:
    """An amount with its currency, digits grouped the active language's way and no ".00"
    when it is whole: "200,000 CNY", "1,234.50 JPY"; "" without an amount. The one place
    budgets are shown (event pages, partner pages, the review desk; the API stays numeric)."""
    if amount is None or amount == "":
        return ""
    value = Decimal(amount)
    places = 0 if value == value.to_integral_value() else 2
    number = formats.number_format(value, places, use_l10n=True, force_grouping=True)
    return f"{number} {currency}".strip()


@register.filter
def capped_count(count: int, capped: bool = False) -> str:
    """A count of matches as shown: "12", or "1,000+" (grouped the active language's way) when
    the count stopped at its cap (`exchangeportal.infra.paging.paginate_capped`)."""
    if not capped:
        return str(count)
    return f"{formats.number_format(count, use_l10n=True, force_grouping=True)}+"
