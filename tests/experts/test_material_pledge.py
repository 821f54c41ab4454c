"""第十三条: an expert on the panel opens material only after signing this year's confidentiality pledge."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

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
    _app, doc = assigned
    client.force_login(other_expert_user)
    assert client.get(reverse("document_download", args=[doc.pk])).status_code == 404
