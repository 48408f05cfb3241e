"""Good practices, under the language prefix (namespace `practices`)."""

from django.urls import path

from . import views_practices

app_name = "practices"

urlpatterns = [
    path("good-practices/", views_practices.GoodPracticeListView.as_view(), name="practice_list"),
    path(
        "good-practices/<slug:slug>/",
        views_practices.GoodPracticeDetailView.as_view(),
        name="practice_detail",
    ),
]
