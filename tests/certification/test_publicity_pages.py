"""The browser side of publicity, objections and filing: public pages, the district's and the office's pages."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from certification.models import ApplicationStatus, NoticeStatus, Objection, ObjectionStatus, PublicityNotice
from certification.publicity import services as publicity
from districts.models import Filing, FilingStatus
from tests.factories import ApplicationFactory, EnterpriseFactory, district

pytestmark = pytest.mark.django_db
BJ = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 9, 28)
END = dt.date(2026, 10, 15)  # 10 working days from 2026-09-28 (National Day in between), as in docs/api.md
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REASON = "该企业的知识产权并非自主研发，有转让合同为证。"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    # Rate limits count per address in the cache; the configured one is a file cache shared by every
    # process on the machine (other test runs too), so these tests get a private, empty one.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "test-publicity-pages",
        }
    }
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def today(time_machine):
    time_machine.move_to(dt.datetime(2026, 9, 28, 9, 0, tzinfo=BJ))
    return TODAY


def recommended_apps(n=3, code="120116", prefix="拟推荐企业"):
    return [
        ApplicationFactory(
            enterprise=EnterpriseFactory(name=f"{prefix}{i}", district=district(code)),
            status=ApplicationStatus.RECOMMENDED,
        )
        for i in range(n)
    ]


@pytest.fixture
def recommended(db):
    return recommended_apps()


@pytest.fixture
def notice(official, recommended, today):
    return publicity.publicity_publish(
        by=official,
        application_ids=[a.pk for a in recommended],
        start=TODAY,
        title="滨海新区 2026 年度市级高新技术企业拟认定名单公示",
    )


@pytest.fixture
def objection(notice, recommended):
    entry = notice.entries.get(application=recommended[0])
    return publicity.objection_file(
        entry=entry,
        name="王五",
        phone="13800000000",
        reason=REASON,
        evidence=SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf"),
    )


def close_after_end(notice, official):
    return publicity.notice_close(notice=notice, by=official, today=END + dt.timedelta(days=1))[0]


def refreshed(apps):
    for a in apps:
        a.refresh_from_db()
    return [a.status for a in apps]


def objection_data(app, **extra):
    return {"application": app.pk, "name": "王五", "phone": "13800000000", "reason": REASON, **extra}


# --- Public pages -------------------------------------------------------------------------------


def test_public_list_shows_only_open_notices(client, official, today):
    first = recommended_apps(2, prefix="已结束企业")
    old = publicity.publicity_publish(
        by=official, application_ids=[a.pk for a in first], start=TODAY, title="已经结束的公示"
    )
    close_after_end(old, official)
    apps = recommended_apps(2, prefix="公示中企业")
    publicity.publicity_publish(
        by=official, application_ids=[a.pk for a in apps], start=TODAY, title="正在公示的名单"
    )
    response = client.get(reverse("publicity_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "正在公示的名单" in html and "已经结束的公示" not in html
    assert "公示中企业0" in html and apps[0].enterprise.uscc in html and "已结束企业0" not in html
    assert "2026-09-28" in html and "2026-10-15" in html and "截止日期按官方日历确认" in html
    assert "滨海新区" in html


def test_unconfirmed_end_is_marked(client, notice):
    PublicityNotice.objects.filter(pk=notice.pk).update(end_confirmed=False)
    html = client.get(reverse("publicity_list")).content.decode()
    assert "未确认" in html and "截止日期按官方日历确认" not in html


def test_landing_page_links(client):
    html = client.get("/").content.decode()
    assert reverse("publicity_list") in html and reverse("objection_track") in html


def test_notice_page_offers_objections_only_while_open(client, official, notice, recommended):
    url = reverse("publicity_notice", args=[notice.pk])
    html = client.get(url).content.decode()
    link = f"{reverse('objection_new', args=[notice.pk])}?application={recommended[0].pk}"
    assert link in html and "拟推荐企业0" in html
    close_after_end(notice, official)
    html = client.get(url).content.decode()
    assert reverse("objection_new", args=[notice.pk]) not in html and "公示期已结束" in html
    form = client.get(reverse("objection_new", args=[notice.pk]))
    assert 'name="reason"' not in form.content.decode() and "不在公示期内" in form.content.decode()
    assert client.get(reverse("publicity_notice", args=[999999])).status_code == 404


def test_notice_pdf(client, notice):
    response = client.get(reverse("publicity_notice_pdf", args=[notice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    compact = "".join(text.split())
    assert "拟推荐企业0" in compact and "2026年9月28日" in compact
    assert district("120116").government_name in compact and "实名" in compact and "/publicity/" in compact


def test_objection_through_the_form(client, notice, recommended):
    url = reverse("objection_new", args=[notice.pk])
    form = client.get(f"{url}?application={recommended[1].pk}")
    html = form.content.decode()
    assert form.status_code == 200 and "no-store" in form["Cache-Control"]
    assert 'class="hp" aria-hidden="true"' in html and 'name="website"' in html
    assert 'tabindex="-1"' in html and 'autocomplete="off"' in html
    assert f'<option value="{recommended[1].pk}" selected>' in html
    assert "<script" not in html and " onclick=" not in html
    evidence = SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf")
    response = client.post(url, objection_data(recommended[1], evidence=evidence, website=""))
    assert response.status_code == 302 and response["Location"] == reverse("objection_done", args=[notice.pk])
    objection = Objection.objects.get()
    assert (
        objection.entry.application_id == recommended[1].pk
        and objection.name == "王五"
        and objection.evidence
    )
    done = client.get(response["Location"])
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    assert (
        objection.tracking_number in done.content.decode()
        and "请立即记下或截图保存此编号" in done.content.decode()
    )


def test_objection_form_errors_inline_and_nothing_saved(client, notice, recommended):
    response = client.post(
        reverse("objection_new", args=[notice.pk]), objection_data(recommended[0], phone="abc", reason="太短")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写有效的联系电话。" in html and "请写明异议理由（10 至 5000 字）。" in html
    assert not Objection.objects.exists()


def test_honeypot_refuses_without_detail(client, notice, recommended):
    response = client.post(
        reverse("objection_new", args=[notice.pk]),
        objection_data(recommended[0], website="http://spam.example"),
    )
    assert response.status_code == 400 and "提交失败。" in response.content.decode()
    assert not Objection.objects.exists()


def test_rate_limit_per_address_shared_with_the_api(client, notice, recommended):
    url = reverse("objection_new", args=[notice.pk])
    bad = objection_data(recommended[0], reason="太短")  # refused attempts count as well
    assert [client.post(url, bad).status_code for _ in range(5)] == [400] * 5
    response = client.post(url, objection_data(recommended[0]))
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode() and "每小时最多提交 5 次" in response.content.decode()
    assert not Objection.objects.exists()
    # The API counts the same address against the same limit …
    api = client.post(f"/api/v1/publicity/{notice.pk}/objections/", objection_data(recommended[0]))
    assert api.status_code == 429
    # … and another address is not affected.
    assert client.post(url, objection_data(recommended[0]), REMOTE_ADDR="10.0.0.9").status_code == 302


def test_tracking_shows_status_and_finding_not_identity(client, official, objection):
    url = reverse("objection_track")
    assert client.get(url).status_code == 200
    html = client.get(url, {"number": objection.tracking_number.lower()}).content.decode()
    assert "待核实" in html and "王五" not in html and "13800000000" not in html
    publicity.objection_resolve(
        objection=objection, by=official, upheld=False, finding="经核实，专利为企业自主研发。"
    )
    response = client.get(url, {"number": f" {objection.tracking_number} "})
    html = response.content.decode()
    assert response.status_code == 200 and "异议不成立" in html and "经核实，专利为企业自主研发。" in html
    assert "王五" not in html and "13800000000" not in html and REASON not in html
    missing = client.get(url, {"number": "YYNOPE12345"})
    assert missing.status_code == 404 and "未找到该查询编号" in missing.content.decode()


# --- District pages ----------------------------------------------------------------------------


def test_district_publishes_from_the_page(client, official, recommended, today):
    client.force_login(official)
    page = client.get(reverse("districts:publicity_new"))
    html = page.content.decode()
    assert page.status_code == 200 and all(a.enterprise.name in html for a in recommended)
    assert 'value="2026-09-28"' in html and "2026-10-15" in html  # default start and its computed end
    data = {"applications": [recommended[0].pk, recommended[1].pk], "start": "2026-09-28", "confirm": "1"}
    response = client.post(reverse("districts:publicity_new"), data)
    notice = PublicityNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "districts:notice_detail", args=[notice.pk]
    )
    assert notice.end == END and refreshed(recommended) == ["in_publicity", "in_publicity", "recommended"]
    detail = client.get(response["Location"]).content.decode()
    assert "2026-10-15" in detail and "已发布公示" in detail


def test_publish_refuses_a_past_start_and_a_missing_confirmation(client, official, recommended, today):
    client.force_login(official)
    url = reverse("districts:publicity_new")
    response = client.post(url, {"applications": [recommended[0].pk], "start": "2026-09-27", "confirm": "1"})
    assert response.status_code == 400 and "公示开始日期不能早于今天。" in response.content.decode()
    response = client.post(url, {"applications": [recommended[0].pk], "start": "2026-09-28"})
    assert response.status_code == 400 and "请勾选确认后再发布。" in response.content.decode()
    assert not PublicityNotice.objects.exists() and refreshed(recommended[:1]) == ["recommended"]


def test_district_sees_identities_and_resolves(client, official, notice, objection):
    client.force_login(official)
    html = client.get(reverse("districts:notice_detail", args=[notice.pk])).content.decode()
    assert "王五" in html and "13800000000" in html and REASON in html
    assert reverse("districts:objection_evidence", args=[objection.pk]) in html
    url = reverse("districts:objection_resolve", args=[objection.pk])
    prefix = f"o{objection.pk}"
    unconfirmed = client.post(url, {f"{prefix}-decision": "dismissed", f"{prefix}-finding": "经核实不属实。"})
    assert unconfirmed.status_code == 400 and "请勾选确认后再提交核实结论。" in unconfirmed.content.decode()
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.OPEN
    response = client.post(
        url, {f"{prefix}-decision": "upheld", f"{prefix}-finding": "异议属实。", f"{prefix}-confirm": "on"}
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD and objection.finding == "异议属实。"
    objection.entry.application.refresh_from_db()
    assert objection.entry.application.status == ApplicationStatus.OBJECTION_UPHELD


def test_close_only_after_the_end(client, official, notice, recommended, time_machine):
    client.force_login(official)
    detail = client.get(reverse("districts:notice_detail", args=[notice.pk])).content.decode()
    assert "disabled" in detail and "2026-10-16 起才能结束公示" in detail
    url = reverse("districts:notice_close", args=[notice.pk])
    early = client.post(url, {"confirm": "1"})
    assert early.status_code == 409 and "次日起才能结束公示" in early.content.decode()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.OPEN and set(refreshed(recommended)) == {"in_publicity"}
    time_machine.move_to(dt.datetime(2026, 10, 16, 9, 0, tzinfo=BJ))
    client.force_login(official)  # the session of 18 days ago has expired
    assert client.post(url).status_code == 400  # no confirmation
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.CLOSED and set(refreshed(recommended)) == {"publicity_passed"}
    assert "3 家公示通过" in client.get(response["Location"]).content.decode()


def test_district_files(client, official, notice, recommended):
    close_after_end(notice, official)
    client.force_login(official)
    page = client.get(reverse("districts:filings")).content.decode()
    assert all(a.enterprise.name in page for a in recommended) and "以区人民政府名义报备" in page
    url = reverse("districts:filing_new")
    ids = [a.pk for a in recommended]
    unconfirmed = client.post(url, {"applications": ids})
    assert unconfirmed.status_code == 400 and not Filing.objects.exists()
    response = client.post(url, {"applications": ids, "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("districts:filings")
    filing = Filing.objects.get()
    assert filing.entries.count() == 3 and set(refreshed(recommended)) == {"filed"}
    html = client.get(response["Location"]).content.decode()
    assert f"报备 {filing.pk}" in html and "待审核" in html


def test_office_decides_a_filing(client, official, municipal_user, notice, recommended):
    close_after_end(notice, official)
    from districts.services import filing_create

    filing = filing_create(by=official, application_ids=[a.pk for a in recommended])
    client.force_login(municipal_user)
    listing = client.get(reverse("audits:filings"), {"status": "submitted", "district": "120116"})
    assert listing.status_code == 200 and f"报备 {filing.pk}" in listing.content.decode()
    assert (
        f"报备 {filing.pk}"
        not in client.get(reverse("audits:filings"), {"district": "120101"}).content.decode()
    )
    url = reverse("audits:filing_detail", args=[filing.pk])
    html = client.get(url).content.decode()
    assert reverse("certification:application_form_pdf", args=[recommended[0].pk]) in html
    a, b, c = recommended
    no_reason = {
        f"decision-{a.pk}": "approve",
        f"decision-{b.pk}": "return",
        f"reason-{b.pk}": "",
        "confirm": "1",
    }
    response = client.post(url, no_reason)
    assert response.status_code == 400 and "退回时须说明理由。" in response.content.decode()
    assert set(refreshed(recommended)) == {"filed"}
    unconfirmed = {f"decision-{a.pk}": "approve"}
    assert client.post(url, unconfirmed).status_code == 400 and set(refreshed(recommended)) == {"filed"}
    ok = {
        f"decision-{a.pk}": "approve",
        f"decision-{b.pk}": "return",
        f"reason-{b.pk}": "研发费用归集不规范",
        "confirm": "1",
    }
    assert client.post(url, ok).status_code == 302
    assert refreshed(recommended) == ["approved", "filing_returned", "filed"]
    html = client.get(url).content.decode()
    assert (
        "研发费用归集不规范" in html
        and f'name="decision-{a.pk}"' not in html
        and f'name="decision-{c.pk}"' in html
    )
    assert client.post(url, {f"decision-{c.pk}": "approve", "confirm": "1"}).status_code == 302
    filing.refresh_from_db()
    assert filing.status == FilingStatus.DECIDED and refreshed([c]) == ["approved"]


# --- Permissions -------------------------------------------------------------------------------


def district_pages(notice, objection):
    return [
        reverse("districts:publicity"),
        reverse("districts:publicity_new"),
        reverse("districts:notice_detail", args=[notice.pk]),
        reverse("districts:filings"),
    ]


def test_other_district_gets_404(client, other_official, notice, objection):
    client.force_login(other_official)
    assert client.get(reverse("districts:notice_detail", args=[notice.pk])).status_code == 404
    assert (
        client.post(reverse("districts:notice_close", args=[notice.pk]), {"confirm": "1"}).status_code == 404
    )
    prefix = f"o{objection.pk}"
    response = client.post(
        reverse("districts:objection_resolve", args=[objection.pk]),
        {f"{prefix}-decision": "upheld", f"{prefix}-finding": "x", f"{prefix}-confirm": "on"},
    )
    assert response.status_code == 404
    assert client.get(reverse("districts:objection_evidence", args=[objection.pk])).status_code == 404
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.OPEN
    # Its own lists do not show the other district's notice.
    assert notice.title not in client.get(reverse("districts:publicity")).content.decode()


@pytest.mark.parametrize("who", ["enterprise_user", "municipal_user", "expert_user"])
def test_other_roles_get_403_on_district_pages(client, request, who, notice, objection):
    client.force_login(request.getfixturevalue(who))
    for url in district_pages(notice, objection):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("districts:filing_new"), {"confirm": "1"}).status_code == 403
    assert (
        client.post(reverse("districts:notice_close", args=[notice.pk]), {"confirm": "1"}).status_code == 403
    )


def test_district_gets_403_on_office_pages(client, official, notice):
    close_after_end(notice, official)
    from districts.services import filing_create

    filing = filing_create(
        by=official, application_ids=list(notice.entries.values_list("application_id", flat=True))
    )
    client.force_login(official)
    assert client.get(reverse("audits:filings")).status_code == 403
    assert client.get(reverse("audits:filing_detail", args=[filing.pk])).status_code == 403
    assert client.post(reverse("audits:filing_detail", args=[filing.pk]), {"confirm": "1"}).status_code == 403


def test_anonymous_goes_to_login(client, notice, objection):
    for url in [
        *district_pages(notice, objection),
        reverse("audits:filings"),
        reverse("districts:objection_evidence", args=[objection.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("official", 200),
        ("municipal_user", 200),
        ("other_official", 404),
        ("enterprise_user", 403),
        ("expert_user", 403),
    ],
)
def test_evidence_download(client, request, who, expected, objection):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("districts:objection_evidence", args=[objection.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == PDF


def test_evidence_missing_is_404(client, official, notice, recommended):
    entry = notice.entries.get(application=recommended[1])
    plain = publicity.objection_file(entry=entry, name="赵六", phone="13900000000", reason=REASON)
    client.force_login(official)
    assert client.get(reverse("districts:objection_evidence", args=[plain.pk])).status_code == 404


# --- Query counts ------------------------------------------------------------------------------


def count_queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_public_list_query_count_is_constant(client, official, today, django_assert_max_num_queries):
    publicity.publicity_publish(
        by=official, application_ids=[a.pk for a in recommended_apps(1, prefix="甲")], start=TODAY
    )
    few = count_queries(client, reverse("publicity_list"))
    for n in range(4):
        apps = recommended_apps(5, prefix=f"乙{n}-")
        publicity.publicity_publish(by=official, application_ids=[a.pk for a in apps], start=TODAY)
    # The rows changed: the fingerprint of what the list shows, then the count, the ids, the rows.
    with django_assert_max_num_queries(4):
        html = client.get(reverse("publicity_list")).content.decode()
    assert "乙3-4" in html
    # Nothing changed since: the page comes from the cache after the fingerprint alone.
    assert count_queries(client, reverse("publicity_list")) == 1 < few


def rows(html: str) -> int:
    return html.count('<td class="num">')  # the entries' numbers, one a row


def test_public_list_is_paginated_by_entry_and_searchable(client, official, today, django_assert_num_queries):
    from certification.publicity.views import LIST_PAGE_SIZE

    first = recommended_apps(LIST_PAGE_SIZE - 2, prefix="早公示企业")
    publicity.publicity_publish(
        by=official, application_ids=[a.pk for a in first], start=TODAY, title="第一批"
    )
    second = recommended_apps(5, prefix="晚公示企业")
    publicity.publicity_publish(
        by=official, application_ids=[a.pk for a in second], start=TODAY, title="第二批"
    )
    url = reverse("publicity_list")
    # Every entry of every open notice, 50 a page, in three queries (the count, the ids, the rows) and
    # the fingerprint of the rows shown (the page is cached until one of them changes).
    with django_assert_num_queries(4):
        page_one = client.get(url)
    html = page_one.content.decode()
    assert page_one.context["count"] == LIST_PAGE_SIZE + 3 and rows(html) == LIST_PAGE_SIZE
    assert html.count('data-testid="notice"') == 2 and "第一批" in html and "第二批" in html
    assert "晚公示企业4" in html and "?page=2" in html
    with django_assert_num_queries(4):
        page_two = client.get(url, {"page": 2}).content.decode()
    assert rows(page_two) == 3 and "第一批" in page_two and "第二批" not in page_two
    assert f'<td class="num">{LIST_PAGE_SIZE + 1}</td>' in page_two  # numbering goes on
    with django_assert_num_queries(1):
        again = client.get(url, {"page": 2}).content.decode()
    # The same list (the header around it is rendered anew: its form tokens differ).
    assert again.split('id="q"')[1] == page_two.split('id="q"')[1]
    # Search by name, and by credit code (never cached).
    by_name = client.get(url, {"q": "晚公示企业3"}).content.decode()
    assert rows(by_name) == 1 and second[3].enterprise.name in by_name
    by_uscc = client.get(url, {"q": first[7].enterprise.uscc.lower()}).content.decode()
    assert rows(by_uscc) == 1 and first[7].enterprise.uscc in by_uscc
    none = client.get(url, {"q": "不存在的企业"})
    assert none.context["count"] == 0 and "没有找到与“不存在的企业”相符的公示企业" in none.content.decode()
    # The search survives paging.
    paged = client.get(url, {"q": "公示企业"}).content.decode()
    assert "?q=%E5%85%AC%E7%A4%BA%E4%BC%81%E4%B8%9A&amp;page=2" in paged


def test_office_filing_list_query_count_is_constant(
    client, official, municipal_user, today, django_assert_max_num_queries
):
    from districts.services import filing_create

    def filed(n, prefix):
        apps = recommended_apps(n, prefix=prefix)
        notice = publicity.publicity_publish(by=official, application_ids=[a.pk for a in apps], start=TODAY)
        close_after_end(notice, official)
        return filing_create(by=official, application_ids=[a.pk for a in apps])

    filed(1, "甲")
    client.force_login(municipal_user)
    few = count_queries(client, reverse("audits:filings"))
    for n in range(4):
        filed(3, f"乙{n}-")
    with django_assert_max_num_queries(few):
        html = client.get(reverse("audits:filings")).content.decode()
    assert html.count('href="/municipal/filings/') == 5
    assert few <= 9  # the header adds the unread-notification count


def test_guessing_tracking_numbers_is_rate_limited(client, objection, monkeypatch):
    from certification.publicity.api.views import ObjectionRateThrottle

    monkeypatch.setattr(ObjectionRateThrottle, "rate", "2/hour")
    url = reverse("objection_track")
    responses = [client.get(url, {"number": f"YYNOPE0000{i}"}) for i in range(3)]
    assert [r.status_code for r in responses] == [404, 404, 429]
    assert "查询过于频繁" in responses[2].content.decode()
    # Only unknown numbers count: the objector can still check a real one.
    assert client.get(url, {"number": objection.tracking_number}).status_code == 200


def test_a_large_filing_is_decided_page_by_page(
    client, official, municipal_user, today, django_assert_num_queries
):
    """A filing of one page and 5 applications: a full page of rows, then 5; a decision covers the rows
    sent, the others stay undecided, and the office comes back to the page it decided on."""
    from audits.views.filings import ENTRIES_PAGE_SIZE
    from districts.services import filing_create

    apps = recommended_apps(ENTRIES_PAGE_SIZE + 5, prefix="大批报备企业")
    notice = publicity.publicity_publish(by=official, application_ids=[a.pk for a in apps], start=TODAY)
    close_after_end(notice, official)
    filing = filing_create(by=official, application_ids=[a.pk for a in apps])
    client.force_login(municipal_user)
    url = reverse("audits:filing_detail", args=[filing.pk])
    # The totals are counted in SQL and only the page's rows and packages are read: session, user,
    # filing, totals, rows, packages, samples, unread notices.
    with django_assert_num_queries(8):
        first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert (
        first.count('class="decision-row') == ENTRIES_PAGE_SIZE and second.count('class="decision-row') == 5
    )
    assert "第 1 / 2 页" in first and "page=2" in first
    assert (
        f'id="sample-size" min="1" max="{ENTRIES_PAGE_SIZE + 5}"' in first
    )  # a sample may take any entry, not just the page's
    on_second = [a for a in apps if f'name="decision-{a.pk}"' in second]
    assert len(on_second) == 5 and not any(f'name="decision-{a.pk}"' in first for a in on_second)

    decisions = {f"decision-{a.pk}": "approve" for a in on_second}
    response = client.post(f"{url}?page=2", {**decisions, "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == f"{url}?page=2"
    assert set(refreshed(on_second)) == {"approved"}
    assert set(refreshed([a for a in apps if a not in on_second])) == {"filed"}
    after = client.get(response["Location"]).content.decode()
    assert f"本页的申请均已审核；其他页还有 {ENTRIES_PAGE_SIZE} 件待审核。" in after
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED


def test_public_list_shows_a_change_on_the_next_request(client, official, today):
    """The cached list follows the rows it shows: a district's phone, an enterprise's name, a notice
    withdrawn."""
    apps = recommended_apps(2, prefix="缓存公示企业")
    notice = publicity.publicity_publish(by=official, application_ids=[a.pk for a in apps], start=TODAY)
    url = reverse("publicity_list")
    assert "缓存公示企业0" in client.get(url).content.decode()
    binhai = notice.district
    binhai.phone = "022-66668888"
    binhai.save()
    assert "022-66668888" in client.get(url).content.decode()
    enterprise = apps[0].enterprise
    enterprise.name = "改名后的缓存企业"
    enterprise.save()
    html = client.get(url).content.decode()
    assert "改名后的缓存企业" in html and "缓存公示企业0" not in html
    notice.status = NoticeStatus.CLOSED
    notice.save()
    assert "缓存公示企业1" not in client.get(url).content.decode()
