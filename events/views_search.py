"""The global search page: `/<lang>/search/?q=` finds places, ties and events."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from cities.search import MAX_QUERY_LENGTH, city_search
from cities.selectors import tie_search_rows, ties_of_matching_places
from exchangeportal.infra.cache import AnonymousPageCacheMixin
from exchangeportal.infra.paging import paginate_capped

from .selectors import event_search_rows, events_matching

PAGE_SIZE = 20
# Each section counts its matches up to this ("1,000+"): a broad query costs no more than a
# specific one, and its 50 pages are more than anyone reads.
COUNT_CAP = 1000


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        strip=True,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("扬州, 揚州, 양저우, Yangzhou …")}
        ),
    )


# (name, the ordered matches, where the page's rows are read by key: None for the matches
# themselves, whose ranking annotations the place cards show)
SECTIONS = (
    ("places", city_search, None),
    ("ties", ties_of_matching_places, tie_search_rows),
    ("events", events_matching, event_search_rows),
)


class SearchView(AnonymousPageCacheMixin, TemplateView):
    """Repeated searches (the same words, page and language) come from the page cache
    until the next write; a first search runs a fixed number of queries: per section, the
    ordered keys of its first `COUNT_CAP` + 1 matches and the rows of the page asked for."""

    template_name = "search/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        context.update(form=form, query=query, sections={}, total=0, total_capped=False)
        if not query:
            return context
        for name, selector, rows in SECTIONS:
            page = paginate_capped(
                selector(query),
                per_page=PAGE_SIZE,
                number=self.request.GET.get(f"{name}_page"),
                cap=COUNT_CAP,
                rows=rows() if rows else None,
            )
            context["sections"][name] = page
            context["total"] += page.paginator.count
            context["total_capped"] |= page.paginator.capped
        return context
