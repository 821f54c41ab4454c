"""No password, token, OTP code, session id, identity or phone number in any log record.

config/log_redaction.py masks every record when it is made (settings.LOGGING's filter and the
record factory). These tests capture ALL log output — every logger at DEBUG, django.request and
axes included — while real requests sign in, fail to sign in, get an API token with an OTP code, use
it, register, and hit a server error; then look for each secret in everything that was captured.
"""

from __future__ import annotations

import logging
import time

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import User
from config.log_redaction import MASK, redact
from core.uscc import make_uscc
from tests.accounts.test_two_factor import code_for, enrol

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ID_NUMBER = "12010119900307123X"  # an 18-character resident identity number (birth date 1990-03-07)
MOBILE = "13812345678"
REG_PASSWORD = "Reg-Secret-Pass-2026"
WRONG_PASSWORD = "Wrong-Secret-Pass-2026"


@pytest.fixture
def all_logs(caplog):
    """Every logger at DEBUG, including those settings.LOGGING quietens (axes, django.db.backends)."""
    caplog.set_level(logging.DEBUG)
    names = set(logging.root.manager.loggerDict) | {"django.request", "django.security", "axes", "celery"}
    for name in names:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def everything(caplog) -> str:
    """What any handler could write: the formatted text, every message, traceback and stack."""
    parts = [caplog.text]
    for record in caplog.records:
        parts += [record.getMessage(), record.exc_text or "", record.stack_info or ""]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


def assert_absent(caplog, secrets: list[str]) -> None:
    text = everything(caplog)
    assert caplog.records, "nothing was logged: the test would prove nothing"
    leaked = [s for s in secrets if s and s in text]
    assert leaked == [], text


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("POST /accounts/login/ username=a&password=Pa55-word!&next=/", "Pa55-word!"),
        ("{'password1': 'two words', 'password2': 'two words'}", "two words"),
        ('{"username": "a", "password": "Json-Pass", "otp": "123456"}', "Json-Pass"),
        ('{"username": "a", "password": "Json-Pass", "otp": "123456"}', "123456"),
        ("otp_token=654321", "654321"),
        ("token: 7d1c1c6a4c0c4f1e8a3b2c1d0e9f8a7b6c5d4e3f", "7d1c1c6a4c0c4f1e8a3b2c1d0e9f8a7b6c5d4e3f"),
        ("'HTTP_AUTHORIZATION': 'Token abcdef0123'", "abcdef0123"),
        ("Authorization: Bearer eyJhbGciOi.payload.sig", "eyJhbGciOi.payload.sig"),
        (
            "Cookie: csrftoken=AbCd; sessionid=q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6",
            "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6",
        ),
        ("recovery code=a1b2c3d4", "a1b2c3d4"),
        ("objector 12010119900307123X", "12010119900307123X"),
        ("objector id 120101199003071234.", "120101199003071234"),
        ("call 13812345678 or +86 13912345678", "13812345678"),
        ("call 13812345678 or +86 13912345678", "13912345678"),
        ("tel 022-66668888", "66668888"),
        ("key 0123456789abcdef0123456789abcdef01234567 issued", "0123456789abcdef0123456789abcdef01234567"),
    ],
)
def test_redact_masks(line, secret):
    masked = redact(line)
    assert secret not in masked
    assert MASK in masked


@pytest.mark.parametrize(
    "line",
    [
        "district 120116 accepted application 42",
        "certificate TJ20261201160001 issued",
        "USCC 91120116MA0BRWX01X registered",
        "GET /district/applications/?field=0101&page=2 200",
        "sha256 " + "ab" * 32,
    ],
)
def test_redact_keeps_ordinary_data(line):
    assert redact(line) == line


def test_login_failed_login_and_logout_leak_nothing(all_logs, client, enterprise_user, password):
    url = reverse("accounts:login")
    response = client.post(url, {"username": enterprise_user.username, "password": WRONG_PASSWORD})
    assert response.status_code == 200  # the form again, with the error
    response = client.post(url, {"username": enterprise_user.username, "password": password})
    assert response.status_code == 302
    session_key = client.cookies["sessionid"].value
    csrf = client.cookies.get("csrftoken")
    assert client.get(reverse("certification:home")).status_code == 200
    assert any(r.name.startswith("axes") for r in all_logs.records)  # the failure was logged by axes
    assert_absent(all_logs, [password, WRONG_PASSWORD, session_key, csrf.value if csrf else ""])


