"""django-axes: the user name it records for a log-in attempt.

Django's log-in form does not limit the length of the user name it passes to `authenticate`,
and axes stores that name in a 255-character column: a very long name (found by the fuzz tests)
made PostgreSQL refuse the insert and the log-in page answer 500. No account has a name longer
than the user model allows, so the name is cut there; the attempt is still counted.
"""

from django.conf import settings
from django.contrib.auth import get_user_model


def axes_username(request, credentials=None) -> str | None:
    """`AXES_USERNAME_CALLABLE`: the submitted user name, cut to the user model's maximum."""
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    source = credentials or getattr(request, "POST", {})
    username = source.get(field)
    if username is None:
        return None
    limit = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD).max_length
    return str(username)[:limit]
