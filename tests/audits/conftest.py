from __future__ import annotations

import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads and export files go to a private folder per test, never var/media."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    return tmp_path / "media"


@pytest.fixture(autouse=True)
def private_cache(settings):
    """Job state and rate-limit counters under a key prefix of this test's own (other runs flush Redis db 15)."""
    if settings.REDIS_URL:
        url = urlsplit(settings.REDIS_URL)
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": urlunsplit(url._replace(path="/13")),
                "KEY_PREFIX": f"test-audits-{uuid.uuid4().hex}",
            }
        }
