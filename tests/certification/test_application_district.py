"""Application.district: the copy of the enterprise's district that the queue and dashboards use."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification.applications.permissions import applications_visible_to
from certification.models import Application
from districts.selectors import district_queue
from tests.factories import ApplicationFactory, UserFactory, district

pytestmark = pytest.mark.django_db


def test_a_new_application_takes_its_enterprises_district():
    application = ApplicationFactory(submitted=True, enterprise__district=district("120101"))
    assert Application.objects.get(pk=application.pk).district_id == district("120101").pk


def test_an_enterprise_that_moves_takes_its_applications_along():
    binhai, heping = district("120116"), district("120101")
    application = ApplicationFactory(submitted=True, enterprise__district=binhai)
    ApplicationFactory(submitted=True, enterprise=application.enterprise, year=2025)
    binhai_official = UserFactory(official=True, district=binhai)
    heping_official = UserFactory(official=True, district=heping)
    assert applications_visible_to(binhai_official).filter(enterprise=application.enterprise).count() == 2

    enterprise = type(application.enterprise).objects.get(pk=application.enterprise_id)
    enterprise.district = heping
    enterprise.save()

    assert set(Application.objects.filter(enterprise=enterprise).values_list("district_id", flat=True)) == {
        heping.pk
    }
    assert not applications_visible_to(binhai_official).filter(enterprise=enterprise).exists()
    assert applications_visible_to(heping_official).filter(enterprise=enterprise).count() == 2
    assert set(district_queue(heping.pk).filter(enterprise=enterprise).values_list("year", flat=True)) == {
        2025,
        2026,
    }


def test_saving_an_enterprise_that_stays_writes_no_application():
    application = ApplicationFactory(submitted=True)
    enterprise = type(application.enterprise).objects.get(pk=application.enterprise_id)
    enterprise.contact_name = "李四"
    with CaptureQueriesContext(connection) as queries:
        enterprise.save()
    assert not [q for q in queries if 'UPDATE "certification_application"' in q["sql"]]


def test_the_queue_filters_by_the_applications_own_district():
    # The queue's WHERE reads the application's column (indexed with the deadline sort), not the
    # enterprise's: no join is needed to find a district's rows.
    sql = str(district_queue(district().pk).query)
    where = sql.rsplit(" WHERE ", 1)[1]  # the last WHERE is the main query's (the first, a subquery's)
    assert '"certification_application"."district_id" = ' in where
    assert '"certification_enterprise"."district_id"' not in where


def test_the_queue_reads_the_field_filter_from_the_reference_cache(client, django_assert_max_num_queries):
    official = UserFactory(official=True)
    client.force_login(official)
    client.get("/district/applications/")  # fills the cache
    # session, the user with their district, the count, the page of rows, the unread notices
    with django_assert_max_num_queries(5):
        response = client.get("/district/applications/")
    assert response.status_code == 200
    assert "电子信息" in response.content.decode()  # the top-level fields are still offered
