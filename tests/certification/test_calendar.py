"""Working days: the seeded official calendar, the fallback for unannounced years, and entering a new year."""

import datetime as dt

import pytest
from django.urls import reverse

from workdays import services as cal
from workdays.arithmetic import Calendar, add_calendar_days_excluding_first, add_working_days
from workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture(autouse=True)
def _fresh_calendar():
    cal.invalidate()
    yield
    cal.invalidate()


@pytest.mark.parametrize(
    ("start", "count", "end", "confirmed"),
    [
        ("2026-09-28", 10, "2026-10-15", True),  # docs/api.md: National Day and Mid-autumn in between
        ("2026-02-13", 10, "2026-03-04", True),  # Spring Festival 15–23 Feb; 14 and 28 Feb are make-up days
        ("2026-10-01", 1, "2026-10-08", True),  # starts on a holiday (1–7 Oct) → the next working day counts
        ("2026-09-27", 1, "2026-09-28", True),  # a Sunday → Monday
        ("2026-02-14", 1, "2026-02-14", True),  # a Saturday make-up working day (调休) counts
        ("2026-12-28", 5, "2027-01-04", False),  # 2027 not announced: 1 Jan rest by the fallback, unconfirmed
        ("2027-04-29", 3, "2027-05-03", False),  # fallback: 1–2 May rest (a Saturday and Sunday here)
        ("2027-12-30", 2, "2027-12-31", False),
        ("2027-09-30", 2, "2027-10-04", False),  # fallback: 1–3 Oct rest
        ("2015-02-16", 1, "2015-02-16", True),
    ],
)
def test_working_days(client, start, count, end, confirmed):
    response = client.get("/api/v1/calendar/working-days/", {"start": start, "count": count})
    assert response.status_code == 200, response.json()
    assert response.json() == {"start": start, "count": count, "end": end, "confirmed": confirmed}


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2003-12-31", "count": 1},
        {"start": "2101-01-01", "count": 1},
        {"start": "2026-01-01", "count": 0},
        {"start": "2026-01-01", "count": 251},
        {"start": "2026-02-30", "count": 1},
        {"start": "x", "count": "y"},
        {"count": 3},
        {"start": "2026-01-01"},
    ],
)
def test_bad_queries_are_400(client, params):
    assert client.get("/api/v1/calendar/working-days/", params).status_code == 400


def test_seeded_years_are_official():
    assert CalendarYear.objects.filter(official=True).count() == 23
    assert CalendarDay.objects.get(date=D("2026-10-01")).note == "国庆节"
    assert CalendarDay.objects.get(date=D("2026-02-14")).working is True


def test_pure_arithmetic_edges():
    calendar = Calendar(overrides={}, official_years=frozenset())
    assert add_working_days(calendar, D("2030-01-04"), 1).end == D("2030-01-04")  # a Friday
    with pytest.raises(ValueError):
        add_working_days(calendar, D("2030-01-04"), 0)
    assert add_calendar_days_excluding_first(D("2026-03-01"), 40) == D("2026-04-10")


def test_parse_schedule_reports_every_bad_line():
    entries, errors = cal.parse_schedule(
        2027,
        "2027-02-05 至 2027-02-13 休 春节\n2027-02-14 班\nnonsense\n2026-01-01 休\n"
        "2027-02-30 休\n2027-03-10 至 2027-03-01 休",
    )
    assert len(errors) == 4
    assert len(entries) == 10
    assert entries[-1] == cal.ScheduleEntry(D("2027-02-14"), True, "")


