"""Input that used to reach a 500 is a 400 that names the problem, echoes nothing and changes nothing:
lone surrogates and control characters in any JSON string (the public eligibility API too), bodies
nested thousands deep, a publicity start in year 9999, a notice title over its column's length, and
a SECRET_KEY too short for production."""

from __future__ import annotations

import datetime as dt

import pytest

from certification.models import Application, ApplicationStatus, PublicityNotice
from tests.certification.test_applications_api import api, create
from tests.factories import ApplicationFactory, EnterpriseFactory, district
from tests.test_settings import run_django

pytestmark = pytest.mark.django_db
BJ = dt.timezone(dt.timedelta(hours=8))

# Raw JSON text: the escapes reach Python's json decoder as written.
BAD_STRINGS = {
    "lone surrogate": '"\\udfff"',
    "NUL": '"a\\u0000b"',
    "bell": '"a\\u0007b"',
    "C1 control": '"a\\u0085b"',
}


@pytest.mark.parametrize("raw", BAD_STRINGS.values(), ids=BAD_STRINGS.keys())
def test_a_bad_string_in_a_patch_is_400_and_changes_nothing(client, enterprise_user, raw):
    app_id = create(client, enterprise_user).json()["id"]
    before = Application.objects.values().get(pk=app_id)
    body = '{"conversions": [{"year": 2025, "title": ' + raw + "}]}"
    response = client.patch(f"/api/v1/applications/{app_id}/", body, content_type="application/json")
    assert response.status_code == 400
    text = response.content.decode()
    assert "控制字符" in text or "代理码位" in text, text  # the problem is named …
    assert "udfff" not in text and "\\u0000" not in text  # … and the input not echoed
    assert Application.objects.values().get(pk=app_id) == before


@pytest.mark.parametrize("raw", BAD_STRINGS.values(), ids=BAD_STRINGS.keys())
def test_a_bad_string_in_a_key_is_400(client, enterprise_user, raw):
    app_id = create(client, enterprise_user).json()["id"]
    body = "{" + raw + ': "x"}'
    response = client.patch(f"/api/v1/applications/{app_id}/", body, content_type="application/json")
    assert response.status_code == 400


