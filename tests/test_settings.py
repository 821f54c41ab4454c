"""Settings read the environment strictly: a bad value stops start-up with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import Env, parse_database_url, parse_redis_url

ROOT = Path(__file__).resolve().parent.parent


def run_django(extra_env, *args):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "url",
    [
        "mysql://u@h/db",
        "postgres://postgres@127.0.0.1:notaport/db",
        "postgres://postgres@127.0.0.1:5432/",
        "nonsense",
    ],
)
def test_bad_database_url_is_refused(url):
    with pytest.raises(ImproperlyConfigured):
        parse_database_url(url)


def test_good_database_urls():
    assert parse_database_url("postgres://u:p@db:5432/portal")["NAME"] == "portal"
    assert parse_database_url("sqlite:////tmp/x.sqlite3")["ENGINE"].endswith("sqlite3")


@pytest.mark.parametrize("url", ["http://x", "redis://", "redis://h:port/0"])
def test_bad_redis_url(url):
    with pytest.raises(ImproperlyConfigured):
        parse_redis_url(url)


def test_bool_and_int_parsing_strict():
    env = Env({"A": "yes", "B": "maybe", "P": "80x", "Q": "70000"})
    assert env.bool("A") is True
    with pytest.raises(ImproperlyConfigured):
        env.bool("B")
    with pytest.raises(ImproperlyConfigured):
        env.int("P", 1)
    with pytest.raises(ImproperlyConfigured):
        env.int("Q", 1, maximum=65535)


def test_start_up_stops_on_bad_database_url():
    result = run_django({"DEBUG": "true", "DATABASE_URL": "mysql://root@localhost/x"}, "check")
    assert result.returncode != 0
    assert "DATABASE_URL has an unsupported scheme" in result.stderr


def test_secret_key_required_without_debug():
    result = run_django({"DEBUG": "false", "ALLOWED_HOSTS": "portal.example.gov.cn"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_pass_check_deploy():
    result = run_django(
        {
            "DEBUG": "false",
            "SECRET_KEY": "k" + "".join(chr(33 + (i * 7) % 90) for i in range(60)),
            "ALLOWED_HOSTS": "portal.example.gov.cn",
            "DATABASE_URL": "postgres://postgres:postgres@127.0.0.1:5432/portal",
            "SECURE_SSL_REDIRECT": "true",
            "SECURE_COOKIES": "true",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_defaults_without_configuration_use_sqlite_and_filesystem_broker(tmp_path):
    code = (
        "import django, os; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.EMAIL_BACKEND, s.PORT)"
    )
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PORT"}
    }
    env.update({"DEBUG": "true", "VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"})
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "django.core.mail.backends.console.EmailBackend",
        "8000",
    ]
    # The development secret key is generated once and kept.
    assert (tmp_path / "secret_key").read_text()
