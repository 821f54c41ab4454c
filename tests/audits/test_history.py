"""The application timeline (status changes, edits with diffs, uploads, draws, scores, who and when) and the
office's search over the history tables by person, enterprise and date."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audits.history import SearchFilters, application_timeline, history_search
from audits.models import Report
from audits.services.office import report_resolve
from certification.models import (
    Application,
    ApplicationFiscalYear,
    ApplicationTransition,
    Certificate,
    Document,
    Objection,
)
from certification.workflow import transition
from districts.services import application_accept
from experts.models import Draw, Review, ScoreAmendment
from tests.audits import builders as b
from tests.factories import ApplicationFactory, EnterpriseFactory, ExpertFactory, UserFactory, district

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _document(app: Application, user, name: str = "专利证书.pdf") -> Document:  # type: ignore[no-untyped-def]
    return Document.objects.create(
        application=app,
        kind="ip_proof",
        file=ContentFile(PDF, name="x.pdf"),
        original_name=name,
        size=len(PDF),
        sha256="ab" * 32,
        uploaded_by=user,
    )


@pytest.fixture
def lived(enterprise_user, official, time_machine):
    """One application through drafting, submission, acceptance, a draw, a score, an amendment and a certificate."""
    enterprise_user.full_name = "企业经办人甲"
    enterprise_user.save()
    official.full_name = "区县经办人乙"
    official.save()
    expert = ExpertFactory(name="专家丙")
    time_machine.move_to(b.at("2026-03-01 09:00"), tick=False)
    with b.acting_as(enterprise_user):
        app = ApplicationFactory(
            enterprise=enterprise_user.enterprise, contact_name="张三", field=b.field("0101")
        )
        time_machine.move_to(b.at("2026-03-02 10:00"), tick=False)
        app.contact_name = "李四"
        app.staff_total = 120
        app.save()
        ApplicationFiscalYear.objects.create(
            application=app,
            year=2025,
            sales_revenue=Decimal("1000"),
            total_revenue=Decimal("1000"),
            hightech_revenue=Decimal("800"),
            rd_expense=Decimal("100"),
            rd_expense_domestic=Decimal("100"),
            total_assets=Decimal("5000"),
        )
        time_machine.move_to(b.at("2026-03-03 11:00"), tick=False)
        _document(app, enterprise_user)
        time_machine.move_to(b.at("2026-03-04 12:00"), tick=False)
        with transaction.atomic():
            transition(Application.objects.get(pk=app.pk), "submit", by=enterprise_user)
    time_machine.move_to(b.at("2026-03-05 09:30"), tick=False)
    with b.acting_as(official):
        application_accept(application=Application.objects.get(pk=app.pk), by=official)
        time_machine.move_to(b.at("2026-03-06 09:30"), tick=False)
        draw = Draw.objects.create(
            application=app,
            seed="s33d",
            algorithm_version="v1",
            rules={},
            eligible_ids=[expert.pk],
            excluded=[],
            panel=[expert.pk],
            alternates=[],
            created_by=official,
        )
        review = Review.objects.create(
            draw=draw, application=app, expert=expert, kind="technical", chair=True
        )
    time_machine.move_to(b.at("2026-03-10 15:00"), tick=False)
    with b.acting_as(expert.user):
        review.status = "submitted"
        review.ip = Decimal("24.0")
        review.conversion = Decimal("21.0")
        review.rd_management = Decimal("15.0")
        review.submitted_at = b.at("2026-03-10 15:00")
        review.save()
    time_machine.move_to(b.at("2026-03-11 16:00"), tick=False)
    ScoreAmendment.objects.create(
        review=review,
        indicator="ip",
        old_points=Decimal("24.0"),
        new_points=Decimal("25.0"),
        reason="复核后调整",
        by=official,
    )
    time_machine.move_to(b.at("2026-04-20 10:00"), tick=False)
    with b.acting_as(official):
        certificate = b.certificate(Application.objects.get(pk=app.pk), dt.date(2026, 4, 20), official)
    return {"app": app, "expert": expert, "certificate": certificate, "review": review}


def _text(body: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_timeline_shows_status_changes_edits_uploads_draws_scores_and_who(client, municipal_user, lived):
    app = lived["app"]
    client.force_login(municipal_user)
    response = client.get(f"/municipal/history/applications/{app.pk}/")
    assert response.status_code == 200
    text = _text(response.content.decode())
    # Status changes, with who.
    assert "草稿 → 已提交" in text and "已提交 → 已受理" in text
    assert "区县经办人乙（区县工作小组）" in text
    # An edit with its diff and who made it.
    assert re.search(r"修改申请信息 企业经办人甲（企业用户） .*申报联系人 张三 李四", text)
    assert re.search(r"职工总数 — 120", text)
    assert "新增会计年度数据：2025" in text
    # Upload, draw, score, amendment, certificate.
    assert "上传：知识产权证明材料（专利证书.pdf）" in text
    assert "抽取专家：评审组 1 人" in text and "随机种子 s33d" in text
    assert "专家丙 提交评分" in text and "核心自主知识产权 24.0" in text
    assert "修正 专家丙 的评分" in text and "复核后调整" in text
    assert f"发证：{lived['certificate'].number}" in text
    # Oldest first.
    order = [
        text.index(s)
        for s in (
            "创建申请",
            "修改申请信息",
            "上传：",
            "草稿 → 已提交",
            "已提交 → 已受理",
            "抽取专家",
            "提交评分",
            "发证",
        )
    ]
    assert order == sorted(order)


def test_timeline_events_carry_time_and_actor(lived, enterprise_user, official):
    events = application_timeline(lived["app"])
    edit = next(e for e in events if e.title == "修改申请信息")
    assert edit.who.startswith("企业经办人甲") and edit.at == b.at("2026-03-02 10:00")
    assert [(c.label, c.old, c.new) for c in edit.changes] == [
        ("申报联系人", "张三", "李四"),
        ("职工总数", "—", "120"),
    ]
    accepted = next(e for e in events if e.kind == "status" and e.title.endswith("已受理"))
    assert accepted.who.startswith("区县经办人乙") and accepted.at == b.at("2026-03-05 09:30")


def test_timeline_shows_reports_and_revocation(lived, official, municipal_user, client):
    certificate = lived["certificate"]
    report = Report.objects.create(
        certificate=certificate,
        enterprise=certificate.enterprise,
        district=certificate.district,
        tracking_number="JBTEST000001",
        reporter_name="举报人丁",
        reporter_phone="13900000000",
        reason="申报材料中的专利并非自主研发。",
    )
    report_resolve(report=report, by=official, upheld=True, finding="经核查属实。", revoke=True)
    client.force_login(municipal_user)
    text = _text(client.get(f"/municipal/history/applications/{lived['app'].pk}/").content.decode())
    assert "收到举报 JBTEST000001" in text and "举报 JBTEST000001 核查：举报属实，撤销证书" in text
    assert f"撤销证书 {certificate.number}" in text
    assert "举报人丁" not in text and "13900000000" not in text  # the reporter is not part of the timeline


def test_timeline_access(client, lived, official, other_official, enterprise_user, expert_user):
    url = f"/district/history/applications/{lived['app'].pk}/"
    client.force_login(official)
    assert client.get(url).status_code == 200
    client.force_login(other_official)
    assert client.get(url).status_code == 404
    client.force_login(enterprise_user)
    assert client.get(url).status_code == 403
    assert client.get(f"/municipal/history/applications/{lived['app'].pk}/").status_code == 403
    draft = ApplicationFactory(enterprise=EnterpriseFactory(district=district("120116")))
    client.force_login(official)
    assert client.get(f"/district/history/applications/{draft.pk}/").status_code == 404  # drafts stay private


def test_timeline_query_count_does_not_grow(client, municipal_user, lived, enterprise_user, official):
    app = lived["app"]
    client.force_login(municipal_user)
    url = f"/municipal/history/applications/{app.pk}/"
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    with b.acting_as(enterprise_user):
        for i in range(6):
            _document(app, enterprise_user, name=f"材料{i}.pdf")
            a = Application.objects.get(pk=app.pk)
            a.main_products = f"产品 {i}"
            a.save()
    ApplicationTransition.objects.create(
        application=app, from_status="accepted", to_status="under_review", by=official
    )
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries)


# --- Search -------------------------------------------------------------------------------------


@pytest.fixture
def histories(time_machine):
    """Two people working on two enterprises' applications on three days."""
    alice = UserFactory(municipal=True, username="alice", full_name="王小花")
    bob = UserFactory(official=True, username="bob", full_name="李大壮")
    north = EnterpriseFactory(name="北方光电有限公司")
    south = EnterpriseFactory(name="南方材料有限公司")
    time_machine.move_to(b.at("2026-03-01 10:00"), tick=False)
    with b.acting_as(alice):
        north_app = ApplicationFactory(enterprise=north, status="submitted")
        north_app.contact_name = "改"
        north_app.save()
    time_machine.move_to(b.at("2026-03-10 10:00"), tick=False)
    with b.acting_as(bob):
        south_app = ApplicationFactory(enterprise=south, status="submitted")
    # No request here (a task or the shell): the transition's own `by` names the actor.
    time_machine.move_to(b.at("2026-03-10 10:05"), tick=False)
    ApplicationTransition.objects.create(
        application=south_app, from_status="submitted", to_status="accepted", by=bob
    )
    time_machine.move_to(b.at("2026-04-01 10:00"), tick=False)
    with b.acting_as(alice):
        _document(south_app, alice)
    return {"alice": alice, "bob": bob, "north": north_app, "south": south_app}


