from django.apps import AppConfig, apps
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import m2m_changed, pre_delete, pre_save

# Writes to these apps' models do not change what the public pages show.
APPS_NOT_SHOWN = {"admin", "auth", "axes", "contenttypes", "sessions", "exchangeportal"}
# Partners' accounts and proposals are private until a proposal becomes a (public) event.
# Search keys are derived from places' names (a place's save already counts), and carry no
# receiver so that rebuilding them deletes in one statement, not row by row.
MODELS_NOT_SHOWN = {
    "partner",
    "partnermembership",
    "eventproposal",
    "proposalactivity",
    "citysearchkey",
}


def _bump_on_write(sender, **kwargs):
    from .infra.cache import data_version_bump  # noqa: PLC0415 — needs the models: after setup

    # Before the write, in its transaction: a rollback undoes both, and the version row is
    # locked before the rows of what is shown (two curators' saves wait, never deadlock).
    if kwargs.get("action", "pre_").startswith("pre_"):
        data_version_bump()


def is_shown(model) -> bool:
    """Whether the public pages show what this model holds (its writes make pages stale)."""
    meta = model._meta
    return meta.app_label not in APPS_NOT_SHOWN and meta.model_name not in MODELS_NOT_SHOWN


class ExchangePortalConfig(AppConfig):
    """Project-wide wiring: every write to the portal's data makes the cached pages stale."""

    default = True  # the app's own config; this module also holds the admin's
    name = "exchangeportal"
    verbose_name = "CJK City Exchange Portal"

    def ready(self):
        # Connected per model that is shown: the others keep Django's one-statement
        # deletes (a model with any receiver is deleted row by row).
        for model in apps.get_models(include_auto_created=True):
            if not is_shown(model):
                continue
            for name, signal in [
                ("pre_save", pre_save),
                ("pre_delete", pre_delete),
                ("m2m_changed", m2m_changed),
            ]:
                signal.connect(
                    _bump_on_write,
                    sender=model,
                    dispatch_uid=f"portal-cache-{name}-{model._meta.label}",
                )


class PortalAdminConfig(admin_apps.AdminConfig):
    """`django.contrib.admin` with the portal's site (`admin.site` is a `PortalAdminSite`)."""

    default = False
    default_site = "exchangeportal.admin_site.PortalAdminSite"
