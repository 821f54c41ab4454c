"""The expert's own pages and API: declared relations (回避) and the confidentiality pledge (第十三条)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.tokens import issue as issue_token
from core.uscc import make_uscc
from experts.models import Expert, ExpertRelation, Pledge
from experts.permissions import require_pledge
from experts.services.pool import has_signed_pledge, pledge_sign, relation_declare

pytestmark = pytest.mark.django_db

RELATED = make_uscc("91120116MA05KX7Y0")
OTHER = make_uscc("91120101MA06AB1C2")
PLEDGE_MESSAGE = "查看申报材料前须先签署保密承诺（第十三条）。"
PEOPLE = [
    "enterprise_user",
    "official",
    "other_official",
    "expert_user",
    "other_expert_user",
    "municipal_user",
]
NOT_EXPERTS = ["enterprise_user", "official", "other_official", "municipal_user"]


def bad_check(uscc: str) -> str:
    return uscc[:17] + ("0" if uscc[17] != "0" else "1")


def api(client, user):
    if user is not None:
        token = issue_token(user)  # a fresh one once the clock has moved past its lifetime
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def expert_of(user) -> Expert:
    return Expert.objects.get(user=user)


# --- Pages: who may open them -------------------------------------------------------------------------


@pytest.mark.parametrize("person", [*PEOPLE, "anonymous"])
def test_self_pages_are_for_experts_only(client, request, person, other_expert_user):
    user = request.getfixturevalue(person)
    relation = relation_declare(
        expert=expert_of(other_expert_user), by=other_expert_user, uscc=RELATED, enterprise_name="", note=""
    )
    if user is not None:
        client.force_login(user)
    urls = [reverse("experts:profile"), reverse("experts:pledge"), reverse("experts:home")]
    for url in urls:
        response = client.get(url)
        if user is None:
            assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
        elif person in ("expert_user", "other_expert_user"):
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, url
    # Someone else's relation: 404 for another expert, 403 for other roles, login for anonymous;
    # only its own expert sees the confirmation (GET) and removes it (POST, then back to the profile).
    remove_url = reverse("experts:relation_remove", args=[relation.pk])
    expected = {"anonymous": (302, 302), "expert_user": (404, 404), "other_expert_user": (200, 302)}
    got = (client.get(remove_url).status_code, client.post(remove_url).status_code)
    assert got == expected.get(person, (403, 403))
    assert ExpertRelation.objects.filter(pk=relation.pk).exists() == (person != "other_expert_user")
    # Declaring and signing: only an expert, for themselves.
    add = client.post(reverse("experts:relation_add"), {"uscc": OTHER})
    sign = client.post(reverse("experts:pledge"), {"agree": "on"})
    if person in ("expert_user", "other_expert_user"):
        assert (add.status_code, sign.status_code) == (302, 302)
        assert ExpertRelation.objects.filter(expert__user=user, uscc=OTHER).exists()
        assert Pledge.objects.filter(expert__user=user).count() == 1
    else:
        assert (add.status_code, sign.status_code) == ((302, 302) if user is None else (403, 403))
        assert not ExpertRelation.objects.filter(uscc=OTHER).exists() and not Pledge.objects.exists()


# --- Relations ----------------------------------------------------------------------------------------


def test_profile_shows_the_experts_data(client, expert_user):
    client.force_login(expert_user)
    expert = expert_of(expert_user)
    html = client.get(reverse("experts:profile")).content.decode()
    for text in (expert.name, expert.employer, expert.employer_uscc, "尚未申报回避关系", "尚未签署"):
        assert text in html


def test_expert_declares_and_removes_a_relation(client, expert_user):
    client.force_login(expert_user)
    response = client.post(
        reverse("experts:relation_add"),
        {"uscc": RELATED.lower(), "enterprise_name": "天津某科技有限公司", "note": "曾任技术顾问"},
    )
    assert response.status_code == 302
    relation = ExpertRelation.objects.get(expert__user=expert_user)
    assert relation.uscc == RELATED and relation.note == "曾任技术顾问"
    assert relation.history.get().history_user == expert_user
    page = client.get(reverse("experts:profile")).content.decode()
    assert RELATED in page and "天津某科技有限公司" in page

    # Declaring it twice is refused.
    again = client.post(reverse("experts:relation_add"), {"uscc": RELATED})
    assert again.status_code == 200 and "已申报过" in again.content.decode()
    assert ExpertRelation.objects.count() == 1

    remove_url = reverse("experts:relation_remove", args=[relation.pk])
    confirm = client.get(remove_url)
    assert confirm.status_code == 200 and "确认撤销" in confirm.content.decode()
    assert ExpertRelation.objects.count() == 1  # a GET changes nothing
    assert client.post(remove_url).status_code == 302
    assert not ExpertRelation.objects.exists()
    assert ExpertRelation.history.filter(history_type="-").get().history_user == expert_user


@pytest.mark.parametrize(
    ("uscc", "message"),
    [
        (bad_check(RELATED), "校验位错误"),
        ("91120116MA05KX7Y", "应为 18 位"),
        ("91120116MA05KX7YO", "应为 18 位"),
        ("91120116MA05KX7YOI", "不允许的字符"),
        ("", "必填项"),
    ],
)
def test_a_bad_relation_uscc_is_refused_with_its_reason_and_nothing_saved(client, expert_user, uscc, message):
    client.force_login(expert_user)
    response = client.post(reverse("experts:relation_add"), {"uscc": uscc, "enterprise_name": "某公司"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExpertRelation.objects.exists()


def test_relation_add_by_get_only_goes_back_to_the_profile(client, expert_user):
    client.force_login(expert_user)
    response = client.get(reverse("experts:relation_add"))
    assert response.status_code == 302 and response["Location"] == reverse("experts:profile")


# --- Relations API ------------------------------------------------------------------------------------

RELATIONS_API = "/api/v1/experts/me/relations/"


def test_relations_api_for_the_expert(client, expert_user, other_expert_user):
    foreign = relation_declare(expert=expert_of(other_expert_user), by=other_expert_user, uscc=OTHER)
    api(client, expert_user)
    assert client.get(RELATIONS_API).json() == []
    created = client.post(
        RELATIONS_API,
        {"uscc": RELATED, "enterprise_name": "某公司", "note": "亲属任职"},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["uscc"] == RELATED and body["note"] == "亲属任职" and body["id"]
    assert [r["uscc"] for r in client.get(RELATIONS_API).json()] == [RELATED]

    bad = client.post(RELATIONS_API, {"uscc": bad_check(OTHER)}, content_type="application/json")
    assert bad.status_code == 400 and "校验位错误" in bad.json()["uscc"][0]
    missing = client.post(RELATIONS_API, {}, content_type="application/json")
    assert missing.status_code == 400 and "uscc" in missing.json()
    duplicate = client.post(RELATIONS_API, {"uscc": RELATED}, content_type="application/json")
    assert duplicate.status_code == 400 and "已申报过" in duplicate.json()["uscc"][0]
    assert client.post(RELATIONS_API, "{", content_type="application/json").status_code == 400
    assert ExpertRelation.objects.filter(expert__user=expert_user).count() == 1

    # Another expert's relation is not there for this expert.
    assert client.delete(f"{RELATIONS_API}{foreign.pk}/").status_code == 404
    assert client.delete(f"{RELATIONS_API}{body['id']}/").status_code == 204
    assert client.delete(f"{RELATIONS_API}{body['id']}/").status_code == 404
    assert list(ExpertRelation.objects.values_list("pk", flat=True)) == [foreign.pk]


@pytest.mark.parametrize("person", [*NOT_EXPERTS, "anonymous"])
def test_relations_and_pledge_api_refuse_other_roles(client, request, person, other_expert_user):
    user = request.getfixturevalue(person)
    relation = relation_declare(expert=expert_of(other_expert_user), by=other_expert_user, uscc=OTHER)
    api(client, user)
    expected = 401 if user is None else 403
    responses = [
        client.get(RELATIONS_API),
        client.post(RELATIONS_API, {"uscc": RELATED}, content_type="application/json"),
        client.delete(f"{RELATIONS_API}{relation.pk}/"),
        client.get("/api/v1/experts/pledge/"),
        client.post("/api/v1/experts/pledge/"),
    ]
    assert [r.status_code for r in responses] == [expected] * 5
    assert ExpertRelation.objects.count() == 1 and not Pledge.objects.exists()


# --- The pledge ---------------------------------------------------------------------------------------


def test_pledge_page_quotes_article_13_and_needs_the_checkbox(client, expert_user):
    client.force_login(expert_user)
    url = reverse("experts:pledge")
    html = client.get(url).content.decode()
    assert "第十三条" in html
    assert "对申报认定企业的有关资料信息负有保密义务" in html
    assert "回避" in html and "我已阅读并承诺" in html

    refused = client.post(url, {})
    assert refused.status_code == 200 and "请先勾选" in refused.content.decode()
    assert not Pledge.objects.exists()

    signed = client.post(url, {"agree": "on"})
    assert signed.status_code == 302
    pledge = Pledge.objects.get()
    assert pledge.expert.user == expert_user and pledge.text_version == "2015-1"
    assert pledge.history.get().history_user == expert_user
    page = client.get(url).content.decode()
    assert 'data-testid="pledge-signed"' in page and "已于" in page
    assert client.post(url, {"agree": "on"}).status_code == 302
    assert Pledge.objects.count() == 1  # idempotent


def test_pledge_page_returns_to_the_material_it_came_from(client, expert_user):
    client.force_login(expert_user)
    url = reverse("experts:pledge")
    response = client.post(url, {"agree": "on", "next": "/expert/reviews/7/"})
    assert response["Location"] == "/expert/reviews/7/"
    # Never to another site.
    response = client.post(url, {"agree": "on", "next": "https://evil.example.com/"})
    assert response["Location"] == url


def test_home_shows_the_pledge_status_and_links(client, expert_user, time_machine):
    time_machine.move_to("2026-03-02 09:00 +08:00")
    client.force_login(expert_user)
    html = client.get(reverse("experts:home")).content.decode()
    assert "您尚未签署 2026 年度保密承诺" in html
    assert reverse("experts:pledge") in html and reverse("experts:profile") in html
    pledge_sign(expert=expert_of(expert_user), by=expert_user)
    html = client.get(reverse("experts:home")).content.decode()
    assert "您已于 2026-03-02 09:00 签署 2026 年度保密承诺" in html


def test_pledge_api_is_idempotent(client, expert_user):
    api(client, expert_user)
    assert client.get("/api/v1/experts/pledge/").json()["signed"] is False
    first = client.post("/api/v1/experts/pledge/")
    assert first.status_code == 201
    again = client.post("/api/v1/experts/pledge/")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert set(first.json()) >= {"year", "signed_at"}
    assert Pledge.objects.count() == 1
    status = client.get("/api/v1/experts/pledge/").json()
    assert status["signed"] is True and status["signed_at"] == first.json()["signed_at"]


def test_nobody_signs_for_an_expert(expert_user, municipal_user):
    with pytest.raises(PermissionDenied):
        pledge_sign(expert=expert_of(expert_user), by=municipal_user)
    assert not Pledge.objects.exists()


# --- require_pledge: the gate in front of review material ---------------------------------------------


def test_require_pledge_for_an_expert_without_this_years_pledge(expert_user, time_machine):
    time_machine.move_to("2025-12-31 12:00 +08:00")
    expert = expert_of(expert_user)
    with pytest.raises(PermissionDenied, match=PLEDGE_MESSAGE):
        require_pledge(expert_user)
    pledge_sign(expert=expert, by=expert_user)
    require_pledge(expert_user)  # passes
    # 1 January in Beijing (still 31 December in UTC): last year's pledge no longer counts.
    time_machine.move_to("2026-01-01 00:30 +08:00")
    assert not has_signed_pledge(expert)
    with pytest.raises(PermissionDenied) as raised:
        require_pledge(expert_user)
    assert str(raised.value) == PLEDGE_MESSAGE
    pledge_sign(expert=expert, by=expert_user)
    require_pledge(expert_user)
    assert sorted(Pledge.objects.values_list("year", flat=True)) == [2025, 2026]


@pytest.mark.parametrize("person", [*NOT_EXPERTS, "anonymous"])
def test_require_pledge_is_a_no_op_for_other_roles(request, person, expert_user):
    """Nobody has signed: the expert is refused while every other role passes. A gate that does
    nothing fails the first assertion; one that refuses every role fails the second."""
    from django.contrib.auth.models import AnonymousUser

    user = request.getfixturevalue(person) or AnonymousUser()
    assert not Pledge.objects.exists()
    with pytest.raises(PermissionDenied, match=PLEDGE_MESSAGE):
        require_pledge(expert_user)
    require_pledge(user)  # no pledge, and no refusal


def test_require_pledge_refuses_an_expert_account_without_a_pool_record(db):
    from tests.factories import UserFactory

    orphan = UserFactory(expert_user=True)
    with pytest.raises(PermissionDenied):
        require_pledge(orphan)
