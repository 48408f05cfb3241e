"""The production profile, read from the environment in a fresh process as in deployment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from exchangeportal.settings import parse_cache_url

BASE_DIR = Path(__file__).resolve().parents[2]


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production server: nothing but the documented variables."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="portal.example.org",
        CACHE_URL="redis://127.0.0.1:6379/1",
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def shell(code: str, **overrides: str) -> str:
    result = manage("shell", "--no-imports", "-c", code, env=production_env(**overrides))
    assert result.stderr == ""
    return result.stdout.strip()


def test_check_deploy_production_profile_has_no_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "System check identified no issues (0 silenced).\n"


def test_check_deploy_flags_debug_on():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(DJANGO_DEBUG="1")
    )

    assert result.returncode == 1
    assert "(security.W018) You should not have DEBUG set to True in deployment." in (result.stderr)


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", env=production_env(DJANGO_SECRET_KEY=""))

    assert result.returncode == 1
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_migration_check_runs_in_a_bare_checkout_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}

    result = manage("makemigrations", "--check", "--dry-run", env=env)

    assert (result.returncode, result.stdout, result.stderr) == (0, "No changes detected\n", "")


def test_production_profile_values():
    out = shell(
        "from django.conf import settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS, "
        "s.STORAGES['staticfiles']['BACKEND'], s.CACHES['default']['BACKEND'], "
        "s.STORAGES['default']['BACKEND'], s.LOGGING['handlers']['console']['formatter'])"
    )

    assert out.split() == [
        "False",
        "True",
        "True",
        "True",
        "True",
        "True",
        "Lax",
        "31536000",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "exchangeportal.infra.cache_backends.PortalRedisCache",
        "django.core.files.storage.FileSystemStorage",
        "json",
    ]


def test_hsts_seconds_from_environment():
    out = shell(
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS)",
        DJANGO_HSTS_SECONDS="3600",
    )

    assert out == "3600"


def test_admin_path_from_environment():
    out = shell(
        "from django.urls import reverse; print(reverse('admin:index'))",
        DJANGO_ADMIN_PATH="/staff-desk/",
    )

    assert out == "/staff-desk/"


def test_s3_media_storage_when_bucket_set():
    out = shell(
        "from django.core.files.storage import storages; from django.conf import settings as s; "
        "d = storages['default']; print(type(d).__module__, type(d).__name__, d.bucket_name, "
        "d.endpoint_url, d.querystring_auth, d.file_overwrite); "
        "print(' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))",
        AWS_STORAGE_BUCKET_NAME="portal-media",
        AWS_S3_ENDPOINT_URL="https://objects.example.org",
        AWS_QUERYSTRING_AUTH="0",
    )

    assert out.splitlines() == [
        "storages.backends.s3 S3Storage portal-media https://objects.example.org False False",
        "'self' data: https://objects.example.org",
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "redis://cache.internal:6379/2",
            {
                "BACKEND": "exchangeportal.infra.cache_backends.PortalRedisCache",
                "LOCATION": "redis://cache.internal:6379/2",
            },
        ),
        (
            "rediss://cache.internal:6380/0",
            {
                "BACKEND": "exchangeportal.infra.cache_backends.PortalRedisCache",
                "LOCATION": "rediss://cache.internal:6380/0",
            },
        ),
        (
            "locmem://",
            {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "exchangeportal",
            },
        ),
        ("dummy://", {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}),
    ],
)
def test_parse_cache_url_valid(url, expected):
    assert parse_cache_url(url) == expected


def test_parse_cache_url_unknown_scheme_raises():
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must start with redis://"):
        parse_cache_url("memcached://127.0.0.1:11211")


def test_debug_is_off_unless_set():
    env = production_env()
    del env["DJANGO_DEBUG"]

    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.DEBUG)",
        env=env,
    )

    assert result.stdout.strip() == "False"


def test_database_url_selects_postgresql():
    out = shell(
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['HOST'])",
        DATABASE_URL="postgres://portal@db.internal:5432/portal",
    )

    assert out == "django.db.backends.postgresql db.internal"


def test_languages_are_english_chinese_japanese_korean(settings):
    assert [code for code, _name in settings.LANGUAGES] == ["en", "zh-hans", "ja", "ko"]
    assert settings.USE_TZ is True
