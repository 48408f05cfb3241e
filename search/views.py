"""The global search page: `/<lang>/search/?q=` finds places, ties and events."""

from django.core.paginator import Paginator
from django.views.generic import TemplateView

from .forms import SearchForm
from .selectors import search_events, search_places, search_ties

PAGE_SIZE = 20

SECTIONS = (
    ("places", search_places),
    ("ties", search_ties),
    ("events", search_events),
)


class SearchView(TemplateView):
    template_name = "search/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None)
        query = form.cleaned_data["q"] if form.is_valid() else ""
        context.update(form=form, query=query, sections={}, total=0)
        if not query:
            return context
        for name, selector in SECTIONS:
            page = Paginator(selector(query), PAGE_SIZE).get_page(
                self.request.GET.get(f"{name}_page")
            )
            context["sections"][name] = page
            context["total"] += page.paginator.count
        return context
