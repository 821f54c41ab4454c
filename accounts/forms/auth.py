from __future__ import annotations

from django.contrib.auth.forms import PasswordResetForm
from django.template import loader

from accounts.tasks import send_email


class PortalPasswordResetForm(PasswordResetForm):
    """Renders the reset email in the request and hands the sending to a Celery task after commit."""

    def send_mail(  # type: ignore[override]
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict,
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context) if html_email_template_name else None
        )
        send_email.delay_on_commit(subject=subject, body=body, to=[to_email], html=html)
