"""The "四单一库" ledger: lists, stage moves through the workflow's pairs, evidence, targets, progress,
who sees what (pages and API)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from listings import selectors, services
from listings.models import ListingEntry, ListKind, Stage, StageEvent, Target
from tests.factories import EnterpriseFactory, district

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def entry(municipal_user):
    return services.entry_add(enterprise=EnterpriseFactory(), stage=Stage.INTENTION, by=municipal_user)


def test_city_targets_of_the_seed_are_loaded():
    target = Target.objects.get(year=2018, district=None)
    assert (target.reformed, target.listed, target.merged_domestic, target.merged_foreign) == (
        150,
        60,
        20,
        20,
    )


def test_an_enterprise_is_on_one_list_at_a_time(municipal_user, entry):
    assert entry.list_kind == ListKind.REFORM
    with pytest.raises(InvalidInput) as exc:
        services.entry_add(enterprise=entry.enterprise, stage=Stage.RESERVE, by=municipal_user)
    assert "enterprise" in exc.value.errors
    assert ListingEntry.objects.count() == 1


def test_only_the_office_adds(official):
    with pytest.raises(DomainPermissionDenied):
        services.entry_add(enterprise=EnterpriseFactory(), stage=Stage.RESERVE, by=official)
    assert not ListingEntry.objects.exists()


def test_stage_moves_follow_the_table_and_the_list(official, entry):
    event = services.event_record(
        entry=entry, by=official, to_stage=Stage.REFORMED, happened_on=DAY, reference="津股改〔2026〕1号"
    )
    entry.refresh_from_db()
    assert (event.from_stage, entry.stage, entry.list_kind) == (
        Stage.INTENTION,
        Stage.REFORMED,
        ListKind.LISTING,
    )
    services.event_record(
        entry=entry,
        by=official,
        to_stage=Stage.LISTED,
        happened_on=DAY,
        market="新三板",
        evidence=SimpleUploadedFile("listed.pdf", PDF, content_type="application/pdf"),
    )
    entry.refresh_from_db()
    assert entry.list_kind == ListKind.MERGER
    assert entry.events.get(to_stage=Stage.LISTED).evidence
    # Back to intention is not a pair of the table: 409, nothing written.
    with pytest.raises(ApplicationStateError):
        services.event_record(
            entry=entry, by=official, to_stage=Stage.INTENTION, happened_on=DAY, reference="x"
        )
    assert entry.events.count() == 2
    assert entry.history.count() == 3


def test_bad_event_input_writes_nothing(official, entry):
    with pytest.raises(InvalidInput) as exc:
        services.event_record(
            entry=entry,
            by=official,
            to_stage=Stage.LISTED,
            happened_on=dt.date(2999, 1, 1),
            evidence=SimpleUploadedFile("x.pdf", b"not a pdf"),
        )
    assert set(exc.value.errors) == {"happened_on", "market", "evidence"}
    with pytest.raises(InvalidInput) as exc:
        services.event_record(entry=entry, by=official, to_stage=Stage.REFORMED, happened_on=DAY)
    assert "evidence" in exc.value.errors  # neither a file nor a reference
    assert not StageEvent.objects.exists()


def test_another_district_may_not_record(other_official, entry):
    with pytest.raises(DomainPermissionDenied):
        services.event_record(
            entry=entry, by=other_official, to_stage=Stage.REFORMED, happened_on=DAY, reference="x"
        )


def test_progress_counts_the_years_events_against_targets(municipal_user, official, entry):
    services.target_set(year=2026, district=district("120116"), by=municipal_user, reformed=5, listed=2)
    services.event_record(
        entry=entry, by=official, to_stage=Stage.REFORMED, happened_on=DAY, reference="文号"
    )
    rows = selectors.progress(2026)
    binhai = next(r for r in rows if r.district and r.district.code == "120116")
    assert binhai.done["reformed"] == 1 and binhai.target.reformed == 5
    assert rows[-1].district is None and rows[-1].done["reformed"] == 1
    assert selectors.progress(2025)[-1].done == {}


def test_city_target_is_updated_in_place(municipal_user):
    services.target_set(year=2018, district=None, by=municipal_user, reformed=160, listed=60)
    target = Target.objects.get(year=2018, district=None)
    assert (target.reformed, target.listed, target.merged_domestic) == (160, 60, 0)
    assert target.history.latest().reformed == 160  # the change is in the history


def test_target_input_checked(municipal_user):
    with pytest.raises(InvalidInput) as exc:
        services.target_set(year=1999, district=None, by=municipal_user, reformed=-1)
    assert set(exc.value.errors) == {"year", "reformed"}


def test_pages_office_adds_district_records_progress_shows(client, municipal_user, official, other_official):
    enterprise = EnterpriseFactory(name="天津股改示范科技有限公司")
    client.force_login(municipal_user)
    response = client.post(reverse("listings:entry_add"), {"uscc": enterprise.uscc, "stage": "intention"})
    entry = ListingEntry.objects.get(enterprise=enterprise)
    assert response.status_code == 302
    assert (
        client.post(
            reverse("listings:entry_add"), {"uscc": "911201160000000000", "stage": "intention"}
        ).status_code
        == 400
    )
    client.force_login(other_official)
    assert client.get(reverse("listings:entry_detail", args=[entry.pk])).status_code == 404
    client.force_login(official)
    response = client.post(
        reverse("listings:entry_detail", args=[entry.pk]),
        {"to_stage": "reformed", "happened_on": dt.date.today().isoformat(), "reference": "股改批复"},
    )
    assert response.status_code == 302
    services.target_set(year=dt.date.today().year, district=district("120116"), by=municipal_user, reformed=3)
    response = client.get(reverse("listings:progress"))
    assert "1 / 3" in response.content.decode()
    response = client.post(
        reverse("listings:entry_detail", args=[entry.pk]), {"to_stage": "listed", "happened_on": ""}
    )
    assert response.status_code == 400
    assert client.post(reverse("listings:targets"), {}).status_code == 403


def test_list_page_query_count_is_pinned(client, municipal_user, django_assert_num_queries):
    for _ in range(25):
        services.entry_add(enterprise=EnterpriseFactory(), stage=Stage.RESERVE, by=municipal_user)
    client.force_login(municipal_user)
    # session, user, the page's count and rows (enterprise and district joined), the district filter's
    # options, the base template's unread count (no session save: the sign-in renewed it): the same for
    # 25 rows or 2,500
    with django_assert_num_queries(6):
        response = client.get(reverse("listings:entries"), {"list": "reserve"})
    assert response.status_code == 200
    assert response.content.decode().count("/listings/") >= 20


def test_api_entries_events_targets_progress(client, municipal_user, official, other_official, entry):
    client.force_login(official)
    response = client.get("/api/v1/listings/entries/")
    assert response.json()["count"] == 1
    response = client.post(
        f"/api/v1/listings/entries/{entry.pk}/events/",
        {"to_stage": "reformed", "happened_on": "2026-03-02", "reference": "文号"},
    )
    assert response.status_code == 201, response.content
    response = client.post(
        f"/api/v1/listings/entries/{entry.pk}/events/",
        {"to_stage": "listed", "happened_on": "2026-03-03"},
    )
    assert response.status_code == 400 and "market" in response.json()
    assert (
        client.post("/api/v1/listings/targets/", {"year": 2026}, content_type="application/json").status_code
        == 403
    )
    progress = client.get("/api/v1/listings/progress/?year=2026").json()
    assert len(progress) == 1 and progress[0]["district"] == "120116"
    assert progress[0]["cells"][0] == {"stage": "reformed", "done": 1, "target": None}
    client.force_login(other_official)
    assert client.get(f"/api/v1/listings/entries/{entry.pk}/").status_code == 404
    client.force_login(municipal_user)
    response = client.post(
        "/api/v1/listings/targets/",
        {
            "year": 2026,
            "district": "120116",
            "reformed": 9,
            "listed": 3,
            "merged_domestic": 1,
            "merged_foreign": 1,
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert Target.objects.get(year=2026, district__code="120116").reformed == 9
