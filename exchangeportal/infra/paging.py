"""Paging for lists that are not the view's main object list (a place's events …)."""

from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404
from django.utils.translation import gettext as _


def paginate_or_404(queryset, *, per_page: int, number) -> Page:
    """The requested page of `queryset`; a malformed or out-of-range number → 404."""
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(number or 1)
    except InvalidPage as error:
        raise Http404(_("There is no page %(number)s here.") % {"number": number}) from error
