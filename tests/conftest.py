from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.factories import PASSWORD, ExpertFactory, UserFactory

ARTIFACTS = Path(__file__).resolve().parent.parent / "var" / "test-artifacts"


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def password() -> str:
    return PASSWORD


# The eight people of docs/domain.md (Actors).
@pytest.fixture
def enterprise_user(db):
    return UserFactory(enterprise_user=True, username="ent_user")


@pytest.fixture
def other_enterprise_user(db):
    return UserFactory(enterprise_user=True, username="other_ent_user")


@pytest.fixture
def official(db):
    return UserFactory(official=True, username="official_binhai")


@pytest.fixture
def other_official(db):
    from tests.factories import district

    return UserFactory(role="district", district=district("120101"), username="official_heping")


@pytest.fixture
def expert_user(db):
    return ExpertFactory(user__username="expert_on_panel").user


@pytest.fixture
def other_expert_user(db):
    return ExpertFactory(user__username="expert_off_panel").user


@pytest.fixture
def municipal_user(db):
    return UserFactory(municipal=True, username="municipal_office")


@pytest.fixture
def anonymous():
    return None


@pytest.fixture
def login(client):
    def _login(user):
        if user is not None:
            client.force_login(user)
        return client

    return _login


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(path).exists():
        pytest.fail(f"Chromium not found at {path}: `make test` installs Debian's chromium package.")
    return path


@pytest.fixture(autouse=True)
def _fresh_reference_cache():
    """Every test starts without the process's cached rule sets and fields: a test's rolled-back
    catalogue fires no signal, so what it cached would otherwise outlive it."""
    from certification.eligibility.rules import clear_cache

    clear_cache()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (Chinese), whatever the test before it did.

    LocaleMiddleware activates the language of each request in the thread that serves it and never
    deactivates it, so a test client's English request would otherwise leave English behind for the
    next test that renders a message outside a request (seen: a service message in English).
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
