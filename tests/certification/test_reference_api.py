import pytest

pytestmark = pytest.mark.django_db


def test_districts(client):
    response = client.get("/api/v1/reference/districts/")
    assert response.status_code == 200
    data = response.json()
    assert len(data) == 16
    assert data[0] == {"code": "120101", "name": "和平区"}
    assert {"code": "120116", "name": "滨海新区"} in data
    assert [d["code"] for d in data] == sorted(d["code"] for d in data)


def test_fields_are_the_2016_catalogue(client):
    data = client.get("/api/v1/reference/fields/").json()
    tops = [f for f in data if f["parent"] is None]
    assert [f["name"] for f in tops] == [
        "电子信息",
        "生物与新医药",
        "航空航天",
        "新材料",
        "高技术服务",
        "新能源与节能",
        "资源与环境",
        "先进制造与自动化",
    ]
    assert len(data) == 8 + 8 + 7 + 2 + 6 + 8 + 4 + 8 + 9
    software = next(f for f in data if f["name"] == "软件")
    assert software["parent"] == tops[0]["code"]
    assert set(software) == {"code", "name", "parent"}


def test_2008_catalogue_is_kept_as_a_version():
    from certification.models import Catalogue

    c2008 = Catalogue.objects.get(version="2008")
    assert not c2008.in_force
    assert c2008.fields.get(code="08").name == "高新技术改造传统产业"
    assert c2008.fields.count() == 8


def test_document_kinds(client):
    data = client.get("/api/v1/reference/document-kinds/").json()
    assert [d["code"] for d in data] == [
        "application_form",
        "qualification",
        "audit_report",
        "ip_proof",
        "conversion_proof",
        "rd_management_proof",
        "growth_statement",
        "staff_structure",
        "other",
    ]
    assert [d["required"] for d in data] == [True] * 8 + [False]
    assert all(d["name"] for d in data)


def test_rule_sets_loaded_as_data():
    from certification.models import RuleSet

    assert set(RuleSet.objects.values_list("code", flat=True)) == {"tianjin-2015", "national-2016"}
    assert RuleSet.objects.get(is_default=True).code == "tianjin-2015"
    assert RuleSet.objects.get(code="tianjin-2015").data["code"] == "tianjin-2015"


def test_schema_and_docs(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/auth/register/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # Swagger UI comes from the portal's own static files, never a CDN.
    assert b"cdn." not in docs.content and b"/static/drf_spectacular_sidecar/" in docs.content


def test_api_requires_authentication_elsewhere(client):
    assert client.get("/api/v1/auth/me/").status_code == 401
