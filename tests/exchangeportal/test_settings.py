import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

PROJECT = Path(__file__).resolve().parents[2]


def settings_in_subprocess(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='exchangeportal.settings'; "
        f"django.setup(); from django.conf import settings; print({expression})"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_debug_is_off_unless_set():
    result = settings_in_subprocess({"DJANGO_SECRET_KEY": "x" * 50}, "settings.DEBUG")

    assert result.stdout.strip() == "False"


def test_secret_key_is_required_when_debug_is_off():
    result = settings_in_subprocess({}, "settings.DEBUG")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_database_url_selects_postgresql():
    result = settings_in_subprocess(
        {"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://portal@db.internal:5432/portal"},
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['HOST']",
    )

    assert result.stdout.strip() == "django.db.backends.postgresql db.internal"


def test_languages_are_english_chinese_japanese_korean(settings):
    assert [code for code, _name in settings.LANGUAGES] == ["en", "zh-hans", "ja", "ko"]
    assert settings.USE_TZ is True


@pytest.mark.django_db
def test_ensure_admin_creates_the_superuser_once(capsys):
    call_command("ensure_admin")
    first = capsys.readouterr().out
    call_command("ensure_admin")
    second = capsys.readouterr().out

    admin = get_user_model().objects.get()
    password = first.split("password: ")[1].split()[0]
    assert admin.username == "admin" and admin.is_superuser
    assert admin.check_password(password)
    assert second == ("A superuser exists already; its password was printed when it was made.\n")
