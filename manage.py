#!/usr/bin/env python
import os
import secrets
import sys

# Commands that only read or write the code (migrations, catalogs) and never serve, sign or
# send anything: they run without DJANGO_SECRET_KEY, so a fresh checkout can run
# `python manage.py makemigrations --check` as it is. Everything else still refuses to
# start without a key when DEBUG is off.
KEYLESS_COMMANDS = {
    "makemigrations",
    "showmigrations",
    "sqlmigrate",
    "makemessages",
    "compilemessages",
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchangeportal.settings")
    if (
        sys.argv[1:2]
        and sys.argv[1] in KEYLESS_COMMANDS
        and not os.environ.get("DJANGO_SECRET_KEY")
    ):
        # A throw-away key: nothing these commands do is signed or kept.
        os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    from django.core.management import execute_from_command_line  # noqa: PLC0415 — after the env

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
