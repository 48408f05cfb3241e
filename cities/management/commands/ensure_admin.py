"""`manage.py ensure_admin`: a local superuser `admin`, made once, password printed once."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the local superuser 'admin' with a generated password if no superuser exists."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(
                "A superuser exists already; its password was printed when it was made."
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created superuser '{username}' with password: {password}\n"
                "It is shown only this once: note it now (change it in the admin)."
            )
        )
