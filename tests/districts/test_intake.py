"""The district's completeness check: return with every missing item, resubmission, acceptance and the clock."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.tokens import issue as issue_token
from certification.models import Application, ApplicationStatus, ApplicationTransition
from districts import services
from tests.factories import ApplicationFactory, EnterpriseFactory, UserFactory, district, pledged

pytestmark = pytest.mark.django_db


def token_client(client, user):
    token = issue_token(user)  # a fresh one once the clock has moved past its lifetime
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


@pytest.fixture
def submitted(enterprise_user):
    return ApplicationFactory(enterprise=enterprise_user.enterprise, status=ApplicationStatus.SUBMITTED)


def test_return_tells_every_missing_item_at_once(client, official, submitted):
    response = token_client(client, official).post(
        f"/api/v1/applications/{submitted.pk}/return/",
        {"reasons": ["研发费用归集表缺少 2024 年度"], "missing_documents": ["audit_report", "ip_proof"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "returned"
    transition = ApplicationTransition.objects.filter(application=submitted).last()
    assert transition.by == official and transition.from_status == "submitted"
    assert transition.data["missing_documents"] == ["audit_report", "ip_proof"]
    assert len(transition.data["reasons"]) == 3
    assert "研发费用归集表缺少 2024 年度" in transition.data["reasons"]


def test_return_needs_a_reason(client, official, submitted):
    response = token_client(client, official).post(
        f"/api/v1/applications/{submitted.pk}/return/", {"reasons": []}, content_type="application/json"
    )
    assert response.status_code == 400 and "reasons" in response.json()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_return_unknown_kind_is_400(client, official, submitted):
    response = token_client(client, official).post(
        f"/api/v1/applications/{submitted.pk}/return/",
        {"missing_documents": ["passport"]},
        content_type="application/json",
    )
    assert response.status_code == 400


def test_resubmit_after_return_then_accept(
    client, official, enterprise_user, submitted, time_machine, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    services.application_return(application=submitted, by=official, reasons=["补充材料"])
    submitted.refresh_from_db()
    assert submitted.status == "returned" and submitted.is_editable
    # The enterprise can edit again, then resubmits (the submit service records the resubmission).
    from certification.workflow import transition

    transition(submitted, "submit", by=enterprise_user, note="重新提交")
    time_machine.move_to(dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    response = token_client(client, official).post(f"/api/v1/applications/{submitted.pk}/accept/")
    assert response.status_code == 200
    # 民法典 第201条: the day of acceptance is not counted — 1 March + 40 days = 10 April.
    assert response.json()["review_deadline"] == "2026-04-10"
    statuses = list(
        ApplicationTransition.objects.filter(application=submitted)
        .order_by("id")
        .values_list("to_status", flat=True)
    )
    assert statuses == ["draft", "submitted", "returned", "submitted", "accepted"]


@pytest.mark.parametrize(
    ("accepted", "due"),
    [("2026-01-31", "2026-03-12"), ("2026-12-25", "2027-02-03"), ("2028-02-01", "2028-03-12")],
)
def test_review_deadline_is_forty_calendar_days(accepted, due):
    assert services.review_deadline_for(dt.date.fromisoformat(accepted)) == dt.date.fromisoformat(due)


def test_accept_from_wrong_status_is_409(client, official, enterprise_user):
    app = ApplicationFactory(enterprise=enterprise_user.enterprise, status=ApplicationStatus.ACCEPTED)
    response = token_client(client, official).post(f"/api/v1/applications/{app.pk}/accept/")
    assert response.status_code == 409
    assert response.json()["status"] == "accepted" and response.json()["detail"]


@pytest.mark.parametrize("person", ["enterprise_user", "expert_user", "municipal_user"])
def test_other_roles_cannot_act(client, request, submitted, person):
    user = pledged(request.getfixturevalue(person))
    client = token_client(client, user)
    for action in ("accept", "return", "opinion"):
        response = client.post(
            f"/api/v1/applications/{submitted.pk}/{action}/", {}, content_type="application/json"
        )
        # The enterprise and the office can see the application (403: may never do this); the expert cannot (404).
        assert response.status_code == (404 if person == "expert_user" else 403)
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_other_district_gets_404(client, other_official, submitted):
    response = token_client(client, other_official).post(f"/api/v1/applications/{submitted.pk}/accept/")
    assert response.status_code == 404


def test_anonymous_gets_401(client, submitted):
    assert client.post(f"/api/v1/applications/{submitted.pk}/accept/").status_code == 401


def test_opinion(client, official, enterprise_user):
    app = ApplicationFactory(
        enterprise=enterprise_user.enterprise,
        status=ApplicationStatus.REVIEWED,
        composite_score="72.50",
        review_passed=True,
    )
    client = token_client(client, official)
    response = client.post(
        f"/api/v1/applications/{app.pk}/opinion/",
        {"recommend": False, "note": ""},
        content_type="application/json",
    )
    assert response.status_code == 400 and "note" in response.json()
    response = client.post(
        f"/api/v1/applications/{app.pk}/opinion/",
        {"recommend": True, "note": "同意推荐"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "recommended" and response.json()["opinion_recommend"] is True
    app.refresh_from_db()
    assert app.opinion_by == official
    assert (
        client.post(
            f"/api/v1/applications/{app.pk}/opinion/", {"recommend": True}, content_type="application/json"
        ).status_code
        == 409
    )


class TestBrowser:
    def test_queue_shows_days_left_and_filters(self, client, official, time_machine):
        time_machine.move_to(dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
        binhai = district("120116")
        soon = ApplicationFactory(
            enterprise=EnterpriseFactory(name="临期企业", district=binhai),
            status="accepted",
            review_deadline=dt.date(2026, 12, 5),
        )
        late = ApplicationFactory(
            enterprise=EnterpriseFactory(name="超期企业", district=binhai),
            status="under_review",
            review_deadline=dt.date(2026, 11, 20),
        )
        fresh = ApplicationFactory(
            enterprise=EnterpriseFactory(name="新提交企业", district=binhai), status="submitted"
        )
        ApplicationFactory(enterprise=EnterpriseFactory(name="草稿企业", district=binhai))
        ApplicationFactory(
            enterprise=EnterpriseFactory(name="和平区企业", district=district("120101")), status="submitted"
        )
        client.force_login(official)
        response = client.get(reverse("districts:queue"))
        rows = response.context["rows"]
        assert [r["app"].enterprise.name for r in rows] == ["超期企业", "临期企业", "新提交企业"]
        assert [r["days_left"] for r in rows] == [-7, 8, None]
        html = response.content.decode()
        assert 'class="overdue"' in html and 'class="due-soon"' in html and "已超期 7 天" in html

        def names(**params):
            return [
                r["app"].enterprise.name
                for r in client.get(reverse("districts:queue"), params).context["rows"]
            ]

        assert names(status="submitted") == ["新提交企业"]
        assert names(q=late.enterprise.uscc) == ["超期企业"]
        assert names(q="临期") == ["临期企业"]
        assert {soon.pk, fresh.pk} <= {r["app"].pk for r in rows}

    def test_queue_query_count_does_not_grow(self, client, official, django_assert_max_num_queries):
        binhai = district("120116")
        for _ in range(30):
            ApplicationFactory(enterprise=EnterpriseFactory(district=binhai), status="submitted")
        client.force_login(official)
        with django_assert_max_num_queries(10):
            response = client.get(reverse("districts:queue"))
        assert response.context["page"].paginator.count == 30 and len(response.context["rows"]) == 25

    def test_return_and_accept_pages(self, client, official, submitted):
        client.force_login(official)
        page = client.get(reverse("districts:application_detail", args=[submitted.pk]))
        assert page.status_code == 200 and "完整性审查" in page.content.decode()
        client.post(
            reverse("districts:application_return", args=[submitted.pk]),
            {"missing_documents": ["audit_report"], "reasons": "营业执照复印件不清晰\n"},
        )
        submitted.refresh_from_db()
        assert submitted.status == "returned"
        assert ApplicationTransition.objects.filter(application=submitted).last().data["reasons"] == [
            "缺少材料：中介机构出具的专项审计报告",
            "营业执照复印件不清晰",
        ]

    def test_accept_needs_confirmation(self, client, official, submitted):
        client.force_login(official)
        client.post(reverse("districts:application_accept", args=[submitted.pk]))
        submitted.refresh_from_db()
        assert submitted.status == "submitted"
        client.post(reverse("districts:application_accept", args=[submitted.pk]), {"confirm": "1"})
        submitted.refresh_from_db()
        assert submitted.status == "accepted" and submitted.review_deadline

    @pytest.mark.parametrize("person", ["other_official"])
    def test_other_district_404(self, client, request, submitted, person):
        client.force_login(request.getfixturevalue(person))
        assert client.get(reverse("districts:application_detail", args=[submitted.pk])).status_code == 404
        client.post(reverse("districts:application_accept", args=[submitted.pk]), {"confirm": "1"})
        submitted.refresh_from_db()
        assert submitted.status == "submitted"

    @pytest.mark.parametrize("person", ["enterprise_user", "expert_user", "municipal_user"])
    def test_queue_only_for_officials(self, client, request, person):
        client.force_login(request.getfixturevalue(person))
        assert client.get(reverse("districts:queue")).status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officials_accept_at_once_one_wins():
    """Real PostgreSQL row locks: one 200, one 409, exactly one transition."""
    binhai = district("120116")
    app = ApplicationFactory(
        enterprise=EnterpriseFactory(district=binhai), status=ApplicationStatus.SUBMITTED
    )
    officials = [UserFactory(role="district", district=binhai) for _ in range(2)]
    tokens = [Token.objects.create(user=o).key for o in officials]
    barrier = threading.Barrier(2)
    results: list[int] = []

    def accept(key: str) -> None:
        from django.test import Client

        c = Client(HTTP_AUTHORIZATION=f"Token {key}")
        barrier.wait()
        try:
            results.append(c.post(f"/api/v1/applications/{app.pk}/accept/").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(k,)) for k in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [200, 409]
    assert ApplicationTransition.objects.filter(application=app, to_status="accepted").count() == 1
    assert Application.objects.get(pk=app.pk).status == "accepted"


def test_failed_review_cannot_be_recommended(client, official, enterprise_user):
    app = ApplicationFactory(
        enterprise=enterprise_user.enterprise,
        status=ApplicationStatus.REVIEWED,
        composite_score="60.00",
        review_passed=False,
    )
    client = token_client(client, official)
    response = client.post(
        f"/api/v1/applications/{app.pk}/opinion/",
        {"recommend": True, "note": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "recommend" in response.json()
    response = client.post(
        f"/api/v1/applications/{app.pk}/opinion/",
        {"recommend": False, "note": "综合评分未高于60分"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "not_recommended"
