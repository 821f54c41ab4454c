"""Every history record names its actor.

The main flows run as real people through the test client (register, return and resubmit, accept,
draw, five experts score, opinion, publish, a public objection and its finding, the sweep closing the
notice after the clock moved, filing, the office's decision, the certificate issued through the API).
Then every row of EVERY simple-history table written during the flow names a user in
``history_user`` — or is marked as made by the system (``system:…``, the sweep and Celery) or by a
visitor without an account (``public:…``) in ``history_change_reason`` (accounts/history_actor.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from simple_history.models import registered_models

from accounts.history_actor import PUBLIC, SYSTEM, actor_of, system_actor
from certification.models import Application, ApplicationStatus, Certificate, Objection, PublicityNotice
from core.uscc import make_uscc
from districts.models import Filing
from experts.models import ExpertKind, Pledge, Review
from experts.scoring import indicator_bands
from experts.selectors import review_facts
from tests.browser.test_review_flow import submitted_application
from tests.factories import PASSWORD, ExpertFactory, UserFactory, district

pytestmark = pytest.mark.django_db

BJ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 9, 14, 9, 0, tzinfo=BJ)


def history_models() -> list:
    """Every simple-history table with an actor column (an m2m history row points at the parent
    model's history record, which names the actor)."""
    models = sorted(
        (m for m in apps.get_models() if {"history_id", "history_user"} <= {f.name for f in m._meta.fields}),
        key=lambda m: m._meta.label,
    )
    assert {m.history.model for m in registered_models.values() if hasattr(m, "history")} <= set(models)
    assert len(models) > 20  # every domain model has history (tests/test_history.py)
    return models


def high_water() -> dict:
    return {
        m: (m.objects.order_by("-history_id").values_list("history_id", flat=True).first() or 0)
        for m in history_models()
    }


def written_since(marks: dict) -> list:
    return [
        row
        for m, last in marks.items()
        for row in m.objects.filter(history_id__gt=last).order_by("history_id")
    ]


def as_user(user) -> Client:
    """Signed in through the login page, as a person does (force_login would bypass the middleware
    that names the actor of the last_login update)."""
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def ok(response, *codes: int) -> None:
    assert response.status_code in (codes or (200, 302)), response.content.decode()[:3000]


def test_every_history_record_of_the_main_flows_names_its_actor(settings, tmp_path, time_machine):
    settings.MEDIA_ROOT = tmp_path
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "actors"}
    }
    time_machine.move_to(START, tick=False)
    official = UserFactory(role="district", district=district("120116"), username="actor_official")
    office = UserFactory(municipal=True, username="actor_office")
    app = submitted_application(tmp_path)
    from certification.models import Field

    top = Field.objects.get(catalogue__in_force=True, code="01")
    for i in range(6):
        e = ExpertFactory(kind=ExpertKind.TECHNICAL, user__username=f"actor_tech{i}")
        e.fields.add(top)
        Pledge.objects.create(expert=e, year=START.year)
    for i in range(2):
        Pledge.objects.create(
            expert=ExpertFactory(kind=ExpertKind.FINANCIAL, user__username=f"actor_fin{i}"), year=START.year
        )
    marks = high_water()  # what the set-up wrote (factories, outside any request) is not checked

    # Register (anonymous until the account exists).
    ok(
        Client().post(
            reverse("accounts:register"),
            {
                "username": "actor_new",
                "email": "actor@example.com",
                "password1": "Actor-Pass-2026",
                "password2": "Actor-Pass-2026",
                "name": "历史操作人测试企业",
                "uscc": make_uscc("91120116MA0ACTR01"),
                "district": "120116",
                "registered_on": "2020-01-01",
                "address": "天津市滨海新区测试路 9 号",
                "contact_name": "王五",
                "contact_phone": "022-7654321",
            },
        ),
        302,
    )
    enterprise = as_user(app.enterprise.users.get())
    district_client = as_user(official)

    # Return, resubmit, accept, draw.
    ok(
        district_client.post(
            reverse("districts:application_return", args=[app.pk]), {"reasons": "缺少审计报告明细"}
        )
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.RETURNED
    ok(enterprise.post(reverse("certification:application_submit", args=[app.pk])))
    ok(district_client.post(reverse("districts:application_accept", args=[app.pk]), {"confirm": "1"}))
    ok(
        district_client.post(
            reverse("districts:application_draw", args=[app.pk]), {"mode": "online", "confirm": "1"}
        )
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.UNDER_REVIEW

    # Five experts score.
    bands = indicator_bands(review_facts(Application.objects.get(pk=app.pk)))
    for review in Review.objects.filter(application=app).select_related("expert__user"):
        codes = ["growth"] if review.kind == ExpertKind.FINANCIAL else ["ip", "conversion", "rd_management"]
        data = {f"points_{c}": str(bands[c].max) for c in codes} | {"comment": "材料真实。", "confirm": "1"}
        ok(as_user(review.expert.user).post(reverse("experts:review_detail", args=[review.pk]), data))
    app.refresh_from_db()
    assert app.status == ApplicationStatus.REVIEWED

    # Opinion, publicity, a public objection and its finding.
    ok(
        district_client.post(
            reverse("districts:application_opinion", args=[app.pk]), {"recommend": "1", "note": "同意推荐"}
        )
    )
    ok(
        district_client.post(
            reverse("districts:publicity_new"),
            {"applications": [app.pk], "start": START.date().isoformat(), "confirm": "1"},
        )
    )
    notice = PublicityNotice.objects.get(entries__application=app)
    ok(
        Client().post(
            reverse("objection_new", args=[notice.pk]),
            {
                "application": app.pk,
                "name": "王五",
                "phone": "13800000000",
                "reason": "该企业的专利并非自主研发，请核实。",
                "website": "",
            },
        ),
        302,
    )
    objection = Objection.objects.get(entry__notice=notice)
    prefix = f"o{objection.pk}"
    ok(
        district_client.post(
            reverse("districts:objection_resolve", args=[objection.pk]),
            {
                f"{prefix}-decision": "dismissed",
                f"{prefix}-finding": "经核实不属实。",
                f"{prefix}-confirm": "on",
            },
        )
    )

    # The clock moves past the end; the scheduler's sweep closes the notice.
    from notifications.sweep import sweep

    time_machine.move_to(
        dt.datetime.combine(notice.end + dt.timedelta(days=1), dt.time(9), tzinfo=BJ), tick=False
    )
    sweep()
    notice.refresh_from_db()
    assert notice.status == "closed"

    # File, decide, issue (the sessions of two weeks ago have expired: sign in again).
    district_client = as_user(official)
    ok(district_client.post(reverse("districts:filing_new"), {"applications": [app.pk], "confirm": "1"}))
    filing = Filing.objects.get(entries__application=app)
    ok(
        as_user(office).post(
            reverse("audits:filing_detail", args=[filing.pk]),
            {f"decision-{app.pk}": "approve", "confirm": "1"},
        )
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED
    ok(
        district_client.post(
            reverse("api-certificate-issue"), {"applications": [app.pk]}, content_type="application/json"
        ),
        201,
    )
    assert Certificate.objects.filter(application=app).exists()

    rows = written_since(marks)
    nobody = [
        (r._meta.label, r.history_id, r.history_type, r.history_change_reason)
        for r in rows
        if actor_of(r) is None
    ]
    assert nobody == [], nobody
    actors = {actor_of(r).split(":")[0] + ":" if not r.history_user_id else "user" for r in rows}
    assert actors == {"user", SYSTEM, PUBLIC}  # all three kinds of actor were seen
    labels = {r._meta.model.__name__ for r in rows}
    for name in (
        "HistoricalUser",
        "HistoricalEnterprise",
        "HistoricalApplication",
        "HistoricalReview",
        "HistoricalPublicityNotice",
        "HistoricalObjection",
        "HistoricalFiling",
        "HistoricalCertificate",
    ):
        assert name in labels, name
    # The sweep's records, the objection's and the registration's actors in particular.
    closed = notice.history.filter(status="closed").get()
    assert closed.history_user_id is None and closed.history_change_reason.startswith("system:sweep")
    filed = objection.history.earliest()
    assert filed.history_user_id is None and filed.history_change_reason.startswith(PUBLIC + "/publicity/")
    new_user = UserFactory._meta.model.objects.get(username="actor_new")
    assert {h.history_user_id for h in new_user.history.all()} == {new_user.pk}
    assert {h.history_user_id for h in new_user.enterprise.history.all()} == {new_user.pk}


def test_system_actor_marks_and_nests():
    from accounts.models import User

    with system_actor("celery:certificates.batch"):
        user = User.objects.create(username="made_by_system")
    record = user.history.get()
    assert record.history_user_id is None
    assert record.history_change_reason == "system:celery:certificates.batch"
    assert actor_of(record) == "system:celery:certificates.batch"
    unmarked = User.objects.create(username="made_by_nobody").history.get()
    assert unmarked.history_change_reason is None and actor_of(unmarked) is None
