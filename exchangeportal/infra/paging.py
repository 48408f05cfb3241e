"""Paging of the portal's HTML lists, one policy: a malformed or out-of-range number → 404."""

from django.core.paginator import InvalidPage, Page, Paginator
from django.http import Http404
from django.utils.translation import gettext as _


def paginate_or_404(queryset, *, per_page: int, number, count: int | None = None) -> Page:
    """The requested page of `queryset`; a malformed or out-of-range number → 404.

    `count`, when the caller already knows it, saves the COUNT query.
    """
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count
    try:
        return paginator.page(number or 1)
    except InvalidPage as error:
        raise Http404(_("There is no page %(number)s here.") % {"number": number}) from error
