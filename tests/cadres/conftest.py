"""The people of the cadre help ledger: the office, two cadres, the enterprise, its district's official."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Role
from cadres import services
from cadres.models import Cadre, CadreLevel, HelpList
from districts.models import District
from tests.factories import EnterpriseFactory, UserFactory


def make_cadre(username: str, level: str = CadreLevel.BUREAU, municipal_unit: bool = False):  # type: ignore[no-untyped-def]
    user = UserFactory(username=username, role=Role.CADRE, full_name=f"干部{username}")
    Cadre.objects.create(user=user, level=level, unit="市科委", municipal_unit=municipal_unit)
    return user


@pytest.fixture
def office(db):  # type: ignore[no-untyped-def]
    return UserFactory(municipal=True, username="office")


@pytest.fixture
def cadre(db):  # type: ignore[no-untyped-def]
    return make_cadre("cadre1")


@pytest.fixture
def other_cadre(db):  # type: ignore[no-untyped-def]
    return make_cadre("cadre2")


@pytest.fixture
def organisation(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="org", role=Role.ORGANISATION)


@pytest.fixture
def entry(office, cadre):  # type: ignore[no-untyped-def]
    """A billion-list enterprise paired with `cadre` from 2026-01-01."""
    enterprise = EnterpriseFactory(name="帮扶测试企业")
    e = services.entry_add(
        by=office, enterprise=enterprise, help_list=HelpList.BILLION, is_key=True, year_added=2026
    )
    services.assignment_set(by=office, entry=e, cadre=cadre, kind="primary", starts_on=dt.date(2026, 1, 1))
    return e


@pytest.fixture
def owner(entry):  # type: ignore[no-untyped-def]
    return UserFactory(username="owner", role=Role.ENTERPRISE, enterprise=entry.enterprise)


@pytest.fixture
def district_official(entry):  # type: ignore[no-untyped-def]
    return UserFactory(username="dist", role=Role.DISTRICT, district=entry.enterprise.district)


@pytest.fixture
def other_district_official(db):  # type: ignore[no-untyped-def]
    return UserFactory(username="dist2", role=Role.DISTRICT, district=District.objects.get(code="120101"))


@pytest.fixture
def district_org(entry):  # type: ignore[no-untyped-def]
    """The organisation department of the entry's district (区县组织部)."""
    return UserFactory(username="dist_org", role=Role.ORGANISATION, district=entry.enterprise.district)


@pytest.fixture
def other_district_org(db):  # type: ignore[no-untyped-def]
    return UserFactory(
        username="dist_org2", role=Role.ORGANISATION, district=District.objects.get(code="120101")
    )
