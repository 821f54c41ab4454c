"""The office's notices (通知公告) on the home page: publish, edit, withdraw and publish again.

Each write keeps the notice's history (django-simple-history); the status pairs are the workflow's
``ANNOUNCEMENT_PAIRS`` (published ⇄ withdrawn)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from audits.models import Announcement, AnnouncementStatus
from certification import workflow
from core.errors import DomainPermissionDenied, InvalidInput

TITLE_MAX = 200
BODY_MAX = 10000


def _require_office(by: User) -> None:
    if by.role != Role.MUNICIPAL:
        raise DomainPermissionDenied(_("只有市工作小组办公室可以发布通知公告。"))


def _clean(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("请填写标题。")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("标题不能超过 %(n)s 个字。") % {"n": TITLE_MAX}]
    if not body:
        errors["body"] = [_("请填写正文。")]
    elif len(body) > BODY_MAX:
        errors["body"] = [_("正文不能超过 %(n)s 个字。") % {"n": BODY_MAX}]
    if errors:
        raise InvalidInput(errors)
    return title, body


def announcement_create(*, by: User, title: str, body: str) -> Announcement:
    _require_office(by)
    title, body = _clean(title, body)
    return Announcement.objects.create(title=title, body=body, created_by=by)


def announcement_update(*, announcement: Announcement, by: User, title: str, body: str) -> Announcement:
    """Correct a notice's title or text; the publication date stays (the history keeps the old text)."""
    _require_office(by)
    title, body = _clean(title, body)
    with transaction.atomic():
        row = Announcement.objects.select_for_update().get(pk=announcement.pk)
        row.title, row.body = title, body
        row.save(update_fields=["title", "body", "updated_at"])
    return row


def announcement_set_published(*, announcement: Announcement, by: User, published: bool) -> Announcement:
    """Withdraw a notice from the site, or publish a withdrawn one again (dated anew)."""
    _require_office(by)
    to = AnnouncementStatus.PUBLISHED if published else AnnouncementStatus.WITHDRAWN
    with transaction.atomic():
        row = Announcement.objects.select_for_update().get(pk=announcement.pk)
        workflow.set_status("announcement", row, to)
        fields = ["status", "updated_at"]
        if published:
            row.published_at = timezone.now()
            fields.append("published_at")
        row.save(update_fields=fields)
    return row
