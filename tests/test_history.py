import pytest
from django.apps import apps
from django.urls import reverse

from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = {
    "accounts",
    "workdays",
    "certification",
    "districts",
    "experts",
    "audits",
    "cadres",
    "listings",
    "notifications",
}


def test_every_domain_model_has_history():
    missing = [
        m.__name__
        for m in apps.get_models()
        if m._meta.app_label in PROJECT_APPS
        and not m.__name__.startswith("Historical")
        and not hasattr(m, "history")
        and not m._meta.auto_created
    ]
    assert missing == []


def test_history_records_acting_user(client, official):
    enterprise = EnterpriseFactory()
    from accounts.models import User

    admin = User.objects.create_superuser("root", "root@example.com", "Root-Pass-2026")
    client.force_login(admin)
    response = client.post(
        reverse("admin:certification_enterprise_change", args=[enterprise.pk]),
        {
            "name": "改名后的企业",
            "uscc": enterprise.uscc,
            "district": enterprise.district.pk,
            "registered_on": "2020-03-01",
            "address": "新地址",
            "contact_name": "李四",
            "contact_phone": "022-1234567",
        },
    )
    assert response.status_code == 302, response.content
    latest = enterprise.history.latest()
    assert latest.name == "改名后的企业"
    assert latest.history_user == admin
    assert latest.history_type == "~"


def test_registration_history_names_the_new_user(client):
    from core.uscc import make_uscc

    client.post(
        reverse("accounts:register"),
        {
            "username": "hist_user",
            "email": "h@example.com",
            "password1": "Strong-Pass-2026",
            "password2": "Strong-Pass-2026",
            "name": "历史测试企业",
            "uscc": make_uscc("91120116MA0HXT001"),
            "district": "120116",
            "registered_on": "2020-01-01",
            "address": "地址",
            "contact_name": "王五",
            "contact_phone": "022-7654321",
        },
    )
    from certification.models import Enterprise

    enterprise = Enterprise.objects.get(name="历史测试企业")
    assert enterprise.history.count() == 1


@pytest.mark.django_db
def test_history_manager_class_is_built_once_and_bound_to_each_instance():
    """``Model.history`` keeps one manager class per model (core.history) and still answers for the
    instance it was read from, or for the whole model when read from the class."""
    first, second = EnterpriseFactory(name="甲历史企业"), EnterpriseFactory(name="乙历史企业")
    first.name = "甲历史企业（更名）"
    first.save()
    assert type(first.history) is type(second.history) is type(type(first).history)
    assert first.history is not second.history
    assert [h.name for h in first.history.order_by("history_id")] == ["甲历史企业", "甲历史企业（更名）"]
    assert [h.name for h in second.history.all()] == ["乙历史企业"]
    assert type(first).history.filter(id__in=[first.pk, second.pk]).count() == 3
