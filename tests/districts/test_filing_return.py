"""A filing the municipal office returned (报备退回) is no dead end: the district files it again, or sends
it back to review or publicity, through the real services; the 40-day limit is neither reset nor hidden.

The panel is built as in tests/experts/test_reviews_api.py (one Draw, five Reviews) and scored through
``review_submit``; acceptance, the opinion, publicity, filing and the office's decision are the services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tokens import issue as issue_token
from audits.services import filing_decide
from certification import workflow
from certification.applications import reapplication
from certification.clocks import ReviewLimitClock
from certification.models import Application, ApplicationTransition, Field, PublicityEntry, RDManagementItem
from certification.publicity import services as publicity
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from districts import services
from districts.models import Filing, FilingEntry
from experts.services.reviews import review_reopen, review_submit
from tests.experts.test_reviews_api import TECH_IN_BAND, make_panel, submit_all
from tests.factories import (
    ApplicationFactory,
    EnterpriseFactory,
    UserFactory,
    add_review_data,
    district,
    reach,
)

pytestmark = pytest.mark.django_db
BJ = dt.timezone(dt.timedelta(hours=8))
RETURN_REASON = "专项审计报告未加盖中介机构公章"


@pytest.fixture(autouse=True)
def fast_passwords(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(day: dt.date, time_machine) -> dt.date:  # type: ignore[no-untyped-def]
    time_machine.move_to(dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=BJ))
    return day


def reviewed_application(official, expert_user) -> Application:  # type: ignore[no-untyped-def]
    """Submitted → accepted (the service: the 40-day limit set) → panel drawn → every score submitted."""
    application = ApplicationFactory(
        status="submitted",
        enterprise=EnterpriseFactory(district=official.district),
        field=Field.objects.get(catalogue__in_force=True, code="0101"),
        main_products="智能网关与边缘计算设备",
        core_technology="自研的数据压缩与边缘调度技术",
        staff_total=100,
        staff_tech_college=40,
        staff_rd=15,
        rd_management=list(RDManagementItem.values),
    )
    add_review_data(application, utility_models=2, product_revenue=Decimal("66000000"))
    services.application_accept(application=application, by=official)
    application.refresh_from_db()
    reach(application, "under_review", by=official)
    panel = make_panel(application, official, expert_user)
    submit_all(panel)
    application.refresh_from_db()
    assert application.status == "reviewed"
    application.panel = panel  # type: ignore[attr-defined]
    return application


def publicise_and_pass(application: Application, official, time_machine) -> None:  # type: ignore[no-untyped-def]
    """Recommended → a new notice from today → closed the day after its end → publicity passed."""
    notice = publicity.publicity_publish(by=official, application_ids=[application.pk], start=dt.date.today())
    at(notice.end + dt.timedelta(days=1), time_machine)
    publicity.notice_close(notice=notice, by=None)
    application.refresh_from_db()
    assert application.status == "publicity_passed"


def file_and_return(application: Application, official, municipal) -> Filing:  # type: ignore[no-untyped-def]
    filing = services.filing_create(by=official, application_ids=[application.pk])
    filing_decide(
        filing=filing,
        by=municipal,
        decisions=[{"application": application.pk, "approved": False, "reason": RETURN_REASON}],
    )
    application.refresh_from_db()
    assert application.status == "filing_returned"
    return filing


def approve(application: Application, municipal) -> None:  # type: ignore[no-untyped-def]
    entry = FilingEntry.objects.filter(application=application).order_by("-pk").first()
    filing_decide(
        filing=entry.filing, by=municipal, decisions=[{"application": application.pk, "approved": True}]
    )
    application.refresh_from_db()


@pytest.fixture
def returned(official, expert_user, municipal_user, time_machine):  # type: ignore[no-untyped-def]
    """Accepted on 1 September 2026 (due 11 October), filed in time, returned by the office."""
    at(dt.date(2026, 9, 1), time_machine)
    application = reviewed_application(official, expert_user)
    assert application.review_deadline == dt.date(2026, 10, 11)
    services.application_opinion(application=application, by=official, recommend=True, note="")
    publicise_and_pass(application, official, time_machine)
    file_and_return(application, official, municipal_user)
    return application


# --- The table ----------------------------------------------------------------------------------------


def test_a_filing_return_is_not_finished_and_stays_on_the_40_day_clock():
    S = workflow.S
    assert S.FILING_RETURNED not in workflow.FINISHED_STATUSES
    assert S.FILING_RETURNED in workflow.OPEN_STATUSES
    assert S.FILING_RETURNED in workflow.CLOCK_STATUSES
    assert {t.name for t in workflow.allowed(S.FILING_RETURNED)} == {
        "file",
        "filing_back_to_review",
        "filing_back_to_publicity",
    }
    assert workflow.to_status("filing_back_to_review") == S.REVIEWED
    assert workflow.to_status("filing_back_to_publicity") == S.RECOMMENDED


# --- The three ways back, walked through the services ---------------------------------------------------


def test_returned_then_corrected_and_filed_again_then_approved(returned, official, municipal_user):
    application = returned
    first = FilingEntry.objects.get(application=application)
    filing = services.filing_return_refile(application=application, by=official, reason="已补盖公章")
    application.refresh_from_db()
    assert application.status == "filed"
    assert filing.pk != first.filing_id and filing.entries.get().application == application
    record = application.transitions.order_by("-at", "-id").first()
    assert (record.from_status, record.to_status, record.by) == ("filing_returned", "filed", official)
    assert "已补盖公章" in record.note
    assert record.data["refiled"] is True
    assert record.data["returned_reason"] == RETURN_REASON
    assert record.data["correction"] == "已补盖公章"
    approve(application, municipal_user)
    assert application.status == "approved"
    assert list(application.transitions.order_by("at", "id").values_list("to_status", flat=True))[-4:] == [
        "filed",
        "filing_returned",
        "filed",
        "approved",
    ]
    # simple-history kept every status the row went through.
    assert {"filed", "filing_returned", "approved"} <= set(
        application.history.values_list("status", flat=True)
    )


def test_returned_then_back_to_review_the_district_reopens_a_score_and_decides_again(
    returned, official, expert_user, municipal_user, time_machine
):
    application = returned
    services.filing_return_back_to_review(application=application, by=official, reason="重新核对知识产权评分")
    application.refresh_from_db()
    assert application.status == "reviewed"
    assert application.opinion_at is None and application.opinion_recommend is None
    record = application.transitions.get(to_status="reviewed", from_status="filing_returned")
    assert record.note == "重新核对知识产权评分"
    assert record.data["returned_reason"] == RETURN_REASON
    assert record.data["previous_opinion"]["recommend"] is True
    # The experts re-score: the district reopens the chair's score, the chair submits again.
    chair = application.panel["chair"]
    review_reopen(review=chair, by=official, reason="专利证书核对")
    review_submit(review=chair, by=expert_user, scores={**TECH_IN_BAND, "ip": "28.0"})
    application.refresh_from_db()
    assert application.composite_score == Decimal("75.00")
    services.application_opinion(application=application, by=official, recommend=True, note="复核后推荐")
    publicise_and_pass(application, official, time_machine)
    services.filing_create(by=official, application_ids=[application.pk])
    approve(application, municipal_user)
    assert application.status == "approved"
    assert application.filing_entries.count() == 2


def test_returned_then_back_to_publicity_and_published_again(
    returned, official, municipal_user, time_machine
):
    application = returned
    services.filing_return_back_to_publicity(application=application, by=official, reason="公示期计算有误")
    application.refresh_from_db()
    assert application.status == "recommended"
    assert application.opinion_recommend is True  # the opinion stands
    publicise_and_pass(application, official, time_machine)
    assert PublicityEntry.objects.filter(application=application).count() == 2
    services.filing_create(by=official, application_ids=[application.pk])
    approve(application, municipal_user)
    assert application.status == "approved"


def test_the_filings_page_candidates_include_a_returned_application(returned, official):
    """The batch filing (POST /api/v1/filings/) accepts it too, in a new filing."""
    filing = services.filing_create(by=official, application_ids=[returned.pk])
    returned.refresh_from_db()
    assert returned.status == "filed" and Filing.objects.count() == 2 and filing.entries.count() == 1


# --- The 40-day limit ------------------------------------------------------------------------------------


def test_the_return_neither_resets_nor_hides_the_40_day_limit(returned, official, client, time_machine):
    application = returned
    first = FilingEntry.objects.get(application=application)
    assert first.late is False
    today = at(dt.date(2026, 10, 20), time_machine)  # 9 days after the limit
    application.refresh_from_db()
    assert application.review_deadline == dt.date(2026, 10, 11)  # not reset by the return
    assert ReviewLimitClock().applies(application, today)  # the clock runs again
    client.force_login(official)
    page = client.get(f"/district/applications/{application.pk}/").content.decode()
    assert "已超期 9 天" in page and RETURN_REASON in page
    assert "期限内" in page  # the first filing was in time
    queue = client.get("/district/applications/?status=filing_returned").content.decode()
    assert RETURN_REASON in queue and "已超期 9 天" in queue
    services.filing_return_refile(application=application, by=official, reason="已补盖公章")
    second = FilingEntry.objects.filter(application=application).exclude(pk=first.pk).get()
    assert second.late is True and second.review_deadline == dt.date(2026, 10, 11)


# --- Refusals: nothing is written ------------------------------------------------------------------------


def test_refusals_change_nothing(returned, official, other_official, enterprise_user):
    application = returned
    filings = Filing.objects.count()
    records = ApplicationTransition.objects.count()
    for action in (
        services.filing_return_refile,
        services.filing_return_back_to_review,
        services.filing_return_back_to_publicity,
    ):
        with pytest.raises(InvalidInput) as error:
            action(application=application, by=official, reason="   ")
        assert "reason" in error.value.errors
        with pytest.raises(InvalidInput):
            action(application=application, by=official, reason="x" * 1001)
        with pytest.raises(DomainPermissionDenied):
            action(application=application, by=other_official, reason="理由")
        with pytest.raises(DomainPermissionDenied):
            action(application=application, by=enterprise_user, reason="理由")
    application.refresh_from_db()
    assert application.status == "filing_returned"
    assert Filing.objects.count() == filings and ApplicationTransition.objects.count() == records


def test_only_a_returned_application_takes_these_ways(official):
    passed = ApplicationFactory(
        enterprise=EnterpriseFactory(district=official.district), status="publicity_passed"
    )
    for action in (
        services.filing_return_refile,
        services.filing_return_back_to_review,
        services.filing_return_back_to_publicity,
    ):
        with pytest.raises(ApplicationStateError):
            action(application=passed, by=official, reason="理由")
    passed.refresh_from_db()
    assert passed.status == "publicity_passed" and not Filing.objects.exists()


# --- The one-application-a-year rule ----------------------------------------------------------------------


def test_a_returned_application_blocks_a_new_one_until_it_is_finished(time_machine):
    at(dt.date(2026, 3, 2), time_machine)
    application = ApplicationFactory(year=2025, status="filing_returned")
    problem = reapplication.refusal(application.enterprise)
    assert problem is not None and "尚在办理中" in str(problem) and problem.status == "filing_returned"


# --- The API ------------------------------------------------------------------------------------------


def api(client, user):  # type: ignore[no-untyped-def]
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {issue_token(user).key}"
    return client


@pytest.mark.parametrize(
    ("path", "status"),
    [("refile", "filed"), ("back-to-review", "reviewed"), ("back-to-publicity", "recommended")],
)
def test_api(client, official, other_official, path, status):
    application = ApplicationFactory(
        enterprise=EnterpriseFactory(district=official.district), status="filing_returned"
    )
    enterprise_user = UserFactory(role="enterprise", enterprise=application.enterprise)
    url = f"/api/v1/applications/{application.pk}/{path}/"
    post = lambda user, body: api(client, user).post(url, body, content_type="application/json")  # noqa: E731
    assert post(enterprise_user, {"reason": "x"}).status_code == 403
    assert post(other_official, {"reason": "x"}).status_code == 404
    missing = post(official, {"reason": ""})
    assert missing.status_code == 400 and "reason" in missing.json()
    assert post(official, {"reason": "x" * 1001}).status_code == 400
    application.refresh_from_db()
    assert application.status == "filing_returned"
    answer = post(official, {"reason": "按退回理由处理"})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == status
    again = post(official, {"reason": "按退回理由处理"})
    assert again.status_code == 409 and again.json()["status"] == status


# --- The district's page -----------------------------------------------------------------------------


def test_the_page_shows_the_reason_and_acts_with_confirmation(returned, official, client):
    application = returned
    client.force_login(official)
    page = client.get(f"/district/applications/{application.pk}/").content.decode()
    assert 'data-testid="filing-return"' in page and RETURN_REASON in page
    for form in ("refile-form", "back-to-review-form", "back-to-publicity-form"):
        assert f'data-testid="{form}"' in page
    url = f"/district/applications/{application.pk}/back-to-review/"
    # Without the confirmation, or without a reason: nothing happens, the page says why.
    response = client.post(url, {"reason": "重新评审"}, follow=True)
    assert "请勾选确认后再提交" in response.content.decode()
    response = client.post(url, {"confirm": "1", "reason": ""}, follow=True)
    assert "请填写处理说明" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "filing_returned"
    response = client.post(url, {"confirm": "1", "reason": "重新评审"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "reviewed"
    page = client.get(f"/district/applications/{application.pk}/").content.decode()
    assert 'data-testid="opinion"' in page and 'data-testid="filing-return"' not in page


def test_the_page_refiles(returned, official, client):
    client.force_login(official)
    response = client.post(
        f"/district/applications/{returned.pk}/refile/", {"confirm": "1", "reason": "已补盖公章"}
    )
    assert response.status_code == 302
    returned.refresh_from_db()
    assert returned.status == "filed" and returned.filing_entries.count() == 2


def test_another_district_gets_404(returned, other_official, client):
    client.force_login(other_official)
    response = client.post(f"/district/applications/{returned.pk}/refile/", {"confirm": "1", "reason": "x"})
    assert response.status_code == 404


def test_the_queue_lists_the_reason_of_a_return_only(official, client):
    binhai = district("120116")
    returned = ApplicationFactory(enterprise=EnterpriseFactory(district=binhai), status="filed")
    filing = Filing.objects.create(district=binhai, created_by=official)
    FilingEntry.objects.create(filing=filing, application=returned)
    filing_decide(
        filing=filing,
        by=UserFactory(municipal=True),
        decisions=[{"application": returned.pk, "approved": False, "reason": RETURN_REASON}],
    )
    ApplicationFactory(enterprise=EnterpriseFactory(district=binhai), status="accepted")
    client.force_login(official)
    page = client.get("/district/applications/").content.decode()
    assert page.count('data-testid="return-reason"') == 1 and RETURN_REASON in page