HISTORY_MODELS = (
    Application,
    Document,
    Review,
    ScoreAmendment,
    Objection,
    Certificate,
    ApplicationTransition,
)


def independent(predicate) -> set[tuple[str, int]]:  # type: ignore[no-untyped-def]
    """(model, history id) of every historical row, across the seven tables, that `predicate` accepts."""
    out = set()
    for model in HISTORY_MODELS:
        for record in model.history.all():
            if predicate(model, record):
                out.add((model.__name__, record.history_id))
    return out


def _app_id(model, record) -> int | None:  # type: ignore[no-untyped-def]
    return record.id if model is Application else getattr(record, "application_id", None)


ACTOR_FIELDS = {Document: "uploaded_by_id", ScoreAmendment: "by_id", ApplicationTransition: "by_id"}


def _actor(model, record) -> int | None:  # type: ignore[no-untyped-def]
    """The request's user, else the row's own actor field (a service run without a request)."""
    if record.history_user_id:
        return record.history_user_id
    field = ACTOR_FIELDS.get(model)
    return getattr(record, field) if field else None


KIND_OF = {
    "application": "Application",
    "document": "Document",
    "review": "Review",
    "amendment": "ScoreAmendment",
    "objection": "Objection",
    "certificate": "Certificate",
    "transition": "ApplicationTransition",
}


