import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOMES = {
    "enterprise_user": ("certification:home", "待办事项"),
    "official": ("districts:home", "待受理的申请"),
    "expert_user": ("experts:home", "待评审的申请"),
    "municipal_user": ("audits:home", "待审核的报备"),
}
PEOPLE = ["enterprise_user", "official", "expert_user", "municipal_user"]


@pytest.mark.parametrize("person", PEOPLE)
def test_root_redirects_each_role_home(client, request, person):
    user = request.getfixturevalue(person)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse(HOMES[person][0])


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("page", PEOPLE)
def test_each_home_page_only_for_its_role(client, request, person, page):
    user = request.getfixturevalue(person)
    client.force_login(user)
    url_name, marker = HOMES[page]
    response = client.get(reverse(url_name))
    if person == page:
        assert response.status_code == 200
        html = response.content.decode()
        assert marker in html
        # The header names the user and the role.
        assert user.display_name in html
        assert user.get_role_display() in html
    else:
        assert response.status_code == 403
        assert "无权访问" in response.content.decode()


@pytest.mark.parametrize("page", PEOPLE)
def test_anonymous_is_sent_to_login(client, page):
    url = reverse(HOMES[page][0])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_public_landing_page(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "天津市市级高新技术企业认定" in html


def test_header_shows_district_for_official(client, official):
    client.force_login(official)
    html = client.get(reverse("districts:home")).content.decode()
    assert "滨海新区" in html and "区县工作小组" in html


def test_district_home_lists_only_own_district_enterprises(client, official, enterprise_user):
    from tests.factories import EnterpriseFactory, district

    EnterpriseFactory(name="和平区的企业", district=district("120101"))
    client.force_login(official)
    html = client.get(reverse("districts:home")).content.decode()
    assert enterprise_user.enterprise.name in html
    assert "和平区的企业" not in html
    html = client.get(reverse("districts:home"), {"q": enterprise_user.enterprise.uscc}).content.decode()
    assert enterprise_user.enterprise.name in html


def test_district_home_query_count_does_not_grow(client, official, django_assert_max_num_queries):
    from tests.factories import EnterpriseFactory

    EnterpriseFactory.create_batch(30)
    client.force_login(official)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("districts:home")).status_code == 200


def test_municipal_home_counts(
    client, municipal_user, enterprise_user, official, django_assert_max_num_queries
):
    client.force_login(municipal_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("audits:home"))
    binhai = next(d for d in response.context["districts"] if d.code == "120116")
    assert binhai.enterprise_count == 1
    assert binhai.official_count == 1
    assert response.context["enterprise_total"] == 1


def test_english_switch(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Tianjin Municipal High-Tech Enterprise Certification" in html
