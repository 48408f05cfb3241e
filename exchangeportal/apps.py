from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save

# Writes to these apps' models do not change what the public pages show.
APPS_NOT_SHOWN = {"admin", "auth", "axes", "contenttypes", "sessions", "exchangeportal"}
# Partners' accounts and proposals are private until a proposal becomes a (public) event.
MODELS_NOT_SHOWN = {"partner", "partnermembership", "eventproposal", "proposalactivity"}


def _bump_on_write(sender, **kwargs):
    from django.db import transaction

    from .cache import data_version_bump

    meta = sender._meta
    if meta.app_label not in APPS_NOT_SHOWN and meta.model_name not in MODELS_NOT_SHOWN:
        # Now, and again at commit: a page rendered by another process between the two
        # (from the data before the commit) must not stay cached under the new version.
        data_version_bump()
        transaction.on_commit(data_version_bump)


class ExchangePortalConfig(AppConfig):
    """Project-wide wiring: every write to the portal's data makes the cached pages stale."""

    name = "exchangeportal"
    verbose_name = "CJK City Exchange Portal"

    def ready(self):
        for name, signal in [
            ("post_save", post_save),
            ("post_delete", post_delete),
            ("m2m_changed", m2m_changed),
        ]:
            signal.connect(_bump_on_write, dispatch_uid=f"portal-cache-{name}")
