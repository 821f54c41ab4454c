import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_password_reset_by_email(client, enterprise_user, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        response = client.post(reverse("accounts:password_reset"), {"email": enterprise_user.email})
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [enterprise_user.email]
    assert "重设" in message.subject
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)
    response = client.post(
        response.redirect_chain[-1][0] if response.redirect_chain else link,
        {"new_password1": "Reset-Pass-2026x", "new_password2": "Reset-Pass-2026x"},
    )
    assert response.status_code == 302
    enterprise_user.refresh_from_db()
    assert enterprise_user.check_password("Reset-Pass-2026x")


def test_unknown_email_sends_nothing_and_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []
