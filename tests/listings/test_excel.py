"""Excel import of the lists (all rows or none, a report per row) and the export (listings/excel.py)."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.errors import InvalidInput
from listings import excel, services
from listings.models import ListingEntry, ListKind, Stage
from tests.factories import EnterpriseFactory, district

pytestmark = pytest.mark.django_db


def _sheet(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称", "阶段", "备注"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(data: bytes) -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = "lists.xlsx"
    return upload


def test_a_good_file_is_added_whole(municipal_user):
    by_code, by_name, by_list = (
        EnterpriseFactory(),
        EnterpriseFactory(name="天津按名称导入科技有限公司"),
        EnterpriseFactory(),
    )
    reports = excel.import_entries(
        by=municipal_user,
        data=_sheet(
            [
                [by_code.uscc.lower(), None, "有股改意向", "2026 年拟股改"],
                ["", "天津按名称导入科技有限公司", "后备企业", None],
                [by_list.uscc, by_list.name, "并购单", ""],
            ]
        ),
    )
    assert [(r.row, r.ok, r.problems) for r in reports] == [(2, True, []), (3, True, []), (4, True, [])]
    entries = {e.enterprise_id: e for e in ListingEntry.objects.all()}
    assert (entries[by_code.pk].list_kind, entries[by_code.pk].note) == (ListKind.REFORM, "2026 年拟股改")
    assert entries[by_name.pk].stage == Stage.RESERVE
    assert (entries[by_list.pk].stage, entries[by_list.pk].list_kind) == (Stage.LISTED, ListKind.MERGER)


def test_one_bad_row_writes_nothing_and_each_row_says_why(municipal_user):
    good, taken, named = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    services.entry_add(enterprise=taken, stage=Stage.RESERVE, by=municipal_user)
    EnterpriseFactory(name="天津同名科技有限公司")
    EnterpriseFactory(name="天津同名科技有限公司")
    reports = excel.import_entries(
        by=municipal_user,
        data=_sheet(
            [
                [good.uscc, good.name, "股改完成", ""],
                [taken.uscc, "", "后备企业", ""],
                ["91120000000000000X", "", "后备企业", ""],
                [named.uscc, "别的名字有限公司", "后备企业", ""],
                ["", "天津同名科技有限公司", "后备企业", ""],
                [good.uscc, "", "后备企业", ""],
                [EnterpriseFactory().uscc, "", "完成国内并购", ""],
                ["", "", "后备企业", "只有备注"],
            ]
        ),
    )
    problems = {r.row: "；".join(r.problems) for r in reports}
    assert not any(r.ok for r in reports)
    assert problems[2] == ""  # good, but not written: the file goes in whole or not at all
    assert "已在四单一库中" in problems[3]
    assert "不是本平台注册的企业" in problems[4]
    assert "不符" in problems[5]
    assert "有多家企业" in problems[6]
    assert "重复出现" in problems[7]
    assert "阶段应为" in problems[8]
    assert "统一社会信用代码或企业名称" in problems[9]
    assert list(ListingEntry.objects.values_list("enterprise_id", flat=True)) == [taken.pk]


def test_a_failure_while_writing_rolls_back_the_rows_before_it(municipal_user):
    first, second = EnterpriseFactory(), EnterpriseFactory()
    real = services.entry_add

    def racing(**kwargs):  # the second enterprise is added by someone else meanwhile
        if kwargs["enterprise"] == second:
            raise InvalidInput({"enterprise": ["该企业已在四单一库中，一家企业同一时间只能在一个名单上。"]})
        return real(**kwargs)

    with mock.patch.object(services, "entry_add", side_effect=racing):
        reports = excel.import_entries(
            by=municipal_user,
            data=_sheet([[first.uscc, "", "后备企业", ""], [second.uscc, "", "后备企业", ""]]),
        )
    assert [r.ok for r in reports] == [False, False]
    assert "已在四单一库中" in reports[1].problems[0]
    assert not ListingEntry.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a workbook", ".xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Excel"),
        (b"PK\x03\x04broken", ".xlsx"),
        (None, "没有数据行"),
    ],
)
def test_unreadable_files_are_a_form_error(client, municipal_user, data, message):
    client.force_login(municipal_user)
    response = client.post(reverse("listings:import"), {"confirm": "1", "sheet": _upload(data or _sheet([]))})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ListingEntry.objects.exists()


def test_import_page_reports_per_row(client, municipal_user, official):
    good = EnterpriseFactory()
    client.force_login(municipal_user)
    response = client.post(
        reverse("listings:import"),
        {
            "confirm": "1",
            "sheet": _upload(_sheet([[good.uscc, "", "后备企业", ""], ["bad", "", "后备企业", ""]])),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "整个文件均未写入" in page and "不是本平台注册的企业" in page
    assert not ListingEntry.objects.exists()
    response = client.post(
        reverse("listings:import"),
        {"confirm": "1", "sheet": _upload(_sheet([[good.uscc, "", "后备企业", ""]]))},
    )
    assert response.status_code == 200 and "已列入 1 家企业" in response.content.decode()
    assert ListingEntry.objects.get().enterprise == good
    response = client.post(
        reverse("listings:import"),
        {"sheet": _upload(_sheet([[EnterpriseFactory().uscc, "", "后备企业", ""]]))},
    )
    assert response.status_code == 400 and "请确认导入" in response.content.decode()
    assert ListingEntry.objects.count() == 1
    client.force_login(official)
    assert client.post(reverse("listings:import"), {}).status_code == 403


def test_export_writes_the_visible_lists_and_reimports(client, municipal_user, official):
    binhai = services.entry_add(
        enterprise=EnterpriseFactory(name="=HYPERLINK(1)"),
        stage=Stage.INTENTION,
        note="备注",
        by=municipal_user,
    )
    services.entry_add(
        enterprise=EnterpriseFactory(district=district("120101")), stage=Stage.RESERVE, by=municipal_user
    )
    client.force_login(official)  # a district exports its own entries only
    response = client.get(reverse("listings:export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="listings-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("统一社会信用代码", "企业名称", "阶段", "备注")
    assert len(rows) == 2
    assert rows[1][:5] == (binhai.enterprise.uscc, "=HYPERLINK(1)", "有股改意向", "备注", "股改单")
    assert sheet["B2"].data_type == "s"  # text, never a formula
    client.force_login(municipal_user)
    response = client.get(reverse("listings:export"), {"list": "reserve"})
    assert len(list(load_workbook(io.BytesIO(response.content)).active.iter_rows())) == 2
    # An exported file is a valid import elsewhere: here every row is already on the ledger.
    reports = excel.import_entries(by=municipal_user, data=response.content)
    assert "已在四单一库中" in reports[0].problems[0]
