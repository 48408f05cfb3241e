import pytest
from django.http import Http404

from exchangeportal.infra.paging import paginate_or_404


def test_paginate_or_404_gives_the_requested_page():
    page = paginate_or_404(list(range(5)), per_page=2, number="2")

    assert (page.number, list(page.object_list), page.paginator.num_pages) == (2, [2, 3], 3)


def test_paginate_or_404_starts_at_the_first_page_without_a_number():
    page = paginate_or_404(list(range(5)), per_page=2, number=None)

    assert list(page.object_list) == [0, 1]


@pytest.mark.parametrize("number", ["4", "0", "abc"])
def test_paginate_or_404_refuses_a_page_past_the_end_or_malformed(number):
    with pytest.raises(Http404) as raised:
        paginate_or_404(list(range(5)), per_page=2, number=number)

    assert str(raised.value) == f"There is no page {number} here."


def test_paginate_or_404_takes_a_known_count():
    page = paginate_or_404(list(range(5)), per_page=2, number="3", count=6)

    assert (page.paginator.count, page.paginator.num_pages, list(page.object_list)) == (6, 3, [4])
