"""The portal's admin site: Django's own, under the portal's name in the user's language, with
the curators' dashboard as its index and the translation desk's pages."""

from django.contrib.admin import AdminSite
from django.utils.translation import gettext_lazy as _

from .infra.translation_desk import TranslationDeskSiteMixin


class PortalAdminSite(TranslationDeskSiteMixin, AdminSite):
    site_header = _("CJK City Exchange Portal")
    site_title = _("CJK City Exchange Portal — administration")
    index_title = _("Dashboard")
    index_template = "admin/portal_index.html"
    # At 1,280 px the models' sidebar left a change list ~630 px for its columns: the
    # breadcrumbs and the index (the dashboard) lead to every list instead.
    enable_nav_sidebar = False

    def index(self, request, extra_context=None):
        # The dashboard reads the apps' admins, which register on this site: imported when
        # the page is built, never while the site is made.
        from .dashboard import dashboard_sections  # noqa: PLC0415

        extra_context = {
            **(extra_context or {}),
            "dashboard": dashboard_sections(site=self, request=request),
        }
        return super().index(request, extra_context)
