"""The one helper that builds messages from templates (docs/layout.md: one module per output format).

Each kind has ``templates/notifications/email/<kind>.subject``, ``<kind>.txt`` and ``<kind>.html``;
they are rendered in the recipient's language (Chinese unless they chose English). The subject
and text are also the inbox row. A kind without templates (a message another app composed itself)
goes out through the ``generic`` templates with the given subject and body.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation

TEMPLATE_DIR = "notifications/email"
GENERIC = "generic"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=256)
def has_templates(kind: str) -> bool:
    try:
        get_template(f"{TEMPLATE_DIR}/{kind}.subject")
    except TemplateDoesNotExist:
        return False
    return True


def absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def _render(name: str, context: dict[str, Any]) -> str:
    return render_to_string(f"{TEMPLATE_DIR}/{name}", context)


def render(
    kind: str,
    context: dict[str, Any],
    language: str,
    *,
    url: str = "",
    subject: str | None = None,
    body: str | None = None,
    html: bool = True,
) -> Rendered:
    """Subject, text and HTML of one message in ``language``."""
    with translation.override(language):
        data = {**context, "url": absolute(url) if url else "", "site_url": settings.SITE_URL}
        if subject is None and has_templates(kind):
            subject = _render(f"{kind}.subject", data)
            body = _render(f"{kind}.txt", data)
            template = kind
        else:
            template = GENERIC
            data.update(subject=subject or "", body=body or "")
        data.update(subject=" ".join((subject or "").split()), body=(body or "").strip())
        return Rendered(
            subject=data["subject"][:200],
            text=data["body"],
            html=_render(f"{template}.html", data) if html else "",
        )


def email_text(rendered: Rendered, url: str, language: str) -> str:
    """The plain-text email: the message, its link and the footer, in ``language``."""
    with translation.override(language):
        return _render("base.txt", {"body": rendered.text, "url": absolute(url) if url else ""})


def build_email(rendered: Rendered, *, to: str, url: str, language: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=rendered.subject, body=email_text(rendered, url, language), to=[to]
    )
    message.attach_alternative(rendered.html, "text/html")
    return message


def build_digest(items: list[dict[str, Any]], *, to: str, language: str) -> EmailMultiAlternatives:
    """One email with every notification since the last digest (``items``: subject, body, url)."""
    with translation.override(language):
        data = {
            "items": [{**item, "url": absolute(item["url"]) if item["url"] else ""} for item in items],
            "count": len(items),
            "site_url": settings.SITE_URL,
        }
        subject = " ".join(_render("digest.subject", data).split())
        message = EmailMultiAlternatives(subject=subject, body=_render("digest.txt", data), to=[to])
        message.attach_alternative(_render("digest.html", data), "text/html")
    return message
