"""One error path: domain errors become the same HTTP answers everywhere, no view catching them by hand.

- The API's handler (certification/api/exceptions.py): InvalidInput → 400 with its dict,
  ApplicationStateError → 409 ``{"detail", "status"}``, DomainPermissionDenied → 403 ``{"detail"}``;
  anything else is DRF's.
- A service's DomainPermissionDenied reaching a real view: the 403 page in the browser (with the
  service's message), a 403 JSON in the API.
- The browser helpers (core/web.py) put the errors where the views used to.
- No view module catches a domain error (or a permission refusal) by hand.
"""

from __future__ import annotations

import ast
from pathlib import Path
from unittest import mock

import pytest
from django import forms
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from rest_framework import exceptions

from accounts.tokens import issue as issue_token
from certification.api.exceptions import exception_handler
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from core.web import domain_errors, flash_errors, form_errors
from tests.factories import ApplicationFactory

REFUSAL = "您不是该区县的工作小组成员，无权办理此事项。"


# --- The API's handler ---------------------------------------------------------------------------


def test_invalid_input_is_a_400_with_the_errors_dict():
    errors = {"year": ["请填写年度。"], "products[0].name": ["请填写名称。", "太长。"]}
    response = exception_handler(InvalidInput(errors), {})
    assert response.status_code == 400
    assert response.data == errors


def test_state_error_is_a_409_with_detail_and_status():
    response = exception_handler(ApplicationStateError("该申请已提交。", status="submitted"), {})
    assert response.status_code == 409
    assert response.data == {"detail": "该申请已提交。", "status": "submitted"}


def test_domain_permission_denied_is_a_403_with_the_services_message():
    response = exception_handler(DomainPermissionDenied(REFUSAL), {})
    assert response.status_code == 403
    assert response.data == {"detail": REFUSAL}


def test_domain_permission_denied_is_djangos_permission_denied():
    # So the browser's handler403 and DRF's handler both know it without being told.
    assert issubclass(DomainPermissionDenied, PermissionDenied)


def test_a_database_data_error_is_a_400_not_a_500():
    from django.db import DataError

    response = exception_handler(DataError("value too long for type character varying(200)"), {})
    assert response.status_code == 400
    assert "未保存任何内容" in response.data["detail"]
    assert "varying" not in str(response.data)  # the database's wording stays in the log


def test_other_exceptions_are_left_to_drf():
    assert exception_handler(exceptions.NotFound(), {}).status_code == 404
    plain = exception_handler(PermissionDenied(), {})
    assert plain.status_code == 403 and "detail" in plain.data
    assert exception_handler(ValueError("a bug"), {}) is None  # a 500, as before


# --- A service refusing the caller, through real views -------------------------------------------


@pytest.fixture
def draft(enterprise_user):
    return ApplicationFactory(enterprise=enterprise_user.enterprise)


def test_service_refusal_is_the_403_page_in_the_browser(client, enterprise_user, draft):
    client.force_login(enterprise_user)
    with mock.patch(
        "certification.applications.services.application_submit", side_effect=DomainPermissionDenied(REFUSAL)
    ) as submit:
        response = client.post(reverse("certification:application_submit", args=[draft.pk]))
    assert submit.called
    assert response.status_code == 403
    assert "errors/403.html" in [t.name for t in response.templates]
    assert REFUSAL in response.content.decode()


def test_service_refusal_is_a_403_json_in_the_api(client, enterprise_user, draft):
    token = issue_token(enterprise_user)
    with mock.patch(
        "certification.applications.services.application_submit", side_effect=DomainPermissionDenied(REFUSAL)
    ) as submit:
        response = client.post(
            f"/api/v1/applications/{draft.pk}/submit/",
            {},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token.key}",
        )
    assert submit.called
    assert response.status_code == 403
    assert response.json() == {"detail": REFUSAL}


def test_plain_403_page_keeps_its_generic_text(client, enterprise_user):
    # A role refused by a decorator (no service message): the page says what it always said.
    client.force_login(enterprise_user)
    response = client.get(reverse("audits:calendar"))
    assert response.status_code == 403
    assert "您的账户角色无权打开此页面。" in response.content.decode()


