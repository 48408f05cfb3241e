"""`manage.py ensure_admin`: a local superuser `admin`, made once, password printed once, and a
member of the Reviewer and Curator groups, so that someone hears of new proposals."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

# Made by the events app's migrations (named here: cities never imports events). Reviewers are
# mailed each new proposal; curators edit the data. A superuser may do both anyway, but only
# the Reviewer group's members with an e-mail address are told of submissions.
STAFF_GROUPS = ("Reviewer", "Curator")


class Command(BaseCommand):
    help = (
        "Create the local superuser 'admin' with a generated password if no superuser exists, "
        "and put it in the Reviewer and Curator groups."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--email",
            default="",
            help="The admin's e-mail address (new proposals are mailed to it); set only "
            "when the admin has none yet.",
        )

    def handle(self, *args, username: str, email: str, **options):
        if email:
            try:
                validate_email(email)
            except ValidationError as error:
                raise CommandError(f"Not an e-mail address: {email}") from error
        User = get_user_model()
        with transaction.atomic():
            if User.objects.filter(is_superuser=True).exists():
                self.stdout.write(
                    "A superuser exists already; its password was printed when it was made."
                )
                admin = User.objects.filter(username=username, is_superuser=True).first()
                if admin is None:
                    return
            else:
                password = secrets.token_urlsafe(12)
                admin = User.objects.create_superuser(
                    username=username, email=email, password=password
                )
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Created superuser '{username}' with password: {password}\n"
                        "It is shown only this once: note it now (change it in the admin)."
                    )
                )
            if email and not admin.email:
                admin.email = email
                admin.save(update_fields=["email"])
                self.stdout.write(f"Set the e-mail address of '{username}' to {email}.")
            self._join_groups(admin)
        if not admin.email:
            self.stdout.write(
                f"'{username}' has no e-mail address, so nobody is told of new proposals: "
                "give it one (--email, or in the admin)."
            )

    def _join_groups(self, admin) -> None:
        groups = list(Group.objects.filter(name__in=STAFF_GROUPS).order_by("name"))
        missing = sorted(set(STAFF_GROUPS) - {group.name for group in groups})
        if missing:
            raise CommandError(f"Group(s) missing, run the migrations first: {', '.join(missing)}")
        joined = [group for group in groups if not admin.groups.filter(pk=group.pk).exists()]
        if joined:
            admin.groups.add(*joined)
            names = " and ".join(group.name for group in joined)
            noun = "groups" if len(joined) > 1 else "group"
            self.stdout.write(f"Put '{admin.get_username()}' in the {names} {noun}.")