def searched(**filters) -> set[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return {(KIND_OF[r["h_kind"]], r["h_id"]) for r in history_search(SearchFilters(**filters))}


def test_search_by_person(histories):
    alice, bob = histories["alice"], histories["bob"]
    assert searched(person="alice") == independent(lambda m, r: _actor(m, r) == alice.pk)
    assert searched(person="李大壮") == independent(lambda m, r: _actor(m, r) == bob.pk)
    assert (
        "ApplicationTransition",
        ApplicationTransition.history.get(to_status="accepted").history_id,
    ) in searched(person="bob")
    assert searched(person="nobody-at-all") == set()


def test_search_by_enterprise_name_or_credit_code(histories):
    north, south = histories["north"], histories["south"]
    assert searched(enterprise="北方光电") == independent(lambda m, r: _app_id(m, r) == north.pk)
    assert searched(enterprise=south.enterprise.uscc.lower()) == independent(
        lambda m, r: _app_id(m, r) == south.pk
    )
    # Created and submitted (two rows of the application, two transitions), accepted, a document.
    assert len(searched(enterprise="南方")) == 6


def test_search_by_date_range(histories):
    march = searched(date_from=dt.date(2026, 3, 5), date_to=dt.date(2026, 3, 31))
    assert march == independent(
        lambda m, r: dt.date(2026, 3, 5) <= r.history_date.astimezone(b.BJ).date() <= dt.date(2026, 3, 31)
    )
    assert march and all(k in ("Application", "ApplicationTransition") for k, _id in march)
    # A whole Beijing day: 1 April 10:00 is inside [1 April, 1 April].
    assert searched(date_from=dt.date(2026, 4, 1), date_to=dt.date(2026, 4, 1)) == {
        ("Document", Document.history.get().history_id)
    }
    assert searched(person="alice", date_from=dt.date(2026, 3, 2)) == {
        ("Document", Document.history.get().history_id)
    }


def test_search_page_lists_newest_first_with_people_and_links(client, histories, municipal_user):
    client.force_login(municipal_user)
    response = client.get("/municipal/history/", {"enterprise": "南方材料"})
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'data-testid="result-count">6<', body)
    rows = re.findall(r'<tr data-kind="(\w+)">', body)
    # Newest first: the upload, the acceptance, then the creation and submission (the same minute).
    assert rows[:2] == ["document", "transition"]
    assert sorted(rows[2:]) == ["application", "application", "transition", "transition"]
    assert "李大壮" in body and "王小花" in body
    assert f"/municipal/history/applications/{histories['south'].pk}/" in body
    bad = client.get("/municipal/history/", {"date_from": "2026-04-02", "date_to": "2026-04-01"})
    assert bad.status_code == 400