def test_entering_a_year_confirms_it_and_moves_open_periods(
    official, municipal_user, enterprise_user, django_capture_on_commit_callbacks
):
    from experts.models import Draw, Review
    from tests.factories import ApplicationFactory, ExpertFactory

    app = ApplicationFactory(enterprise=enterprise_user.enterprise, status="under_review")
    draw = Draw.objects.create(
        application=app,
        seed="s",
        algorithm_version="draw-1",
        rules={},
        eligible_ids=[],
        excluded={},
        panel=[],
        alternates=[],
        created_by=official,
    )
    Draw.objects.filter(pk=draw.pk).update(created_at=dt.datetime(2027, 1, 25, 2, 0, tzinfo=dt.UTC))
    draw.refresh_from_db()
    expert = ExpertFactory()
    before = add_working_days(cal.working_calendar(), D("2027-01-25"), 10).end
    review = Review.objects.create(draw=draw, application=app, expert=expert, kind="technical", due_on=before)
    assert before == D("2027-02-05")
    with django_capture_on_commit_callbacks(execute=True):
        moved = cal.calendar_enter_year(
            year=2027, text="2027-02-01 至 2027-02-07 休 春节\n2027-01-31 班", by=municipal_user
        )
    review.refresh_from_db()
    # 25–29 Jan (5), 31 Jan make-up day (6), 8–11 Feb (7–10): due 11 Feb instead of 5 Feb.
    assert review.due_on == D("2027-02-11")
    assert moved == [cal.MovedPeriod("review", review.pk, D("2027-02-05"), D("2027-02-11"))]
    assert cal.working_days_from(D("2027-01-25"), 10).confirmed is True
    assert CalendarYear.objects.get(year=2027).entered_by == municipal_user


def test_entering_that_years_schedule_moves_an_open_notices_end_and_notifies_its_official(
    official, other_official, municipal_user, time_machine, django_capture_on_commit_callbacks
):
    from certification.models import PublicityNotice
    from certification.publicity import services as publicity
    from notifications.models import Notification
    from tests.factories import ApplicationFactory, EnterpriseFactory

    time_machine.move_to(dt.datetime(2027, 1, 25, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    app = ApplicationFactory(enterprise=EnterpriseFactory(), status="recommended", year=2027)
    notice = publicity.publicity_publish(by=official, application_ids=[app.pk], start=D("2027-01-25"))
    assert (notice.end, notice.end_confirmed) == (D("2027-02-05"), False)  # the fallback: weekends only
    with django_capture_on_commit_callbacks(execute=True):
        moved = cal.calendar_enter_year(
            year=2027, text="2027-02-01 至 2027-02-07 休 春节\n2027-01-31 班", by=municipal_user
        )
    notice.refresh_from_db()
    # 25–29 Jan (5), the 31 Jan make-up day (6), 8–11 Feb (7–10).
    assert (notice.end, notice.end_confirmed) == (D("2027-02-11"), True)
    assert cal.MovedPeriod("notice", notice.pk, D("2027-02-05"), D("2027-02-11")) in moved
    told = Notification.objects.filter(kind="period_moved", user=official)
    assert told.count() == 1
    message = told.get()
    assert "2027-02-05" in message.body and "2027-02-11" in message.body and notice.title in message.body
    assert message.url == reverse("districts:notice_detail", args=[notice.pk])
    # Another district's official and the office are not told about this district's notice.
    assert not Notification.objects.filter(
        kind="period_moved", user__in=[other_official, municipal_user]
    ).exists()
    # Entering the same schedule again moves nothing and tells no one again.
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            cal.calendar_enter_year(
                year=2027, text="2027-02-01 至 2027-02-07 休 春节\n2027-01-31 班", by=municipal_user
            )
            == []
        )
    assert Notification.objects.filter(kind="period_moved").count() == 1
    assert PublicityNotice.objects.get().end == D("2027-02-11")


def test_calendar_page(client, municipal_user):
    client.force_login(municipal_user)
    page = client.get(reverse("audits:calendar"))
    assert page.status_code == 200 and "2027 年的官方放假安排尚未录入" in page.content.decode()
    bad = client.post(reverse("audits:calendar"), {"year": 2027, "text": "2027-13-01 休"})
    assert bad.status_code == 200 and bad.context["form"].errors
    assert not CalendarYear.objects.filter(year=2027).exists()
    # The first post only previews the months; nothing is saved until the office confirms.
    preview = client.post(reverse("audits:calendar"), {"year": 2027, "text": "2027-01-01 休 元旦"})
    assert preview.status_code == 200 and preview.context["preview"][0].working_days == 20
    assert not CalendarYear.objects.filter(year=2027).exists()
    ok = client.post(reverse("audits:calendar"), {"year": 2027, "text": "2027-01-01 休 元旦", "confirm": "1"})
    assert ok.status_code == 200 and "已录入为官方安排" in ok.content.decode()
    assert CalendarYear.objects.get(year=2027).official


@pytest.mark.parametrize("person", ["enterprise_user", "official", "expert_user"])
def test_calendar_page_only_for_the_office(client, request, person):
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse("audits:calendar")).status_code == 403
