"""The portal's admin site: Django's own, with the translation desk's pages."""

from django.contrib.admin import AdminSite

from .infra.translation_desk import TranslationDeskSiteMixin


class PortalAdminSite(TranslationDeskSiteMixin, AdminSite):
    index_template = "admin/portal_index.html"