def test_search_paginates_in_the_database(client, municipal_user, histories, time_machine):
    time_machine.move_to(b.at("2026-05-01 10:00"), tick=False)
    with b.acting_as(histories["alice"]):
        for i in range(30):
            app = Application.objects.get(pk=histories["north"].pk)
            app.main_products = f"第 {i} 版"
            app.save()
    client.force_login(municipal_user)
    first = client.get("/municipal/history/", {"person": "alice"}).content.decode()
    total = len(independent(lambda m, r: _actor(m, r) == histories["alice"].pk))
    assert re.search(rf'data-testid="result-count">{total}<', first)
    assert len(re.findall(r"<tr data-kind=", first)) == 25
    second = client.get("/municipal/history/", {"person": "alice", "page": 2}).content.decode()
    assert len(re.findall(r"<tr data-kind=", second)) == total - 25


def test_search_query_count_is_fixed(client, municipal_user, histories, django_assert_max_num_queries):
    client.force_login(municipal_user)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/municipal/history/", {"enterprise": "有限公司"})
    with b.acting_as(histories["bob"]):
        for _ in range(5):
            ApplicationFactory(enterprise=EnterpriseFactory(name="东方有限公司"))
    with CaptureQueriesContext(connection) as again:
        client.get("/municipal/history/", {"enterprise": "有限公司"})
    assert len(again.captured_queries) == len(ctx.captured_queries)


def test_search_is_the_offices(client, official, enterprise_user):
    for user in (official, enterprise_user):
        client.force_login(user)
        assert client.get("/municipal/history/").status_code == 403


def test_timeline_shows_the_notifications_of_the_applications_clocks(lived, official, enterprise_user):
    from django.contrib.contenttypes.models import ContentType

    from notifications.models import Deadline, Notification

    app = lived["app"]
    deadline = Deadline.objects.create(
        kind="review_limit",
        content_type=ContentType.objects.get_for_model(Application),
        object_id=app.pk,
        step="d30@2026-03-05",
        due_at=b.at("2026-04-04 09:00"),
    )
    Notification.objects.create(
        user=official,
        kind="review_limit_due",
        subject="40 日办理期限还剩 10 天",
        body="…",
        deadline=deadline,
        created_at=b.at("2026-04-04 09:00"),
    )
    other = ApplicationFactory(enterprise=EnterpriseFactory(district=district("120116")), status="submitted")
    elsewhere = Deadline.objects.create(
        kind="review_limit",
        content_type=ContentType.objects.get_for_model(Application),
        object_id=other.pk,
        step="d30@2026-03-05",
        due_at=b.at("2026-04-04 09:00"),
    )
    Notification.objects.create(
        user=official, kind="x", subject="别的申请的通知", body="…", deadline=elsewhere
    )
    titles = [e.title for e in application_timeline(app) if e.kind == "notification"]
    assert titles == ["通知 区县经办人乙：40 日办理期限还剩 10 天"]
