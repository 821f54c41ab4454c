import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from certification.models import Enterprise
from core.uscc import make_uscc
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

GOOD_USCC = make_uscc("91120116MA0ABCDE1")


def api_body(**overrides):
    enterprise = {
        "name": "天津新纪元科技有限公司",
        "uscc": GOOD_USCC,
        "district": "120116",
        "registered_on": "2020-03-01",
        "address": "天津市滨海新区新港路 1 号",
        "contact_name": "王丽",
        "contact_phone": "022-88886666",
    }
    enterprise.update(overrides.pop("enterprise", {}))
    body = {
        "username": "xinjiyuan",
        "password": "Strong-Pass-2026",
        "email": "wl@example.com",
        "enterprise": enterprise,
    }
    body.update(overrides)
    return body


def form_body(**overrides):
    body = api_body()
    data = {
        **body["enterprise"],
        "username": body["username"],
        "email": body["email"],
        "password1": body["password"],
        "password2": body["password"],
    }
    data.update(overrides)
    return data


def assert_nothing_saved():
    assert not Enterprise.objects.filter(name="天津新纪元科技有限公司").exists()
    assert not User.objects.filter(username="xinjiyuan").exists()


class TestApi:
    url = "/api/v1/auth/register/"

    def test_registers_enterprise_and_user(self, client):
        response = client.post(self.url, api_body(), content_type="application/json")
        assert response.status_code == 201, response.json()
        user = User.objects.get(username="xinjiyuan")
        assert user.role == Role.ENTERPRISE
        assert user.enterprise.uscc == GOOD_USCC
        assert user.enterprise.district.code == "120116"
        assert user.check_password("Strong-Pass-2026")
        assert response.json()["enterprise"]["uscc"] == GOOD_USCC
        # The history names the acting record.
        assert user.enterprise.history.count() == 1

    def test_lower_case_uscc_is_normalised(self, client):
        response = client.post(
            self.url, api_body(enterprise={"uscc": GOOD_USCC.lower()}), content_type="application/json"
        )
        assert response.status_code == 201
        assert Enterprise.objects.get().uscc == GOOD_USCC

    @pytest.mark.parametrize(
        ("overrides", "path"),
        [
            (
                {"enterprise": {"uscc": GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1")}},
                ("enterprise", "uscc"),
            ),
            ({"enterprise": {"uscc": "91120116MA0ABCDE"}}, ("enterprise", "uscc")),
            ({"enterprise": {"uscc": "91120116MA0ABCDEIO"}}, ("enterprise", "uscc")),
            ({"enterprise": {"district": "110101"}}, ("enterprise", "district")),
            ({"enterprise": {"district": "abc"}}, ("enterprise", "district")),
            ({"enterprise": {"registered_on": "2099-01-01"}}, ("enterprise", "registered_on")),
            ({"enterprise": {"registered_on": "2020-02-30"}}, ("enterprise", "registered_on")),
            ({"password": "short"}, ("password",)),
            ({"password": "alllowercaseletters"}, ("password",)),
            ({"email": "not-an-email"}, ("email",)),
            ({"username": "has space"}, ("username",)),
        ],
    )
    def test_bad_input_is_400_and_saves_nothing(self, client, overrides, path):
        response = client.post(self.url, api_body(**overrides), content_type="application/json")
        assert response.status_code == 400
        errors = response.json()
        for key in path:
            errors = errors[key]
        assert errors and all(isinstance(m, str) and m for m in errors)
        assert_nothing_saved()

    def test_bad_check_character_message_is_chinese_and_does_not_name_the_right_one(self, client):
        wrong = GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1")
        response = client.post(
            self.url, api_body(enterprise={"uscc": wrong}), content_type="application/json"
        )
        message = response.json()["enterprise"]["uscc"][0]
        assert "校验位错误" in message and "逐位核对" in message
        assert f"应为 {GOOD_USCC[-1]}" not in message

    def test_duplicate_uscc_is_400(self, client):
        EnterpriseFactory(uscc=GOOD_USCC)
        response = client.post(self.url, api_body(), content_type="application/json")
        assert response.status_code == 400
        assert "已注册" in response.json()["enterprise"]["uscc"][0]
        assert not User.objects.filter(username="xinjiyuan").exists()
        assert Enterprise.objects.filter(uscc=GOOD_USCC).count() == 1

    def test_every_problem_reported_at_once(self, client):
        body = api_body(password="x", enterprise={"district": "999999", "registered_on": "2099-01-01"})
        response = client.post(self.url, body, content_type="application/json")
        assert response.status_code == 400
        errors = response.json()
        assert {"district", "registered_on"} <= set(errors["enterprise"])
        assert "password" in errors

    def test_missing_fields_and_non_json(self, client):
        response = client.post(self.url, {"username": "x"}, content_type="application/json")
        assert response.status_code == 400
        assert {"password", "email", "enterprise"} <= set(response.json())
        response = client.post(self.url, "{not json", content_type="application/json")
        assert response.status_code == 400
        assert_nothing_saved()

    def test_token(self, client):
        client.post(self.url, api_body(), content_type="application/json")
        response = client.post(
            "/api/v1/auth/token/",
            {"username": "xinjiyuan", "password": "Strong-Pass-2026"},
            content_type="application/json",
        )
        assert response.status_code == 200
        token = response.json()["token"]
        me = client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {token}")
        assert me.json()["username"] == "xinjiyuan"
        assert me.json()["role"] == "enterprise"

    def test_token_wrong_password(self, client, enterprise_user):
        response = client.post(
            "/api/v1/auth/token/",
            {"username": enterprise_user.username, "password": "nope"},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert "用户名或密码错误" in response.json()["non_field_errors"][0]


class TestBrowserForm:
    url = reverse("accounts:register")

    def test_get_shows_form_in_chinese(self, client):
        response = client.get(self.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "企业注册" in html and "统一社会信用代码" in html

    def test_registers_and_logs_in(self, client):
        response = client.post(self.url, form_body(), follow=True)
        assert response.redirect_chain[-1][0] == reverse("certification:home")
        assert "天津新纪元科技有限公司" in response.content.decode()
        assert User.objects.get(username="xinjiyuan").enterprise.name == "天津新纪元科技有限公司"

    @pytest.mark.parametrize(
        ("overrides", "field", "fragment"),
        [
            ({"uscc": GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1")}, "uscc", "校验位错误"),
            ({"district": "110101"}, "district", "请选择天津市的区"),
            (
                {"registered_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()},
                "registered_on",
                "不能晚于今天",
            ),
            ({"password2": "Different-Pass-1"}, "password2", "不一致"),
            ({"password1": "12345678901", "password2": "12345678901"}, "password1", None),
        ],
    )
    def test_bad_input_shows_inline_error_and_saves_nothing(self, client, overrides, field, fragment):
        response = client.post(self.url, form_body(**overrides))
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert field in errors
        if fragment:
            assert any(fragment in e for e in errors[field])
        assert "field-errors" in response.content.decode()
        assert_nothing_saved()

    def test_duplicate_uscc_inline(self, client):
        EnterpriseFactory(uscc=GOOD_USCC)
        response = client.post(self.url, form_body())
        assert "已注册" in response.context["form"].errors["uscc"][0]
        assert not User.objects.filter(username="xinjiyuan").exists()

    def test_entered_values_are_kept_after_an_error(self, client):
        response = client.post(self.url, form_body(district="110101"))
        assert "天津新纪元科技有限公司" in response.content.decode()


# --- A name is one line: a line break in it would break every email header it goes into ------------


@pytest.mark.parametrize(
    "name", ["天津新纪元科技\r\nBcc: x@example.com", "天津新纪元\n科技有限公司", "天津\t新纪元"]
)
def test_api_refuses_a_name_with_a_line_break(client, name):
    response = client.post(TestApi.url, api_body(enterprise={"name": name}), content_type="application/json")
    assert response.status_code == 400
    assert "enterprise" in response.json() and "name" in response.json()["enterprise"]
    assert not User.objects.filter(username="xinjiyuan").exists()


def test_form_refuses_a_name_with_a_line_break(client):
    response = client.post(TestBrowserForm.url, form_body(name="天津新纪元科技\r\n有限公司"))
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["名称不能包含换行符或制表符。"]
    assert not User.objects.filter(username="xinjiyuan").exists()


def test_an_email_subject_with_a_line_break_is_sent_on_one_line(mailoutbox):
    from accounts.tasks import send_email

    assert send_email.run(subject="抽取通知：某公司\r\n第二行", body="正文", to=["x@example.com"]) == 1
    assert mailoutbox[-1].subject == "抽取通知：某公司 第二行"


# --- Registrations per address: API and form share one counter ----------------------------------


@pytest.fixture
def two_per_hour(monkeypatch):
    from django.core.cache import cache

    from config.throttling import RegistrationRateThrottle

    monkeypatch.setattr(RegistrationRateThrottle, "rate", "2/hour")
    key = "throttle_registration_127.0.0.1"
    cache.delete(key)
    yield
    cache.delete(key)


def test_registrations_from_one_address_are_limited_across_api_and_form(client, two_per_hour):
    assert client.post(TestApi.url, api_body(), content_type="application/json").status_code == 201
    other = api_body(username="second", email="second@example.com", enterprise={"uscc": "91120116MA05XXXX0X"})
    client.post(TestApi.url, other, content_type="application/json")  # the second counts, valid or not
    third = client.post(TestApi.url, api_body(username="third"), content_type="application/json")
    assert third.status_code == 429
    page = client.post(TestBrowserForm.url, form_body(username="fourth"))
    assert page.status_code == 429
    assert "注册过于频繁" in page.content.decode()
    assert not User.objects.filter(username__in=["third", "fourth"]).exists()
