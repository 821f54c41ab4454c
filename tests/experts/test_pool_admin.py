"""The municipal office manages the expert pool: import with a per-row report, export, edit, (de)activate, API."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import Role, User
from accounts.tokens import issue as issue_token
from certification.eligibility.rules import field_codes_in_force
from core.uscc import make_uscc
from experts.importing import COLUMNS, MAX_ROWS, SheetError, export_experts, import_experts, parse_sheet
from experts.models import Expert, ExpertKind, ExpertRelation
from experts.services.pool import (
    expert_as_data,
    expert_create,
    expert_deactivate,
    expert_update,
    with_expert_details,
)
from tests.factories import ExpertFactory, field

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in COLUMNS]
EMPLOYER_A = make_uscc("12120000401359321")
EMPLOYER_B = make_uscc("91120104MA05UJ2K0")
REL_1 = make_uscc("91120116MA0000101")
REL_2 = make_uscc("91120116MA0000102")


def bad_check(uscc: str) -> str:
    """The same code with a wrong check character."""
    return uscc[:17] + ("0" if uscc[17] != "0" else "1")


def xlsx(rows: list[list], headers: list[str] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers or HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(**values) -> list:
    """A sheet row in HEADERS order: a good technical expert unless overridden."""
    base = {
        "username": "",
        "name": "王建国",
        "kind": "技术",
        "title": "教授",
        "fields": "0101、02",
        "employer": "天津大学",
        "employer_uscc": EMPLOYER_A,
        "relations": "",
        "yearly_cap": 20,
        "active": "是",
        "email": "",
        "phone": "",
    }
    base.update(values)
    return [base[c.key] for c in COLUMNS]


GOOD_AND_BAD = [
    row(username="zj_wang", name="王建国", email="wang@example.org", phone="13800000000"),  # 2 good
    row(name="李会计", kind="财务", title="高级会计师", fields="", employer="天津正信会计师事务所",
        employer_uscc=EMPLOYER_B, relations=f"{REL_1}，{REL_2}", yearly_cap=10),  # 3 good
    row(name="赵未知", fields="9999"),  # 4 unknown field code
    row(name="钱校验", employer_uscc=bad_check(EMPLOYER_A)),  # 5 bad USCC check character
    row(name=""),  # 6 missing name
    row(name="孙无领域", fields=""),  # 7 technical without fields
    row(name="周类别", kind="管理"),  # 8 unknown kind
    row(username="zj_wang", name="王建国", email="wang@example.org", phone="13800000000"),  # 9 duplicate of 2
]  # fmt: skip


def api(client, user):
    if user is not None:
        token = issue_token(user)  # a fresh one once the clock has moved past its lifetime
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def make_expert(by: User, **overrides) -> Expert:
    data = {
        "name": "陈专家",
        "kind": ExpertKind.TECHNICAL,
        "title": "研究员",
        "fields": ["0101"],
        "employer": "南开大学",
        "employer_uscc": EMPLOYER_A,
        "relations": [REL_1],
        "yearly_cap": 15,
        "email": "chen@example.org",
        "phone": "13900000000",
    }
    data.update(overrides)
    return expert_create(by=by, data=data)


# --- Import -------------------------------------------------------------------------------------------


def test_parse_sheet_reports_each_bad_row_with_its_reason():
    results = parse_sheet(xlsx(GOOD_AND_BAD), field_codes=field_codes_in_force())
    by_row = {r.row: r for r in results}
    assert [r.row for r in results] == [2, 3, 4, 5, 6, 7, 8, 9]
    assert by_row[2].ok and by_row[3].ok
    assert by_row[2].data["fields"] == ["0101", "02"]
    assert by_row[3].data["fields"] == [] and by_row[3].data["relations"] == [REL_1, REL_2]
    assert by_row[3].data["kind"] == "financial" and by_row[3].data["yearly_cap"] == 10
    reasons = {n: " ".join(by_row[n].errors) for n in range(4, 10)}
    assert not any(by_row[n].ok for n in range(4, 10))
    assert "9999" in reasons[4] and "不在现行技术领域目录" in reasons[4]
    assert "校验位错误" in reasons[5] and "工作单位统一社会信用代码" in reasons[5]
    assert "请填写姓名" in reasons[6]
    assert "技术专家须至少填写一个专业领域" in reasons[7]
    assert "类别“管理”无法识别" in reasons[8]
    assert "与第 2 行重复" in reasons[9]
    for n in range(4, 10):
        assert len(by_row[n].errors) == 1, by_row[n].errors


def test_import_page_creates_exactly_the_good_rows_and_reports_every_row(client, municipal_user):
    client.force_login(municipal_user)
    upload = io.BytesIO(xlsx(GOOD_AND_BAD))
    upload.name = "experts.xlsx"
    response = client.post(reverse("experts_admin:import"), {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()

    assert sorted(Expert.objects.values_list("name", flat=True)) == ["李会计", "王建国"]
    wang = Expert.objects.get(name="王建国")
    assert wang.user.username == "zj_wang" and wang.user.role == Role.EXPERT
    assert not wang.user.has_usable_password()
    assert wang.user.email == "wang@example.org" and wang.user.phone == "13800000000"
    assert sorted(f.code for f in wang.fields.all()) == ["0101", "02"]
    li = Expert.objects.get(name="李会计")
    assert li.kind == ExpertKind.FINANCIAL and li.yearly_cap == 10 and not li.fields.exists()
    assert sorted(li.relations.values_list("uscc", flat=True)) == [REL_1, REL_2]
    assert li.history.latest().history_user == municipal_user

    report = response.context["report"]
    assert [(r.row, r.result) for r in report.rows] == [
        (2, "created"),
        (3, "created"),
        (4, "refused"),
        (5, "refused"),
        (6, "refused"),
        (7, "refused"),
        (8, "refused"),
        (9, "refused"),
    ]
    assert report.counts == {"created": 2, "updated": 0, "unchanged": 0, "refused": 6}
    for text in (
        "不在现行技术领域目录",
        "校验位错误",
        "请填写姓名",
        "技术专家须至少填写一个专业领域",
        "无法识别",
        "与第 2 行重复",
    ):
        assert text in html
    assert 'data-testid="import-report"' in html


def test_import_accepts_english_headers_and_updates_existing_experts(municipal_user):
    existing = make_expert(municipal_user, name="王建国", employer_uscc=EMPLOYER_A, username="zj_wang")
    english = [
        "Username",
        "Name",
        "Kind",
        "Senior title",
        "Fields",
        "Employer",
        "Employer USCC",
        "Yearly cap",
    ]
    sheet = xlsx(
        [
            ["zj_wang", "王建国", "technical", "教授", "0101", "天津大学", EMPLOYER_A, 12],
            ["", "新专家", "financial", "注册会计师", "", "某会计师事务所", EMPLOYER_B, ""],
        ],
        headers=english,
    )
    report = import_experts(by=municipal_user, rows=parse_sheet(sheet, field_codes=field_codes_in_force()))
    assert [r.result for r in report.rows] == ["updated", "created"]
    existing.refresh_from_db()
    assert existing.title == "教授" and existing.yearly_cap == 12 and existing.employer == "天津大学"
    # Columns absent from the sheet are left alone: e-mail, phone, active, relations.
    assert existing.user.email == "chen@example.org" and existing.active
    assert list(existing.relations.values_list("uscc", flat=True)) == [REL_1]
    assert existing.history.latest().history_user == municipal_user
    assert Expert.objects.get(name="新专家").yearly_cap == 20  # empty cell: the default


def test_import_row_matching_by_name_and_employer_and_refusing_a_non_expert_username(
    municipal_user, enterprise_user
):
    make_expert(municipal_user, name="王建国", employer_uscc=EMPLOYER_A)
    sheet = xlsx(
        [
            row(name="王建国", title="院士"),  # no username: matched by 姓名 + 工作单位信用代码
            row(username=enterprise_user.username, name="冒名者", employer_uscc=EMPLOYER_B),
        ]
    )
    report = import_experts(by=municipal_user, rows=parse_sheet(sheet, field_codes=field_codes_in_force()))
    assert [r.result for r in report.rows] == ["updated", "refused"]
    assert "非专家账户" in report.rows[1].reasons[0]
    # A new username for a person already in the pool (same 姓名 + 工作单位信用代码) is refused.
    sheet = xlsx([row(username="zj_other", name="王建国")])
    report = import_experts(by=municipal_user, rows=parse_sheet(sheet, field_codes=field_codes_in_force()))
    assert [r.result for r in report.rows] == ["refused"]
    assert "已有同名且工作单位信用代码相同" in report.rows[0].reasons[0]
    assert Expert.objects.count() == 1 and Expert.objects.get().title == "院士"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,kind\n\xe7\x8e\x8b,technical\n", "请上传 Excel 2007 及以上版本的 .xlsx 文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "旧版 Excel（.xls）"),
        (b"PK\x03\x04" + b"not really a zip" * 20, "请上传 Excel 2007 及以上版本的 .xlsx 文件"),
        (b"", "提交的是空文件"),
    ],
)
def test_a_non_xlsx_upload_gets_a_clear_message_and_creates_nothing(client, municipal_user, content, message):
    client.force_login(municipal_user)
    upload = io.BytesIO(content)
    upload.name = "experts.xlsx"
    response = client.post(reverse("experts_admin:import"), {"file": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["report"] is None
    assert not Expert.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(SheetError, match="不是有效的 .xlsx 工作簿"):
        parse_sheet(buffer.getvalue(), field_codes=["0101"])


def test_missing_headers_and_too_many_rows_refuse_the_whole_file():
    with pytest.raises(SheetError, match="表头缺少以下列：.*高级职称"):
        parse_sheet(xlsx([["王建国"]], headers=["姓名", "类别"]), field_codes=["0101"])
    with pytest.raises(SheetError, match="表格是空的"):
        parse_sheet(xlsx([], headers=[""]), field_codes=["0101"])
    many = [row(name=f"专家{i}") for i in range(MAX_ROWS + 1)]
    with pytest.raises(SheetError, match="一次最多导入 5,000 行"):
        parse_sheet(xlsx(many), field_codes=["0101", "02"])


# --- Export -------------------------------------------------------------------------------------------


def test_export_then_reimport_round_trip_changes_nothing(client, municipal_user):
    make_expert(municipal_user, name="陈专家", fields=["0101", "0203", "04"], relations=[REL_1, REL_2])
    make_expert(
        municipal_user,
        name="刘会计",
        kind=ExpertKind.FINANCIAL,
        title='=HYPERLINK("https://evil.example.com","注册会计师")',
        fields=[],
        relations=[],
        employer_uscc=EMPLOYER_B,
        email="",
        phone="",
    )
    inactive = make_expert(municipal_user, name="停用者", username="zj_old", relations=[])
    expert_deactivate(expert=inactive, by=municipal_user, reason="退休")
    client.force_login(municipal_user)  # (saves last_login: a User history record)
    before = [expert_as_data(e) for e in with_expert_details(Expert.objects.order_by("id"))]
    history_before = Expert.history.count(), ExpertRelation.history.count(), User.history.count()

    response = client.get(reverse("experts_admin:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    content = response.content

    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.max_row == 4
    # A value that looks like a formula is written as text, never as a formula.
    assert {c.data_type for r in sheet.iter_rows(min_row=2) for c in r if c.value is not None} <= {"s", "n"}

    upload = io.BytesIO(content)
    upload.name = "export.xlsx"
    response = client.post(reverse("experts_admin:import"), {"file": upload})
    report = response.context["report"]
    assert [r.result for r in report.rows] == ["unchanged"] * 3, [r.reasons for r in report.rows]
    after = [expert_as_data(e) for e in with_expert_details(Expert.objects.order_by("id"))]
    assert after == before
    assert (Expert.history.count(), ExpertRelation.history.count(), User.history.count()) == history_before
    # And a second export is the same sheet.
    assert _cells(export_experts(Expert.objects.all())) == _cells(content)


def _cells(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [[c.value for c in r] for r in sheet.iter_rows()]


def test_export_follows_the_filter_and_the_template_is_empty(client, municipal_user):
    make_expert(municipal_user, name="陈专家")
    make_expert(municipal_user, name="刘会计", kind=ExpertKind.FINANCIAL, fields=[], employer_uscc=EMPLOYER_B)
    client.force_login(municipal_user)
    names = [
        r[1] for r in _cells(client.get(reverse("experts_admin:export"), {"kind": "financial"}).content)[1:]
    ]
    assert names == ["刘会计"]
    template = _cells(client.get(reverse("experts_admin:export"), {"template": "1"}).content)
    assert template == [HEADERS]


# --- Create, edit, (de)activate -----------------------------------------------------------------------


def test_create_page_makes_an_expert_and_a_user_without_password(client, municipal_user):
    client.force_login(municipal_user)
    form = {
        "name": "吴新",
        "kind": "technical",
        "title": "正高级工程师",
        "field_codes": ["0101", "05"],
        "employer": "中国民航大学",
        "employer_uscc": EMPLOYER_A,
        "relation_usccs": f"{REL_1}\n\n{REL_2.lower()}\n",
        "yearly_cap": "18",
        "email": "wu@example.org",
        "phone": "",
    }
    response = client.post(reverse("experts_admin:create"), form)
    assert response.status_code == 302, response.context["form"].errors
    expert = Expert.objects.get(name="吴新")
    assert expert.user.username.startswith("zj") and expert.user.role == Role.EXPERT
    assert not expert.user.has_usable_password()
    assert sorted(expert.relations.values_list("uscc", flat=True)) == [REL_1, REL_2]
    assert sorted(f.code for f in expert.fields.all()) == ["0101", "05"]
    assert expert.history.earliest().history_user == municipal_user


def test_create_page_refuses_a_bad_relation_and_saves_nothing(client, municipal_user):
    client.force_login(municipal_user)
    form = {
        "name": "吴新",
        "kind": "technical",
        "title": "教授",
        "field_codes": ["0101"],
        "employer": "中国民航大学",
        "employer_uscc": EMPLOYER_A,
        "relation_usccs": bad_check(REL_1),
        "yearly_cap": "18",
    }
    response = client.post(reverse("experts_admin:create"), form)
    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()
    assert not Expert.objects.exists()
    assert not User.objects.filter(role=Role.EXPERT).exists()


def test_edit_records_history_with_the_acting_user(client, municipal_user):
    expert = make_expert(municipal_user)
    other_office = User.objects.create(username="office2", role=Role.MUNICIPAL)
    client.force_login(other_office)
    url = reverse("experts_admin:edit", args=[expert.pk])
    page = client.get(url)
    assert page.status_code == 200 and "陈专家" in page.content.decode()
    form = {
        "name": "陈专家",
        "kind": "technical",
        "title": "院士",
        "field_codes": ["0102", "03"],
        "employer": "南开大学",
        "employer_uscc": EMPLOYER_A,
        "relation_usccs": REL_2,
        "yearly_cap": "25",
        "email": "chen@example.org",
        "phone": "13900000000",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.context["form"].errors
    expert.refresh_from_db()
    assert expert.title == "院士" and expert.yearly_cap == 25
    assert sorted(f.code for f in expert.fields.all()) == ["0102", "03"]
    assert list(expert.relations.values_list("uscc", flat=True)) == [REL_2]  # the form replaces relations
    latest = expert.history.latest()
    assert latest.history_user == other_office
    assert sorted(f.field.code for f in latest.fields.all()) == ["0102", "03"]  # m2m kept in the same record
    assert ExpertRelation.history.filter(uscc=REL_1, history_type="-").get().history_user == other_office


def test_edit_with_nothing_changed_writes_no_history(municipal_user):
    expert = make_expert(municipal_user)
    count = expert.history.count()
    _expert, changed = expert_update(expert=expert, by=municipal_user, data=expert_as_data(expert))
    assert not changed and expert.history.count() == count


def test_deactivate_and_activate_through_a_confirmation_page(client, municipal_user):
    expert = make_expert(municipal_user)
    client.force_login(municipal_user)
    url = reverse("experts_admin:toggle_active", args=[expert.pk])
    page = client.get(url)
    assert page.status_code == 200 and "确认停用" in page.content.decode()
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    expert.refresh_from_db()
    assert expert.active
    assert client.post(url, {"reason": "本年度赴外地工作"}).status_code == 302
    expert.refresh_from_db()
    assert not expert.active
    latest = expert.history.latest()
    assert latest.history_user == municipal_user and "本年度赴外地工作" in latest.history_change_reason
    assert "确认启用" in client.get(url).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 302
    expert.refresh_from_db()
    assert expert.active and expert.history.latest().history_user == municipal_user


# --- The list -----------------------------------------------------------------------------------------


def _many_experts(n: int) -> None:
    fields = [field("0101"), field("02"), field("0301")]
    start = Expert.objects.count()
    for i in range(start, start + n):
        # A user without a password hash: hashing 30 passwords would dominate the test's time.
        user = User.objects.create(username=f"bulk_expert_{i}", role=Role.EXPERT)
        expert = ExpertFactory(
            user=user,
            name=f"专家{i:03d}",
            kind=ExpertKind.FINANCIAL if i % 5 == 0 else ExpertKind.TECHNICAL,
            active=i % 7 != 0,
        )
        if expert.kind == ExpertKind.TECHNICAL:
            expert.fields.add(fields[i % 3])
        ExpertRelation.objects.create(expert=expert, uscc=make_uscc(f"91120116MA{i:07d}"))


def test_list_query_count_is_pinned_and_does_not_grow(client, municipal_user, django_assert_max_num_queries):
    client.force_login(municipal_user)
    url = reverse("experts_admin:list")
    _many_experts(3)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    _many_experts(30)
    with django_assert_max_num_queries(12) as many:
        response = client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(response.context["page"].object_list) == 25


def test_list_search_filters_and_pagination(client, municipal_user):
    _many_experts(30)
    special = make_expert(municipal_user, name="欧阳锋", employer="白驼山研究院", employer_uscc=EMPLOYER_B)
    client.force_login(municipal_user)
    url = reverse("experts_admin:list")

    def names(**params) -> list[str]:
        response = client.get(url, params)
        assert response.status_code == 200
        return [e.name for e in response.context["page"].object_list]

    assert names(q="欧阳") == ["欧阳锋"]
    assert names(q="白驼山") == ["欧阳锋"]
    assert names(q=EMPLOYER_B[8:].lower()) == ["欧阳锋"]
    assert all(Expert.objects.get(name=n).kind == "financial" for n in names(kind="financial"))
    assert len(names(kind="financial")) == 6
    inactive = names(active="0")
    assert len(inactive) == 5 and "欧阳锋" not in inactive
    # Field 01 (top level) finds experts on 0101; 03 finds 0301; 02 finds experts on 02 itself.
    assert set(names(field="01")) == {"欧阳锋"} | {
        n for n in Expert.objects.filter(fields__code="0101").values_list("name", flat=True)
    }
    assert special.fields.filter(code="0101").exists()
    assert len(names(field="03")) == Expert.objects.filter(fields__code="0301").count() > 0
    page_two = client.get(url, {"page": 2})
    assert len(page_two.context["page"].object_list) == 6
    assert page_two.context["page"].paginator.count == 31
    html = client.get(url).content.decode()
    assert "共 31 名" in html


# --- Who may open what --------------------------------------------------------------------------------

PEOPLE = [
    "enterprise_user",
    "official",
    "other_official",
    "expert_user",
    "other_expert_user",
    "municipal_user",
]


def _admin_urls(expert: Expert) -> list[str]:
    return [
        reverse("experts_admin:list"),
        reverse("experts_admin:create"),
        reverse("experts_admin:edit", args=[expert.pk]),
        reverse("experts_admin:toggle_active", args=[expert.pk]),
        reverse("experts_admin:import"),
        reverse("experts_admin:export"),
    ]


@pytest.mark.parametrize("person", [*PEOPLE, "anonymous"])
def test_admin_pages_are_for_the_municipal_office_only(client, request, person, municipal_user):
    user = request.getfixturevalue(person)
    target = ExpertFactory()
    if user is not None:
        client.force_login(user)
    for url in _admin_urls(target):
        response = client.get(url)
        if person == "municipal_user":
            assert response.status_code == 200, url
        elif user is None:
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("accounts:login")), url
        else:
            assert response.status_code == 403, url
        # Writes are refused the same way, and change nothing.
        if person != "municipal_user":
            assert client.post(url, {"reason": "x"}).status_code in (302, 403)
    target.refresh_from_db()
    assert target.active


API_LIST = "/api/v1/experts/"


@pytest.mark.parametrize("person", [*PEOPLE, "anonymous"])
def test_pool_api_is_for_the_municipal_office_only(client, request, person):
    user = request.getfixturevalue(person)
    target = ExpertFactory()
    target.fields.add(field("0101"))
    api(client, user)
    detail = f"{API_LIST}{target.pk}/"
    responses = [
        client.get(API_LIST),
        client.get(detail),
        client.patch(detail, {"title": "院士"}, content_type="application/json"),
    ]
    expected = 200 if person == "municipal_user" else 401 if user is None else 403
    assert [r.status_code for r in responses] == [expected] * 3
    target.refresh_from_db()
    assert (target.title == "院士") == (person == "municipal_user")


def test_pool_api_list_filters_and_pagination(client, municipal_user, django_assert_max_num_queries):
    _many_experts(30)
    api(client, municipal_user)
    with django_assert_max_num_queries(8):
        body = client.get(API_LIST).json()
    assert body["count"] == 30 and len(body["results"]) == 20 and body["next"]
    item = body["results"][0]
    assert set(item) >= {"id", "username", "name", "kind", "fields", "employer_uscc", "relations", "active"}
    assert item["relations"][0]["uscc"]
    assert client.get(API_LIST, {"kind": "financial"}).json()["count"] == 6
    assert client.get(API_LIST, {"active": "false"}).json()["count"] == 5
    covering = client.get(API_LIST, {"field": "0102"}).json()["count"]
    assert covering == 0  # experts are on 0101, 02 and 0301 only
    assert (
        client.get(API_LIST, {"field": "0201"}).json()["count"]
        == Expert.objects.filter(fields__code="02").count()
    )
    assert client.get(API_LIST, {"q": "专家001"}).json()["count"] == 1
    bad = client.get(API_LIST, {"kind": "manager", "field": "9999", "active": "maybe"})
    assert bad.status_code == 400
    assert set(bad.json()) == {"kind", "field", "active"}
    assert "不在现行技术领域目录" in bad.json()["field"][0]


def test_pool_api_patch_validates_and_records_history(client, municipal_user):
    expert = make_expert(municipal_user)
    api(client, municipal_user)
    url = f"{API_LIST}{expert.pk}/"
    assert client.get(f"{API_LIST}999999/").status_code == 404

    bad = client.patch(
        url,
        {"employer_uscc": bad_check(EMPLOYER_A), "fields": ["9999"], "yearly_cap": 0},
        content_type="application/json",
    )
    assert bad.status_code == 400
    errors = bad.json()
    assert "校验位错误" in errors["employer_uscc"][0]
    assert "9999" in errors["fields"][0]
    assert "年度评审上限" in errors["yearly_cap"][0]
    assert client.patch(url, "not json", content_type="application/json").status_code == 400
    assert client.patch(url, ["a"], content_type="application/json").status_code == 400

    ok = client.patch(url, {"title": "院士", "relations": [REL_2]}, content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["title"] == "院士"
    assert [r["uscc"] for r in ok.json()["relations"]] == [REL_2]
    expert.refresh_from_db()
    assert expert.history.latest().history_user == municipal_user

    no_reason = client.patch(url, {"active": False, "title": "不应保存"}, content_type="application/json")
    assert no_reason.status_code == 400 and "停用原因" in no_reason.json()["reason"][0]
    expert.refresh_from_db()
    assert expert.active and expert.title == "院士"  # nothing of the refused request was kept
    off = client.patch(url, {"active": False, "reason": "身体原因"}, content_type="application/json")
    assert off.status_code == 200 and off.json()["active"] is False
    assert "身体原因" in Expert.objects.get(pk=expert.pk).history.latest().history_change_reason