# --- The browser's helpers -------------------------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField()


def bound_form() -> NoteForm:
    form = NoteForm({"note": "x"})
    assert form.is_valid()
    return form


def test_form_errors_puts_invalid_input_on_the_fields():
    form = bound_form()
    with form_errors(form) as failed:
        raise InvalidInput({"note": ["太短。"], "other": ["整体有误。"]})
    assert failed.status == 400
    assert form.errors == {"note": ["太短。"], "__all__": ["整体有误。"]}


def test_form_errors_puts_a_conflict_in_the_non_field_errors():
    form = bound_form()
    with form_errors(form) as failed:
        raise ApplicationStateError("已处理。", status="done")
    assert failed.status == 409
    assert form.non_field_errors() == ["已处理。"]


def test_domain_errors_keeps_the_objects_status_of_a_conflict():
    with domain_errors() as failed:
        raise ApplicationStateError("已处理。", status="done")
    assert (failed.status, failed.message, failed.state) == (409, "已处理。", "done")


def test_form_errors_lets_success_through():
    form = bound_form()
    with form_errors(form) as failed:
        pass
    assert not failed and form.errors == {}


def test_form_errors_does_not_swallow_a_permission_refusal():
    with pytest.raises(DomainPermissionDenied), form_errors(bound_form()):
        raise DomainPermissionDenied(REFUSAL)


def test_flash_errors_makes_every_problem_a_message(rf: RequestFactory):
    request = rf.post("/")
    with mock.patch("core.web.messages.error") as error:
        with flash_errors(request) as failed:
            raise InvalidInput({"a": ["一。", "二。"], "b": ["三。"]})
        assert failed.status == 400
        assert [c.args[1] for c in error.call_args_list] == ["一。", "二。", "三。"]
        error.reset_mock()
        with flash_errors(request) as failed:
            raise ApplicationStateError("已处理。", status="done")
        assert failed.status == 409
        assert [c.args[1] for c in error.call_args_list] == ["已处理。"]


# --- No view catches them by hand ----------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "certification", "districts", "experts", "audits", "notifications", "workdays", "demo")
CAUGHT_BY_CORE = {"InvalidInput", "ApplicationStateError", "DomainPermissionDenied", "PermissionDenied"}


def view_modules() -> list[Path]:
    """Every file under a views/ package or named views.py, in every app (the API's views included)."""
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "views" in path.relative_to(ROOT).parts[:-1] or path.name == "views.py"
    )


def caught_names(handler: ast.ExceptHandler) -> set[str]:
    """The exception classes an ``except`` names: ``except X``, ``except (X, m.Y)``."""
    if handler.type is None:
        return set()
    nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = set()
    for node in nodes:
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
    return names


def test_the_scan_sees_the_view_modules():
    found = {path.relative_to(ROOT).as_posix() for path in view_modules()}
    assert "certification/applications/views/__init__.py" in found
    assert "experts/views/reviews.py" in found
    assert "notifications/views.py" in found
    assert not any("__pycache__" in name for name in found)


def test_caught_names_reads_plain_dotted_and_tuple_handlers():
    tree = ast.parse(
        "try:\n    f()\nexcept (errors.InvalidInput, KeyError):\n    pass\nexcept PermissionDenied:\n    pass"
    )
    handlers = [node for node in ast.walk(tree) if isinstance(node, ast.ExceptHandler)]
    assert [caught_names(h) for h in handlers] == [{"InvalidInput", "KeyError"}, {"PermissionDenied"}]


def test_no_view_catches_a_domain_error_by_hand():
    """Views call services inside core.web's form_errors / flash_errors / domain_errors; a refusal
    reaches handler403. A view that catches one of these by hand answers its own way, out of step."""
    offenders = [
        f"{path.relative_to(ROOT).as_posix()}:{node.lineno} except {', '.join(sorted(names))}"
        for path in view_modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        if isinstance(node, ast.ExceptHandler) and (names := caught_names(node) & CAUGHT_BY_CORE)
    ]
    assert offenders == [], "use core.web's helpers instead:\n" + "\n".join(offenders)
