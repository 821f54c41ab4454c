import pytest

from accounts.tokens import issue as issue_token
from certification.models import Application, ApplicationStatus, ApplicationTransition, Document, DocumentKind
from tests.factories import ApplicationFactory, EnterpriseFactory, UserFactory, pledged

pytestmark = pytest.mark.django_db

BODY = {
    "field_code": "0101",
    "staff": {"total": 100, "tech_college": 30, "rd": 10},
    "fiscal_years": [
        {
            "year": 2024,
            "sales_revenue": "20000000",
            "total_revenue": "21000000",
            "hightech_revenue": "15000000",
            "rd_expense": "1200000",
            "rd_expense_domestic": "1100000",
            "total_assets": "30000000",
        },
        {
            "year": 2025,
            "sales_revenue": "24000000",
            "total_revenue": "25000000",
            "hightech_revenue": "18000000",
            "rd_expense": "1500000",
            "rd_expense_domestic": "1400000",
            "total_assets": "36000000",
        },
    ],
    "ip": [
        {
            "kind": "invention_patent",
            "acquired_on": "2025-05-01",
            "acquisition": "self_developed",
            "licence_years": None,
            "title": "一种数据压缩方法",
            "number": "ZL202510000001.1",
        }
    ],
    "conversions": [{"year": 2025, "title": "智能网关量产"}],
    "rd_management": ["project_approval", "rd_accounting", "rd_institution"],
}


def api(client, user):
    token = issue_token(user)  # a fresh one once the clock has moved past its lifetime
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def create(client, user, body=BODY):
    return api(client, user).post("/api/v1/applications/", body, content_type="application/json")


def test_create_as_api_md_says(client, enterprise_user, time_machine):
    time_machine.move_to("2026-11-27 10:00 +08:00")
    response = create(client, enterprise_user)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "draft" and isinstance(data["id"], int)
    app = Application.objects.get(pk=data["id"])
    assert app.year == 2026 and app.enterprise == enterprise_user.enterprise
    assert app.field.code == "0101" and app.staff_rd == 10
    assert [fy.year for fy in app.fiscal_years.all()] == [2024, 2025]
    assert app.ip_items.get().title == "一种数据压缩方法"
    assert app.rd_management == ["project_approval", "rd_accounting", "rd_institution"]
    assert ApplicationTransition.objects.get(application=app).to_status == "draft"


def test_second_application_same_year_is_409(client, enterprise_user):
    assert create(client, enterprise_user).status_code == 201
    response = create(client, enterprise_user)
    assert response.status_code == 409
    assert response.json()["status"] == "draft"


@pytest.mark.parametrize(
    ("patch", "key"),
    [
        ({"staff": {"total": 10, "tech_college": 5, "rd": 11}}, "staff.rd"),
        ({"field_code": "9999"}, "field_code"),
        ({"rd_management": ["nonsense"]}, "rd_management"),
        (
            {"fiscal_years": [{**BODY["fiscal_years"][0], "sales_revenue": "-1"}]},
            "fiscal_years[0].sales_revenue",
        ),
        ({"fiscal_years": [BODY["fiscal_years"][0], BODY["fiscal_years"][0]]}, "fiscal_years"),
        (
            {
                "ip": [
                    {
                        "kind": "invention_patent",
                        "acquired_on": "2025-01-01",
                        "acquisition": "exclusive_license",
                    }
                ]
            },
            "ip[0].licence_years",
        ),
        ({"unknown": 1}, "unknown"),
        ({"audit": {"firm": "某会计师事务所", "firm_uscc": "91110000802100433C"}}, "audit.firm_uscc"),
    ],
)
def test_bad_input_is_400_and_changes_nothing(client, enterprise_user, patch, key):
    app_id = create(client, enterprise_user).json()["id"]
    before = client.get(f"/api/v1/applications/{app_id}/").json()
    response = client.patch(f"/api/v1/applications/{app_id}/", patch, content_type="application/json")
    assert response.status_code == 400
    assert key in response.json()
    after = client.get(f"/api/v1/applications/{app_id}/").json()
    before.pop("updated_at"), after.pop("updated_at")
    assert before == after