def test_the_public_eligibility_api_refuses_a_surrogate_without_echoing_it(client):
    response = client.post(
        "/api/v1/eligibility/check/", '{"rule_set": "\\udfff"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "\\udfff" not in response.content.decode() and "udfff" not in response.content.decode()


def test_json_nested_5000_deep_is_400(client, enterprise_user):
    app_id = create(client, enterprise_user).json()["id"]
    body = '{"ip": ' + "[" * 5000 + "]" * 5000 + "}"
    response = client.patch(f"/api/v1/applications/{app_id}/", body, content_type="application/json")
    assert response.status_code == 400
    response = client.post(
        "/api/v1/eligibility/check/", "[" * 5000 + "]" * 5000, content_type="application/json"
    )
    assert response.status_code == 400


def test_tab_and_newlines_stay_allowed(client, enterprise_user):
    app_id = create(client, enterprise_user).json()["id"]
    response = client.patch(
        f"/api/v1/applications/{app_id}/",
        '{"conversions": [{"year": 2025, "title": "第一行\\n第二行\\t附注"}]}',
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()


@pytest.fixture
def recommended(time_machine):
    time_machine.move_to(dt.datetime(2026, 9, 28, 9, 0, tzinfo=BJ))
    binhai = district("120116")
    return [
        ApplicationFactory(
            enterprise=EnterpriseFactory(name=f"拟推荐企业{i}", district=binhai),
            status=ApplicationStatus.RECOMMENDED,
        )
        for i in range(2)
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "9999-12-31"}, "start"),
        ({"start": "2028-01-01"}, "start"),
        ({"start": "2026-09-28", "title": "公" * 201}, "title"),
    ],
)
def test_publicity_bounds_are_400_and_write_nothing(client, official, recommended, body, field):
    response = api(client, official).post(
        "/api/v1/publicity/",
        {"applications": [a.pk for a in recommended], **body},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not PublicityNotice.objects.exists()
    assert set(Application.objects.values_list("status", flat=True)) == {ApplicationStatus.RECOMMENDED}


def test_a_short_secret_key_stops_start_up_without_debug():
    result = run_django({"DEBUG": "false", "SECRET_KEY": "x" * 49, "ALLOWED_HOSTS": "example.org"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is too short" in result.stderr


# --- Browser forms and query strings (config.middleware.FormTextMiddleware) -----------------------

FORM_BAD = {"bell": "a\x07b", "vertical tab": "a\x0bb", "C1 control": "a\x85b", "NUL": "a\x00b"}


@pytest.mark.parametrize("text", FORM_BAD.values(), ids=FORM_BAD.keys())
def test_a_control_character_in_a_browser_form_is_400_and_saves_nothing(client, enterprise_user, text):
    from django.urls import reverse

    app = ApplicationFactory(enterprise=enterprise_user.enterprise)
    before = Application.objects.values().get(pk=app.pk)
    client.force_login(enterprise_user)
    url = reverse("certification:application_step", args=[app.pk, "facts"])
    response = client.post(
        url, {"facts.legal_representative": "张三", "facts.main_products": text, "field_code": "0101"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "控制字符" in body and "没有保存任何内容" in body
    assert text not in body
    assert Application.objects.values().get(pk=app.pk) == before
    # The autosave answers in its own JSON shape, and also saves nothing.
    autosave = client.post(url, {"facts.main_products": text}, HTTP_X_AUTOSAVE="1")
    assert autosave.status_code == 400 and autosave.json()["saved"] is False
    assert Application.objects.values().get(pk=app.pk) == before


def test_tab_and_line_breaks_in_a_browser_form_are_kept(client, enterprise_user):
    from django.urls import reverse

    app = ApplicationFactory(enterprise=enterprise_user.enterprise)
    client.force_login(enterprise_user)
    url = reverse("certification:application_step", args=[app.pk, "facts"])
    response = client.post(url, {"facts.main_products": "第一行\r\n第二行\t续", "field_code": "0101"})
    assert response.status_code in (200, 302)
    app.refresh_from_db()
    assert app.main_products == "第一行\r\n第二行\t续" or app.main_products == "第一行\n第二行\t续"


@pytest.mark.parametrize("path", ["/municipal/history/", "/publicity/", "/api/v1/publicity/"])
def test_a_control_character_in_a_query_string_is_400(client, municipal_user, path):
    client.force_login(municipal_user)
    response = client.get(path, {"q": "a\x00b"})
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


# --- Every text input has its maximum length -------------------------------------------------------

PROJECT_APPS = (
    "accounts",
    "certification",
    "districts",
    "experts",
    "audits",
    "notifications",
    "workdays",
    "core",
    "demo",
)
UNBOUNDED_FORMATS = {"binary", "date", "date-time", "decimal", "uri", "email", "uuid"}


def test_every_text_field_of_the_models_has_a_max_length():
    """A TextField's max_length reaches the ModelForms and ModelSerializers built on it (and the pages'
    maxlength); CharFields must have one anyway."""
    from django.apps import apps
    from django.db import models

    unbounded = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField) and field.max_length is None
    ]
    assert not unbounded


def _request_strings(schema):  # type: ignore[no-untyped-def]
    """(where, schema) of every writable string property in every request body of the API schema."""
    components = schema["components"]["schemas"]

    def walk(node, path, seen):  # type: ignore[no-untyped-def]
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name in seen:
                return
            seen, path, node = seen | {name}, name, components[name]
        for key in ("allOf", "oneOf", "anyOf"):
            for sub in node.get(key, []):
                yield from walk(sub, path, seen)
        if node.get("type") == "string" and not node.get("readOnly"):
            yield path, node
        for key, sub in node.get("properties", {}).items():
            if not sub.get("readOnly"):
                yield from walk(sub, f"{path}.{key}", seen)
        if "items" in node:
            yield from walk(node["items"], f"{path}[]", seen)
        if isinstance(node.get("additionalProperties"), dict):
            yield from walk(node["additionalProperties"], f"{path}{{}}", seen)

    for route, item in schema["paths"].items():
        for method, operation in item.items():
            for body in (operation.get("requestBody") or {}).get("content", {}).values():
                yield from walk(body["schema"], f"{method.upper()} {route}", frozenset())


def test_every_text_input_of_the_api_has_a_max_length():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    strings = list(_request_strings(schema))
    assert len(strings) > 50  # the walk reaches the bodies
    unbounded = sorted(
        {
            where
            for where, node in strings
            if "maxLength" not in node
            and not node.get("enum")
            and node.get("format") not in UNBOUNDED_FORMATS
        }
    )
    assert not unbounded


def test_every_text_input_of_the_browser_forms_has_a_max_length():
    import importlib
    import pkgutil

    from django import forms

    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)

    def subclasses(cls):  # type: ignore[no-untyped-def]
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    checked, unbounded = 0, []
    for form in set(subclasses(forms.BaseForm)):
        if form.__module__.split(".")[0] not in PROJECT_APPS or not hasattr(form, "base_fields"):
            continue
        for name, field in form.base_fields.items():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                checked += 1
                if field.max_length is None:
                    unbounded.append(f"{form.__module__}.{form.__name__}.{name}")
    assert checked > 40
    assert not sorted(unbounded)
