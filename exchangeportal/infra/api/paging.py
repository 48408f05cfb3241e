"""Paging of the API's lists: `?page=` and `?page_size=`."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 100


class ApiPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (at most 100); a page past the end answers 404."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_query_description = gettext_lazy("Page number, from 1.")
    page_size_query_description = gettext_lazy(
        "Results per page (default 20, at most 100; a larger value gives 100)."
    )

    def validate_paging(self, request) -> None:
        """400 unless `page` and `page_size`, when given, are whole numbers from 1."""
        errors = {}
        for name in (self.page_query_param, self.page_size_query_param):
            value = request.query_params.get(name, "")
            if value and not (value.isascii() and value.isdigit() and int(value) >= 1):
                errors[name] = [_("Give a whole number from 1.")]
        if errors:
            raise exceptions.ValidationError(errors)

    def paginate_queryset(self, queryset, request, view=None):
        self.validate_paging(request)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param, "")
        return min(int(value), self.max_page_size) if value else self.page_size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
