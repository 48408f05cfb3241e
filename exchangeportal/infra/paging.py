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


class CappedPaginator(Paginator):
    """A paginator that counts no further than `cap`: `count` is at most `cap`, `capped`
    says whether more rows match ("1,000+"), and pages past the cap do not exist."""

    def __init__(self, object_list, per_page, *, count: int, capped: bool):
        super().__init__(object_list, per_page)
        self.count = count  # what `Paginator.count` would compute: set, not queried
        self.capped = capped


def paginate_capped(queryset, *, per_page: int, number, cap: int, rows=None) -> Page:
    """The requested page of `queryset`, counting at most `cap` rows; a malformed or
    out-of-range number → 404.

    Two queries whatever the number of matches: the ordered primary keys of the first
    `cap + 1` rows (the capped count, and where the page starts), then the page's rows by
    primary key, in the same order, from `rows` (a queryset with the joins and prefetches the
    page shows; default: `queryset` itself, whose conditions then run again for those few
    keys). A broad query costs no more than a first page and a count to `cap`.
    """
    ids = list(queryset.values_list("pk", flat=True)[: cap + 1])
    paginator = CappedPaginator([], per_page, count=min(len(ids), cap), capped=len(ids) > cap)
    try:
        number = paginator.validate_number(number or 1)
    except InvalidPage as error:
        raise Http404(_("There is no page %(number)s here.") % {"number": number}) from error
    start = (number - 1) * per_page
    page_ids = ids[start : start + per_page]
    source = queryset if rows is None else rows
    found = {row.pk: row for row in source.filter(pk__in=page_ids)} if page_ids else {}
    paginator.object_list = [found[pk] for pk in page_ids if pk in found]
    return Page(paginator.object_list, number, paginator)
