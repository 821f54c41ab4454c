"""The cadre help ledger's pages: who sees what, the forms' errors, the list's queries, Excel in and out."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cadres import services
from cadres.models import HelpListEntry, HelpRecord, Ledger
from tests.cadres.conftest import make_cadre
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

RECORD = {
    "helped_on": "2026-03-02",
    "method": "走访",
    "channel": "现场",
    "measures": "对接高校联合研发",
    "effect": "签订合作协议",
    "hours": "3.5",
}


def test_a_cadre_sees_only_their_own_enterprise(client, entry, cadre, other_cadre):
    client.force_login(cadre)
    response = client.get(reverse("cadres:home"))
    assert response.status_code == 200
    assert entry.enterprise.name in response.content.decode()
    client.force_login(other_cadre)
    assert entry.enterprise.name not in client.get(reverse("cadres:home")).content.decode()
    assert client.get(reverse("cadres:detail", args=[entry.pk])).status_code == 404
    assert client.post(reverse("cadres:record_add", args=[entry.pk]), RECORD).status_code == 404
    assert not HelpRecord.objects.exists()


def test_the_cadre_adds_a_record_and_submits_the_ledger(client, entry, cadre):
    client.force_login(cadre)
    response = client.post(reverse("cadres:record_add", args=[entry.pk]), RECORD)
    assert response.status_code == 302
    assert HelpRecord.objects.get().hours == 3.5
    response = client.post(
        reverse("cadres:ledger_submit", args=[entry.pk]),
        {"year": "2026", "half": "h1", "summary": "走访一次"},
    )
    assert response.status_code == 302
    assert Ledger.objects.get().status == "submitted"
    page = client.get(reverse("cadres:detail", args=[entry.pk])).content.decode()
    assert "对接高校联合研发" in page and "已提交，待企业确认" in page


def test_a_bad_record_is_a_form_error_and_writes_nothing(client, entry, cadre):
    client.force_login(cadre)
    response = client.post(reverse("cadres:record_add", args=[entry.pk]), {**RECORD, "hours": "-2"})
    assert response.status_code == 400
    assert "帮扶时长应为" in response.content.decode()
    assert not HelpRecord.objects.exists()


def test_the_enterprise_confirms_the_district_org_reviews_and_the_office_files(
    client, entry, cadre, owner, district_org, district_official, office
):
    ledger = services.ledger_submit(by=cadre, entry=entry, year=2026, half="h1", summary="小结")
    client.force_login(owner)
    page = client.get(reverse("cadres:detail", args=[entry.pk])).content.decode()
    assert 'data-testid="confirm-ledger"' in page
    confirm = reverse("cadres:ledger_confirm", args=[ledger.pk])
    client.post(confirm, {"decision": "pass", "note": ""})  # without the box ticked: nothing happens
    ledger.refresh_from_db()
    assert ledger.status == "submitted"
    assert client.post(confirm, {"decision": "pass", "note": "", "checked": "on"}).status_code == 302
    ledger.refresh_from_db()
    assert ledger.status == "confirmed"
    # The district's S&T official no longer reviews: the district's organisation department does.
    client.force_login(district_official)
    assert client.get(reverse("cadres:ledgers")).status_code == 403
    assert (
        client.post(reverse("cadres:ledger_review", args=[ledger.pk]), {"decision": "pass"}).status_code
        == 403
    )
    client.force_login(district_org)
    assert "小结" in client.get(reverse("cadres:ledgers")).content.decode()
    client.post(reverse("cadres:ledger_review", args=[ledger.pk]), {"decision": "return", "note": ""})
    ledger.refresh_from_db()
    assert ledger.status == "confirmed"  # a return needs a reason
    client.post(reverse("cadres:ledger_review", args=[ledger.pk]), {"decision": "pass", "note": "同意"})
    client.force_login(office)
    client.post(reverse("cadres:ledger_file", args=[ledger.pk]))
    ledger.refresh_from_db()
    assert ledger.status == "filed"


def test_another_districts_organisation_department_sees_no_ledger(
    client, entry, cadre, owner, other_district_org
):
    ledger = services.ledger_submit(by=cadre, entry=entry, year=2026, half="h1", summary="小结")
    services.ledger_confirm(by=owner, ledger=ledger, approve=True, note="")
    client.force_login(other_district_org)
    assert "小结" not in client.get(reverse("cadres:ledgers")).content.decode()
    assert client.get(reverse("cadres:detail", args=[entry.pk])).status_code == 404
    response = client.post(reverse("cadres:ledger_review", args=[ledger.pk]), {"decision": "pass"})
    assert response.status_code == 404
    assert client.get(reverse("cadres:assign", args=[entry.pk])).status_code == 404
    ledger.refresh_from_db()
    assert ledger.status == "confirmed"


def test_the_enterprise_enters_data_and_sees_the_chart_and_its_table(client, entry, owner):
    client.force_login(owner)
    assert client.get(reverse("cadres:home")).status_code == 302
    values = {
        "year": "2026",
        "half": "h1",
        "revenue": "120000",
        "profit": "8000",
        "tax": "3000",
        "rd_spending": "6000",
        "employees": "800",
        "patents": "50",
        "invention_patents": "20",
        "rd_staff": "120",
        "new_products": "5",
        "high_tech_revenue": "90000",
    }
    assert client.post(reverse("cadres:development", args=[entry.pk]), values).status_code == 302
    client.post(
        reverse("cadres:development", args=[entry.pk]), {**values, "half": "year", "revenue": "250000"}
    )
    page = client.get(reverse("cadres:detail", args=[entry.pk])).content.decode()
    assert "<svg" in page and "250000" in page and "2026 全年" in page


def test_the_list_pins_its_queries(client, office, django_assert_num_queries):
    for i in range(25):
        e = services.entry_add(
            by=office, enterprise=EnterpriseFactory(), help_list="billion", is_key=i < 5, year_added=2026
        )
        services.assignment_set(
            by=office, entry=e, cadre=make_cadre(f"c{i}"), kind="primary", starts_on=dt.date(2026, 1, 1)
        )
    client.force_login(office)
    # session, user (with their district and enterprise), the inbox's unread count (the sign-in renewed the
    # session: no save), and the page's own: count, districts of the filter, the page's rows, their
    # assignments with the cadres.
    with django_assert_num_queries(7):
        response = client.get(reverse("cadres:home"), {"list": "billion"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 25
    assert len(response.context["page"].object_list) == 20


def _sheet(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称", "帮扶名单", "重点企业", "列入年度"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_reports_each_row_and_skips_the_bad_ones(client, office):
    good, other = EnterpriseFactory(), EnterpriseFactory()
    data = _sheet(
        [
            [good.uscc, good.name, "百亿元级", "是", 2026],
            [other.uscc, other.name, "十亿元级", "否", 2026],
            ["91120000000000000X", "不存在的企业", "五亿元级", "否", 2026],
        ]
    )
    client.force_login(office)
    upload = io.BytesIO(data)
    upload.name = "list.xlsx"
    response = client.post(reverse("cadres:entry_import"), {"sheet": upload})
    assert response.status_code == 400
    reports = response.context["reports"]
    assert [(r.row, r.ok) for r in reports] == [(2, True), (3, False), (4, False)]
    assert "百亿元级" in reports[1].problems[0]
    assert list(HelpListEntry.objects.values_list("enterprise", flat=True)) == [good.pk]


def test_a_file_that_is_not_a_workbook_is_refused(client, office):
    client.force_login(office)
    upload = io.BytesIO(b"not a workbook")
    upload.name = "list.xlsx"
    response = client.post(reverse("cadres:entry_import"), {"sheet": upload})
    assert response.status_code == 400
    assert ".xlsx" in response.content.decode()


def test_export_writes_the_list(client, office, entry):
    client.force_login(office)
    response = client.get(reverse("cadres:entry_export"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][:5] == (entry.enterprise.uscc, entry.enterprise.name, "百亿元级", "是", 2026)


def test_the_office_adds_an_entry_and_a_wrong_uscc_is_a_form_error(client, office):
    enterprise = EnterpriseFactory()
    client.force_login(office)
    response = client.post(
        reverse("cadres:entry_add"),
        {"uscc": "91120000000000000X", "help_list": "billion", "year_added": "2026"},
    )
    assert response.status_code == 400
    assert "不是本平台注册的企业" in response.content.decode()
    response = client.post(
        reverse("cadres:entry_add"),
        {"uscc": enterprise.uscc, "help_list": "half_billion", "year_added": "2026"},
    )
    assert response.status_code == 302
    assert HelpListEntry.objects.get().help_list == "half_billion"


def test_training_is_counted_against_24_a_year(client, office, organisation):
    from cadres.models import Training

    client.force_login(organisation)
    data = {"held_on": "2026-04-08", "topic": "商业模式创新", "speaker": "张教授", "attendance": "86"}
    assert client.post(reverse("cadres:training"), data).status_code == 302
    response = client.post(reverse("cadres:training"), {**data, "attendance": "0"})
    assert response.status_code == 400
    assert Training.objects.count() == 1
    page = client.get(reverse("cadres:training"), {"year": "2026"}).content.decode()
    assert "已举办 1 期，全年目标不低于 24 期" in page
    client.force_login(make_cadre("trainee"))
    assert client.get(reverse("cadres:training")).status_code == 403


def test_the_enterprise_evaluates_its_cadre_once_a_period(client, entry, owner, cadre, other_cadre):
    from cadres.models import Evaluation

    client.force_login(owner)
    url = reverse("cadres:evaluate", args=[entry.pk])
    data = {"year": "2026", "half": "h1", "cadre": cadre.pk, "score": "5", "text": "帮扶及时有效"}
    assert (
        client.post(url, {**data, "cadre": other_cadre.pk}).status_code == 400
    )  # not this enterprise's cadre
    assert client.post(url, {**data, "score": "6"}).status_code == 400
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 400 and "每期只评价一次" in again.content.decode()
    assert Evaluation.objects.get().score == 5
    assert "帮扶及时有效" in client.get(reverse("cadres:detail", args=[entry.pk])).content.decode()


def test_the_ledger_queue_pins_its_queries(client, office, django_assert_num_queries):
    for i in range(23):
        cadre = make_cadre(f"q{i}")
        e = services.entry_add(
            by=office, enterprise=EnterpriseFactory(), help_list="billion", is_key=False, year_added=2026
        )
        services.assignment_set(
            by=office, entry=e, cadre=cadre, kind="primary", starts_on=dt.date(2026, 1, 1)
        )
        services.ledger_submit(by=cadre, entry=e, year=2026, half="h1", summary=f"小结{i}")
    Ledger.objects.update(status="confirmed")  # confirmed by the enterprises: the district's queue
    from accounts.models import Role
    from tests.factories import UserFactory, district

    district_org = UserFactory(role=Role.ORGANISATION, district=district(), username="queue_org")
    client.force_login(district_org)
    # session, user with the header's district badge, the inbox's unread count (no session save after the
    # sign-in), and the page's own: count, rows (one join for enterprise and district).
    with django_assert_num_queries(5):
        response = client.get(reverse("cadres:ledgers"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 23
    assert len(response.context["page"].object_list) == 20


def test_the_municipal_organisation_department_files_from_its_queue(
    client, entry, cadre, owner, district_org, organisation
):
    """市级备案: 市委组织部 (an organisation user without a district) files like the office."""
    ledger = services.ledger_submit(by=cadre, entry=entry, year=2026, half="h1", summary="小结")
    services.ledger_confirm(by=owner, ledger=ledger, approve=True, note="")
    services.ledger_review(by=district_org, ledger=ledger, approve=True, note="")
    client.force_login(district_org)
    assert client.post(reverse("cadres:ledger_file", args=[ledger.pk])).status_code == 403
    ledger.refresh_from_db()
    assert ledger.status == "district_reviewed"  # a district's organisation department does not file
    client.force_login(organisation)
    page = client.get(reverse("cadres:ledgers"))
    assert page.context["who"] == "office" and "小结" in page.content.decode()
    client.post(reverse("cadres:ledger_file", args=[ledger.pk]))
    ledger.refresh_from_db()
    assert ledger.status == "filed"