def test_patch_changes_only_sent_sections(client, enterprise_user):
    app_id = create(client, enterprise_user).json()["id"]
    response = client.patch(
        f"/api/v1/applications/{app_id}/",
        {"staff": {"total": 200, "tech_college": 60, "rd": 20}},
        content_type="application/json",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["staff"] == {"total": 200, "tech_college": 60, "rd": 20}
    assert len(data["fiscal_years"]) == 2 and data["field_code"] == "0101"


def test_non_json_body_is_400(client, enterprise_user):
    response = api(client, enterprise_user).post(
        "/api/v1/applications/", "{oops", content_type="application/json"
    )
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_only_enterprises_create(client, official):
    assert create(client, official).status_code == 403


def test_eligibility_on_saved_data(client, enterprise_user):
    app_id = create(client, enterprise_user).json()["id"]
    data = client.get(f"/api/v1/applications/{app_id}/eligibility/").json()
    codes = [c["code"] for c in data["conditions"]]
    assert codes == [
        "registration",
        "core_ip",
        "field",
        "tech_staff_ratio",
        "rd_staff_ratio",
        "rd_expense_ratio",
        "domestic_rd_ratio",
        "hightech_revenue_ratio",
        "composite_score",
    ]
    by_code = {c["code"]: c for c in data["conditions"]}
    assert by_code["tech_staff_ratio"]["passed"] is True
    assert by_code["rd_expense_ratio"]["passed"] is True  # 2.7M / 44M = 6.1% ≥ 5%
    assert by_code["composite_score"]["passed"] is None


def _complete(app, user):
    from django.core.files.base import ContentFile

    for kind in DocumentKind:
        if kind == DocumentKind.OTHER:
            continue
        Document.objects.create(
            application=app,
            kind=kind,
            file=ContentFile(b"%PDF-1.4\n%%EOF", name="x.pdf"),
            original_name="x.pdf",
            size=14,
            sha256="0" * 64,
            uploaded_by=user,
        )


def test_submit_lists_what_is_missing_then_submits(client, enterprise_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    app_id = create(client, enterprise_user).json()["id"]
    response = client.post(f"/api/v1/applications/{app_id}/submit/", {}, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()
    assert any("专项审计报告" in m for m in errors["missing_data"])
    assert len(errors["missing_documents"]) == 8
    client.patch(
        f"/api/v1/applications/{app_id}/",
        {
            "audit": {
                "firm": "天津某会计师事务所",
                "firm_uscc": "",
                "report_number": "津审字〔2026〕001号",
                "report_date": "2026-03-01",
            },
            "products": [{"name": "智能网关", "technology": "边缘计算", "revenue": "18000000"}],
        },
        content_type="application/json",
    )
    _complete(Application.objects.get(pk=app_id), enterprise_user)
    response = client.post(f"/api/v1/applications/{app_id}/submit/", {}, content_type="application/json")
    # core IP passes, but the composite score estimate is null: nothing failing, so it submits.
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "submitted"
    # Read-only from now on.
    response = client.patch(
        f"/api/v1/applications/{app_id}/",
        {"staff": {"total": 1, "tech_college": 1, "rd": 1}},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["status"] == "submitted"
    assert (
        client.post(f"/api/v1/applications/{app_id}/submit/", {}, content_type="application/json").status_code
        == 409
    )


def test_failing_conditions_need_acknowledgement(client, enterprise_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    body = {**BODY, "staff": {"total": 100, "tech_college": 10, "rd": 2}}
    app_id = create(client, enterprise_user, body).json()["id"]
    client.patch(
        f"/api/v1/applications/{app_id}/",
        {
            "audit": {"firm": "所", "report_number": "1", "report_date": "2026-03-01"},
            "products": [{"name": "网关", "revenue": "1"}],
        },
        content_type="application/json",
    )
    _complete(Application.objects.get(pk=app_id), enterprise_user)
    response = client.post(f"/api/v1/applications/{app_id}/submit/", {}, content_type="application/json")
    assert response.status_code == 400
    assert any("第九条（三）" in m for m in response.json()["failing_conditions"])
    response = client.post(
        f"/api/v1/applications/{app_id}/submit/",
        {"acknowledge_failures": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    transition = ApplicationTransition.objects.filter(application_id=app_id).last()
    assert transition.to_status == "submitted" and "tech_staff_ratio" in transition.data["failing_conditions"]


PEOPLE_404 = ["other_enterprise_user", "other_official", "expert_user"]


@pytest.mark.parametrize("person", PEOPLE_404)
def test_others_get_404(client, request, enterprise_user, person):
    app = ApplicationFactory(enterprise=enterprise_user.enterprise, status=ApplicationStatus.SUBMITTED)
    other = pledged(request.getfixturevalue(person))
    api(client, other)
    for url in (f"/api/v1/applications/{app.pk}/", f"/api/v1/applications/{app.pk}/eligibility/"):
        assert client.get(url).status_code == 404
    assert (
        client.patch(f"/api/v1/applications/{app.pk}/", {}, content_type="application/json").status_code
        == 404
    )
    assert client.post(f"/api/v1/applications/{app.pk}/submit/").status_code == 404
    assert client.get("/api/v1/applications/").json()["count"] == 0


def test_anonymous_401(client, enterprise_user):
    app = ApplicationFactory(enterprise=enterprise_user.enterprise)
    assert client.get(f"/api/v1/applications/{app.pk}/").status_code == 401
    assert client.get("/api/v1/applications/").status_code == 401


def test_district_sees_submitted_not_drafts(client, official, enterprise_user):
    draft = ApplicationFactory(enterprise=enterprise_user.enterprise, year=2025)
    submitted = ApplicationFactory(enterprise=enterprise_user.enterprise, submitted=True)
    api(client, official)
    assert client.get(f"/api/v1/applications/{draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/applications/{submitted.pk}/").status_code == 200
    # The official may read but not write.
    assert (
        client.patch(f"/api/v1/applications/{submitted.pk}/", {}, content_type="application/json").status_code
        == 403
    )


def test_list_query_count_is_constant(client, municipal_user, django_assert_max_num_queries):
    for _ in range(15):
        ApplicationFactory(enterprise=EnterpriseFactory(), submitted=True)
    api(client, municipal_user)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/applications/")
    assert response.json()["count"] == 15


def test_detail_query_count_is_constant(client, enterprise_user, django_assert_max_num_queries):
    app_id = create(client, enterprise_user).json()["id"]
    with django_assert_max_num_queries(14):
        assert client.get(f"/api/v1/applications/{app_id}/").status_code == 200


def test_other_enterprise_user_same_company_can_edit(client, enterprise_user):
    colleague = UserFactory(role="enterprise", enterprise=enterprise_user.enterprise)
    app_id = create(client, enterprise_user).json()["id"]
    client.defaults.pop("HTTP_AUTHORIZATION")
    response = api(client, colleague).patch(
        f"/api/v1/applications/{app_id}/", {"rd_management": []}, content_type="application/json"
    )
    assert response.status_code == 200
