"""Filing (docs/domain.md, procedure 5): the package kept per entry, the late mark, the filing letter PDF, the office's
random sample of a filing, and the flow publish → objection → finding → close → file → decide with
every wrong order refused (409) without a change."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfReader

from accounts.tokens import issue as issue_token
from audits import services as audit_services
from audits.models import FilingSample, FilingSampleCheck
from certification.models import ApplicationStatus, Document, DocumentKind, Objection
from certification.publicity import services as publicity
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from districts import services
from districts.models import Filing, FilingEntry
from experts.models import Draw
from tests.factories import ApplicationFactory, EnterpriseFactory, district

pytestmark = pytest.mark.django_db
BJ = dt.timezone(dt.timedelta(hours=8))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def api(client, user):
    client.defaults.pop("HTTP_AUTHORIZATION", None)
    if user is not None:
        token = issue_token(user)  # a fresh one once the clock has moved past its lifetime
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path
    cache.clear()


@pytest.fixture
def today(time_machine):
    time_machine.move_to(dt.datetime(2026, 9, 28, 9, 0, tzinfo=BJ))
    return dt.date(2026, 9, 28)


@pytest.fixture
def apps(official):
    binhai = district("120116")
    result = []
    for i, deadline in enumerate([dt.date(2026, 10, 30), dt.date(2026, 10, 10)]):
        app = ApplicationFactory(
            enterprise=EnterpriseFactory(name=f"报备企业{i}", district=binhai),
            status=ApplicationStatus.RECOMMENDED,
            composite_score=Decimal("78.50") + i,
            review_passed=True,
            review_deadline=deadline,
            audit_firm="天津某会计师事务所",
            audit_report_number=f"津审字[2026]{i}号",
        )
        for kind, body in [(DocumentKind.AUDIT_REPORT, b"audit"), (DocumentKind.IP_PROOF, b"patent")]:
            content = PDF + body + str(i).encode()
            Document.objects.create(
                application=app,
                kind=kind,
                file=ContentFile(content, name="x.pdf"),
                original_name=f"{kind}-{i}.pdf",
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                uploaded_by=official,
            )
        Draw.objects.create(
            application=app,
            seed=f"seed-{i}",
            algorithm_version="draw-1",
            rules={},
            eligible_ids=[],
            excluded=[],
            panel=[{"expert_id": 1, "kind": "technical", "chair": True}],
            alternates=[],
            created_by=official,
        )
        result.append(app)
    return result


def publish_and_pass(official, apps, *, objection_on=None, upheld=False):
    notice = publicity.publicity_publish(
        by=official, application_ids=[a.pk for a in apps], start=dt.date(2026, 9, 28)
    )
    objection = None
    if objection_on is not None:
        entry = notice.entries.get(application=objection_on)
        objection = publicity.objection_file(
            entry=entry, name="王五", phone="13800000000", reason="该企业的专利并非自主研发，请核实。"
        )
    publicity.notice_close(notice=notice, by=official, today=dt.date(2026, 10, 16))
    if objection is not None:
        publicity.objection_resolve(
            objection=objection, by=official, upheld=upheld, finding="经核实，专利为企业自主研发。"
        )
    return notice, objection


def test_filing_keeps_the_package_and_marks_late_entries(client, official, apps, today, time_machine):
    publish_and_pass(official, apps, objection_on=apps[0])
    time_machine.move_to(dt.datetime(2026, 10, 20, 9, 0, tzinfo=BJ))  # after apps[1]'s 10 October limit
    filing = services.filing_create(by=official, application_ids=[a.pk for a in apps])
    first, second = FilingEntry.objects.filter(filing=filing).order_by("application_id")
    assert (first.late, second.late) == (False, True)  # late is allowed, and marked
    assert second.review_deadline == dt.date(2026, 10, 10)
    assert first.composite_score == Decimal("78.50")
    package = first.package
    assert package["composite_score"] == "78.50" and package["review_passed"] is True
    assert [d["seed"] for d in package["draws"]] == ["seed-0"]
    assert package["objections"][0]["status"] == "dismissed"
    assert package["objections"][0]["finding"] == "经核实，专利为企业自主研发。"
    assert "王五" not in str(package) and "13800000000" not in str(package)  # no objector identity
    assert [r["number"] for r in package["audit_reports"]] == ["津审字[2026]0号"]
    hashes = {d.sha256 for d in Document.objects.filter(application=apps[0])}
    assert {d["sha256"] for d in package["documents"]} == hashes and len(hashes) == 2
    assert second.package["objections"] == []
    transition = apps[1].transitions.get(to_status=ApplicationStatus.FILED)
    assert transition.data == {"filing": filing.pk, "late": True}


def test_package_is_shown_on_both_sides_and_in_the_api(
    client, official, municipal_user, apps, today, time_machine
):
    publish_and_pass(official, apps)
    time_machine.move_to(dt.datetime(2026, 10, 20, 9, 0, tzinfo=BJ))
    filing = services.filing_create(by=official, application_ids=[a.pk for a in apps])
    late_entry = FilingEntry.objects.get(filing=filing, application=apps[1])
    digest = Document.objects.filter(application=apps[1]).first().sha256

    client.force_login(official)
    listing = client.get(reverse("districts:filings")).content.decode()
    assert "逾期报备" in listing and reverse("districts:filing_detail", args=[filing.pk]) in listing
    detail = client.get(reverse("districts:filing_detail", args=[filing.pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert digest in body and "seed-1" in body and "津审字[2026]1号" in body and "逾期报备" in body

    client.force_login(municipal_user)
    office = client.get(reverse("audits:filing_detail", args=[filing.pk])).content.decode()
    assert f'data-testid="late-{apps[1].pk}"' in office and f'data-testid="late-{apps[0].pk}"' not in office
    assert digest in office

    data = api(client, municipal_user).get("/api/v1/filings/").json()["results"][0]
    assert data["late_count"] == 1 and data["letter"] == f"/api/v1/filings/{filing.pk}/letter/"
    entry = next(e for e in data["entries"] if e["application"] == apps[1].pk)
    # The fields of docs/api.md are still there, with the package beside them.
    assert {"application", "enterprise_name", "uscc", "status", "approved", "reason", "decided_at"} <= set(
        entry
    )
    assert entry["late"] is True and entry["review_deadline"] == late_entry.review_deadline.isoformat()
    assert entry["composite_score"] == "79.50"
    assert digest in {d["sha256"] for d in entry["package"]["documents"]}


def test_filing_letter_pdf_in_the_district_governments_name(
    client, official, other_official, municipal_user, apps, today, time_machine
):
    publish_and_pass(official, apps)
    time_machine.move_to(dt.datetime(2026, 10, 20, 9, 0, tzinfo=BJ))
    filing = services.filing_create(by=official, application_ids=[a.pk for a in apps])
    client.force_login(official)
    response = client.get(reverse("districts:filing_letter", args=[filing.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = re.sub(
        r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    )
    government = official.district.government_name
    assert government in text and "报备企业0" in text and "报备企业1" in text
    assert "逾期报备" in text and "79.50" in text
    for document in Document.objects.filter(application__in=apps):
        assert document.sha256 in text
    client.force_login(municipal_user)
    assert client.get(reverse("audits:filing_letter", args=[filing.pk])).status_code == 200
    assert api(client, municipal_user).get(f"/api/v1/filings/{filing.pk}/letter/").status_code == 200
    client.force_login(other_official)
    assert client.get(reverse("districts:filing_letter", args=[filing.pk])).status_code == 404
    assert api(client, other_official).get(f"/api/v1/filings/{filing.pk}/letter/").status_code == 404


def test_wrong_order_is_409_and_changes_nothing(official, municipal_user, apps, today):
    """publish → objection → finding → close → file → decide; each step out of order is refused."""
    ids = [a.pk for a in apps]
    # File before publicity: 409.
    with pytest.raises(ApplicationStateError):
        services.filing_create(by=official, application_ids=ids)
    assert not Filing.objects.exists()
    notice = publicity.publicity_publish(by=official, application_ids=ids, start=dt.date(2026, 9, 28))
    objection = publicity.objection_file(
        entry=notice.entries.get(application=apps[0]),
        name="王五",
        phone="13800000000",
        reason="异议理由不少于十个字。",
    )
    # Close before the end, file while in publicity: refused.
    with pytest.raises(ApplicationStateError):
        publicity.notice_close(notice=notice, by=official, today=dt.date(2026, 10, 15))
    with pytest.raises(ApplicationStateError):
        services.filing_create(by=official, application_ids=ids)
    publicity.notice_close(notice=notice, by=official, today=dt.date(2026, 10, 16))
    apps[0].refresh_from_db()
    assert apps[0].status == ApplicationStatus.IN_PUBLICITY  # waits for the finding
    with pytest.raises(ApplicationStateError):
        services.filing_create(by=official, application_ids=ids)
    assert not Filing.objects.exists()
    publicity.objection_resolve(objection=objection, by=official, upheld=False, finding="异议不成立。")
    with pytest.raises(ApplicationStateError):  # a finding once only
        publicity.objection_resolve(objection=objection, by=official, upheld=True, finding="改判")
    assert Objection.objects.get().status == "dismissed"
    filing = services.filing_create(by=official, application_ids=ids)
    with pytest.raises(ApplicationStateError):  # filed twice
        services.filing_create(by=official, application_ids=ids)
    assert Filing.objects.count() == 1
    audit_services.filing_decide(
        filing=filing, by=municipal_user, decisions=[{"application": ids[0], "approved": True}]
    )
    with pytest.raises(ApplicationStateError):  # decided twice
        audit_services.filing_decide(
            filing=filing,
            by=municipal_user,
            decisions=[{"application": ids[0], "approved": False, "reason": "x"}],
        )
    apps[0].refresh_from_db()
    assert apps[0].status == ApplicationStatus.APPROVED


def test_upheld_objection_cannot_be_filed(official, apps, today):
    _notice, objection = publish_and_pass(official, apps, objection_on=apps[0], upheld=True)
    with pytest.raises(ApplicationStateError):
        services.filing_create(by=official, application_ids=[apps[0].pk])
    filing = services.filing_create(by=official, application_ids=[apps[1].pk])
    assert list(filing.entries.values_list("application_id", flat=True)) == [apps[1].pk]


# --- The office's random sample -------------------------------------------------------------------


@pytest.fixture
def filing(official, apps, today):
    publish_and_pass(official, apps)
    return services.filing_create(by=official, application_ids=[a.pk for a in apps])


def test_sample_is_seeded_recorded_and_replayable(filing, municipal_user, official):
    sample = audit_services.filing_sample_draw(filing=filing, by=municipal_user, size=1, seed="审核-2026")
    again = audit_services.draw_filing_sample(list(sample.eligible_ids), 1, "审核-2026")
    assert sample.chosen_ids == again == audit_services.filing_sample_replay(sample)
    assert sorted(sample.eligible_ids) == sorted(filing.entries.values_list("pk", flat=True))
    assert [c.entry_id for c in sample.checks.all()] == sample.chosen_ids
    generated = audit_services.filing_sample_draw(filing=filing, by=municipal_user, size=2)
    assert len(generated.seed) == 32 and sorted(generated.chosen_ids) == sorted(generated.eligible_ids)
    with pytest.raises(DomainPermissionDenied):
        audit_services.filing_sample_draw(filing=filing, by=official, size=1)
    for bad in (0, 3, "2", None):
        with pytest.raises(InvalidInput):
            audit_services.filing_sample_draw(filing=filing, by=municipal_user, size=bad)
    assert FilingSample.objects.count() == 2


def test_sample_result_is_recorded_once(filing, municipal_user):
    sample = audit_services.filing_sample_draw(filing=filing, by=municipal_user, size=1, seed="s")
    check = sample.checks.get()
    with pytest.raises(InvalidInput) as exc:
        audit_services.filing_sample_record(check=check, by=municipal_user, passed=None, result=" ")
    assert set(exc.value.errors) == {"passed", "result"}
    audit_services.filing_sample_record(
        check=check, by=municipal_user, passed=False, result="研发费用台账与审计报告不一致"
    )
    check.refresh_from_db()
    assert check.passed is False and check.recorded_by == municipal_user
    with pytest.raises(ApplicationStateError):
        audit_services.filing_sample_record(check=check, by=municipal_user, passed=True, result="改为无问题")
    check.refresh_from_db()
    assert check.passed is False and check.result == "研发费用台账与审计报告不一致"


def test_sample_pages(client, filing, municipal_user, official):
    client.force_login(municipal_user)
    url = reverse("audits:filing_sample_new", args=[filing.pk])
    bad = client.post(url, {"size": "9"})
    assert bad.status_code == 400 and "抽查数量应为 1 至 2" in bad.content.decode()
    assert not FilingSample.objects.exists()
    ok = client.post(url, {"size": "1", "seed": "abc"})
    assert ok.status_code == 302
    sample = FilingSample.objects.get()
    check = sample.checks.get()
    page = client.get(reverse("audits:filing_detail", args=[filing.pk])).content.decode()
    assert 'data-testid="replay-ok"' in page and "abc" in page
    record = reverse("audits:filing_sample_check", args=[filing.pk, check.pk])
    missing = client.post(record, {"passed": "yes", "result": ""})
    assert missing.status_code == 400 and "请填写检查情况" in missing.content.decode()
    assert client.post(record, {"passed": "yes", "result": "材料与原件一致"}).status_code == 302
    assert client.post(record, {"passed": "no", "result": "再改"}).status_code == 409
    assert FilingSampleCheck.objects.get().passed is True
    client.force_login(official)
    assert client.post(url, {"size": "1"}).status_code == 403


def test_office_filing_page_query_count_does_not_grow_with_samples(client, filing, municipal_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    office_url = reverse("audits:filing_detail", args=[filing.pk])
    client.force_login(municipal_user)
    first = audit_services.filing_sample_draw(filing=filing, by=municipal_user, size=1, seed="a")
    audit_services.filing_sample_record(
        check=first.checks.get(), by=municipal_user, passed=True, result="一致"
    )
    cold = queries(office_url)  # renders the packages' bodies and caches them
    one = queries(office_url)
    assert one == cold - 1  # the packages are not read again
    for seed in "bcd":
        sample = audit_services.filing_sample_draw(filing=filing, by=municipal_user, size=2, seed=seed)
        audit_services.filing_sample_record(
            check=sample.checks.first(), by=municipal_user, passed=True, result="材料与原件一致"
        )
    assert queries(office_url) == one


def test_package_bodies_are_rendered_once_per_language(
    client, filing, municipal_user, official, settings, monkeypatch
):
    """A package never changes once filed: its body is rendered once per language, then served from the
    cache to the office's and the district's pages alike."""
    from districts import filing_package

    rendered = []
    render = filing_package.render_to_string
    monkeypatch.setattr(
        filing_package,
        "render_to_string",
        lambda name, context: rendered.append(name) or render(name, context),
    )
    entries = filing.entries.count()
    office_url = reverse("audits:filing_detail", args=[filing.pk])
    client.force_login(municipal_user)
    chinese = client.get(office_url).content.decode()
    assert chinese.count("专家抽取记录</h4>") == entries and len(rendered) == entries
    assert client.get(office_url).content.decode().count("专家抽取记录</h4>") == entries
    assert len(rendered) == entries  # the second request renders no package
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(office_url).content.decode()
    assert english.count("Expert draw records</h4>") == entries and "专家抽取记录" not in english
    assert len(rendered) == 2 * entries
    client.force_login(official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    district = client.get(reverse("districts:filing_detail", args=[filing.pk])).content.decode()
    assert district.count("专家抽取记录</h4>") == entries
    assert len(rendered) == 2 * entries  # nothing rendered again
