"""Good practices: exchanges that worked and are easy to copy, as marked by staff."""

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from exchangeportal.infra.cache import AnonymousPageCacheMixin
from exchangeportal.infra.paging import paginate_or_404

from .insights import good_practice_detail_queryset, good_practices
from .models import EventCategory, EventFormat

PRACTICES_PER_PAGE = 20


class GoodPracticeFilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("any category")), *EventCategory.choices],
    )
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("any format")), *EventFormat.choices]
    )


class GoodPracticeListView(AnonymousPageCacheMixin, TemplateView):
    template_name = "practices/practice_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = GoodPracticeFilterForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        page = paginate_or_404(
            good_practices(filters),
            per_page=PRACTICES_PER_PAGE,
            number=self.request.GET.get("page"),
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            form=form, page_obj=page, practices=page.object_list, filter_query=query.urlencode()
        )
        return context


class GoodPracticeDetailView(AnonymousPageCacheMixin, View):
    """One case: what, who (places and organisations), since when, results, sources."""

    def get(self, request, slug):
        practice = good_practice_detail_queryset().filter(slug=slug).first()
        if practice is None:
            raise Http404(gettext("No published good practice has this address."))
        return render(request, "practices/practice_detail.html", {"practice": practice})
