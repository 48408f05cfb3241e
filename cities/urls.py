from django.urls import path, register_converter

from . import views

app_name = "cities"


class PairSlugConverter:
    """A slug without a double hyphen, so "<a>--<b>" splits in exactly one way."""

    regex = r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PairSlugConverter, "pairslug")

urlpatterns = [
    path("cities/", views.CityListView.as_view(), name="city_list"),
    path("cities/<slug:slug>/", views.CityDetailView.as_view(), name="city_detail"),
    path(
        "ties/<pairslug:slug_a>--<pairslug:slug_b>/",
        views.TieDetailView.as_view(),
        name="tie_detail",
    ),
    path("culture-cities/", views.DesignationArchiveView.as_view(), name="designation_archive"),
    path(
        "culture-cities/<int:year>/", views.DesignationYearView.as_view(), name="designation_year"
    ),
]
