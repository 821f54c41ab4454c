from __future__ import annotations

from celery import shared_task
from django.core import management
from django.core.mail import EmailMultiAlternatives


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_email(  # type: ignore[no-untyped-def]
    self,
    *,
    subject: str,
    body: str,
    to: list[str],
    html: str | None = None,
    district_id: int | None = None,
    url: str = "",
) -> int:
    """Send one email; an SMTP outage is retried with exponential backoff.

    The subject is made one line here, whatever went into it (an enterprise name, a reason): a line
    break in a header is a BadHeaderError, and every recipient of that email would go untold.
    ``district_id`` and ``url`` name the district whose work the email is about: if it fails for good
    the failure is on the operations page and in that district's inbox (notifications.tasks)."""
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()


@shared_task
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")
