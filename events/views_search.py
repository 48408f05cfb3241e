"""The global search page: `/<lang>/search/?q=` finds places, ties and events."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from cities.search import MAX_QUERY_LENGTH, city_search
from cities.selectors import ties_of_matching_places
from exchangeportal.infra.cache import AnonymousPageCacheMixin
from exchangeportal.infra.paging import paginate_or_404

from .selectors import events_matching

PAGE_SIZE = 20


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


SECTIONS = (
    ("places", city_search),
    ("ties", ties_of_matching_places),
    ("events", events_matching),
)


class SearchView(AnonymousPageCacheMixin, TemplateView):
    """Repeated searches (the same words, page and language) come from the page cache
    until the next write; a first search runs a fixed number of queries."""

    template_name = "search/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        context.update(form=form, query=query, sections={}, total=0)
        if not query:
            return context
        for name, selector in SECTIONS:
            page = paginate_or_404(
                selector(query), per_page=PAGE_SIZE, number=self.request.GET.get(f"{name}_page")
            )
            context["sections"][name] = page
            context["total"] += page.paginator.count
        return context