def test_token_api_with_otp_leaks_nothing(all_logs, client, official, password, settings, time_machine):
    settings.OTP_REQUIRED = True
    device, codes = enrol(official)
    code = code_for(device)
    response = client.post(
        TOKEN_URL,
        {"username": official.username, "password": WRONG_PASSWORD, "otp": code},
        content_type="application/json",
    )
    assert response.status_code == 400
    time_machine.move_to(time.time() + 3)
    response = client.post(
        TOKEN_URL,
        {"username": official.username, "password": password, "otp": code},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert token == Token.objects.get(user=official).key
    response = client.post(
        TOKEN_URL,
        {"username": official.username, "password": password, "otp": codes[0]},
        content_type="application/json",
    )
    assert response.status_code == 200
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/auth/me/").status_code == 200
    assert Client(HTTP_AUTHORIZATION="Token " + "0" * 40).get("/api/v1/auth/me/").status_code == 401
    # Whatever a handler logs about a request's headers is masked too.
    logging.getLogger("accounts").debug(
        "request headers %r", {"Authorization": f"Token {token}", "otp": code}
    )
    assert_absent(all_logs, [password, WRONG_PASSWORD, code, codes[0], token])


def test_registration_leaks_nothing(all_logs, client):
    response = client.post(
        reverse("accounts:register"),
        {
            "username": "redact_user",
            "email": "redact@example.com",
            "password1": REG_PASSWORD,
            "password2": REG_PASSWORD,
            "name": "日志脱敏测试企业",
            "uscc": make_uscc("91120116MA0RDCT01"),
            "district": "120116",
            "registered_on": "2020-01-01",
            "address": "天津市滨海新区测试路 1 号",
            "contact_name": "王五",
            "contact_phone": MOBILE,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.filter(username="redact_user").exists()
    # The API's registration too (the form has no identity number; the objection form neither).
    response = client.post(
        "/api/v1/auth/register/",
        {
            "username": "redact_api",
            "email": "redact_api@example.com",
            "password": REG_PASSWORD + "-api",
            "enterprise": {
                "name": "日志脱敏接口企业",
                "uscc": make_uscc("91120116MA0RDCT02"),
                "district": "120116",
                "registered_on": "2020-01-01",
                "address": "天津市滨海新区测试路 2 号",
                "contact_name": "王五",
                "contact_phone": MOBILE,
            },
        },
        content_type="application/json",
    )
    assert response.status_code in (201, 400), response.content
    assert_absent(all_logs, [REG_PASSWORD, REG_PASSWORD + "-api", MOBILE])


def test_server_error_traceback_leaks_nothing(all_logs, enterprise_user, password, monkeypatch):
    """A 500 logged by django.request with its traceback: the exception's message carries the
    secrets (as a careless error message could), the logged traceback does not."""

    def broken(*args, **kwargs):
        raise RuntimeError(
            f"registration failed for password={REG_PASSWORD} phone {MOBILE} id {ID_NUMBER} "
            f"Authorization: Token {'f' * 40}"
        )

    monkeypatch.setattr("certification.views.registration.enterprise_register", broken)
    client = Client(raise_request_exception=False)
    response = client.post(
        reverse("accounts:register"),
        {
            "username": "redact_boom",
            "email": "boom@example.com",
            "password1": REG_PASSWORD,
            "password2": REG_PASSWORD,
            "name": "日志脱敏错误企业",
            "uscc": make_uscc("91120116MA0RDCT03"),
            "district": "120116",
            "registered_on": "2020-01-01",
            "address": "天津市滨海新区测试路 3 号",
            "contact_name": "王五",
            "contact_phone": MOBILE,
        },
    )
    assert response.status_code == 500
    errors = [r for r in all_logs.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert errors and errors[0].exc_text and "RuntimeError" in errors[0].exc_text
    assert MASK in errors[0].exc_text
    assert_absent(all_logs, [REG_PASSWORD, MOBILE, ID_NUMBER, "f" * 40])
