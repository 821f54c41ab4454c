"""第十三条: an expert on the panel opens material only after signing this year's confidentiality pledge."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.tokens import issue as issue_token
from certification.models import Document
from experts.models import Draw, Pledge, Review
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(expert_user, official, enterprise_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    app = ApplicationFactory(enterprise=enterprise_user.enterprise, status="under_review")
    draw = Draw.objects.create(
        application=app,
        seed="s",
        algorithm_version="draw-1",
        rules={},
        eligible_ids=[],
        excluded=[],
        panel=[],
        alternates=[],
        created_by=official,
    )
    Review.objects.create(draw=draw, application=app, expert=expert_user.expert, kind="technical")
    doc = Document.objects.create(
        application=app,
        kind="audit_report",
        file=ContentFile(b"%PDF-1.4\n%%EOF", "a.pdf"),
        original_name="a.pdf",
        size=14,
        sha256="0" * 64,
        uploaded_by=enterprise_user,
    )
    return app, doc


def test_material_needs_the_pledge(client, expert_user, assigned):
    app, doc = assigned
    client.force_login(expert_user)
    for url in (
        reverse("document_download", args=[doc.pk]),
        reverse("certification:application_form_pdf", args=[app.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403
    token = Token.objects.create(user=expert_user).key
    api = client.get(f"/api/v1/applications/{app.pk}/form-pdf/", HTTP_AUTHORIZATION=f"Token {token}")
    assert api.status_code == 403 and "保密承诺" in api.json()["detail"]
    Pledge.objects.create(expert=expert_user.expert, year=timezone.localdate().year)
    assert client.get(reverse("document_download", args=[doc.pk])).status_code == 200


def test_expert_off_the_panel_gets_404(client, other_expert_user, assigned):
    """With the pledge signed, an application off the expert's panel is a 404. Before it, every
    application is a 403 asking for the pledge, whatever its id: the answer confirms nothing."""
    _app, doc = assigned
    client.force_login(other_expert_user)
    assert client.get(reverse("document_download", args=[doc.pk])).status_code == 403
    assert client.get(reverse("document_download", args=[doc.pk + 1000])).status_code == 403
    Pledge.objects.create(expert=other_expert_user.expert, year=timezone.localdate().year)
    assert client.get(reverse("document_download", args=[doc.pk])).status_code == 404


# --- Every read an expert can make of an application passes the pledge (the visibility rule) --------

MATERIAL_API = (
    "/api/v1/applications/{app}/",
    "/api/v1/applications/{app}/documents/",
    "/api/v1/applications/{app}/documents/{doc}/",
    "/api/v1/applications/{app}/eligibility/",
    "/api/v1/applications/{app}/form-pdf/",
)


def _token(user) -> str:  # type: ignore[no-untyped-def]
    return f"Token {issue_token(user).key}"


@pytest.mark.parametrize("path", MATERIAL_API)
def test_api_material_answers_403_before_the_pledge_and_200_after(client, expert_user, assigned, path):
    app, doc = assigned
    url = path.format(app=app.pk, doc=doc.pk)
    before = client.get(url, HTTP_AUTHORIZATION=_token(expert_user))
    assert before.status_code == 403
    assert "保密承诺" in before.json()["detail"]
    assert app.enterprise.name not in before.content.decode()
    Pledge.objects.create(expert=expert_user.expert, year=timezone.localdate().year)
    assert client.get(url, HTTP_AUTHORIZATION=_token(expert_user)).status_code == 200


def test_application_list_refuses_an_expert_without_the_pledge(client, expert_user, assigned):
    app, _doc = assigned
    response = client.get("/api/v1/applications/", HTTP_AUTHORIZATION=_token(expert_user))
    assert response.status_code == 403
    assert app.enterprise.name not in response.content.decode()
    Pledge.objects.create(expert=expert_user.expert, year=timezone.localdate().year)
    listed = client.get("/api/v1/applications/", HTTP_AUTHORIZATION=_token(expert_user)).json()
    assert [row["id"] for row in listed["results"]] == [app.pk]


def test_review_list_names_no_enterprise_before_the_pledge(client, expert_user, assigned):
    app, _doc = assigned
    response = client.get("/api/v1/reviews/", HTTP_AUTHORIZATION=_token(expert_user))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["application"] for r in rows] == [app.pk]  # the assignment itself is shown
    assert rows[0]["enterprise_name"] is None
    assert app.enterprise.name not in response.content.decode()
    Pledge.objects.create(expert=expert_user.expert, year=timezone.localdate().year)
    after = client.get("/api/v1/reviews/", HTTP_AUTHORIZATION=_token(expert_user)).json()
    assert after["results"][0]["enterprise_name"] == app.enterprise.name


def test_review_pages_name_no_enterprise_before_the_pledge(client, expert_user, assigned):
    app, _doc = assigned
    review = Review.objects.get(application=app, expert=expert_user.expert)
    client.force_login(expert_user)
    for url in (
        reverse("experts:review_list"),
        reverse("experts:review_detail", args=[review.pk]),
        reverse("experts:review_decline", args=[review.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert app.enterprise.name not in response.content.decode(), url
    assert "签署保密承诺" in client.get(reverse("experts:review_list")).content.decode()
    Pledge.objects.create(expert=expert_user.expert, year=timezone.localdate().year)
    assert app.enterprise.name in client.get(reverse("experts:review_list")).content.decode()
