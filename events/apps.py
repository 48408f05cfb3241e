from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from .panels import panels_register  # noqa: PLC0415 — needs the models: after setup

        # The events of a place, a tie and a Culture City year, on cities' pages.
        panels_register()
