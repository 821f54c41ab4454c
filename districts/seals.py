"""The district government's seal (印章) on its certificates: upload and preview.

The district's official uploads the seal of their own district, the municipal office that of any
district. A seal is a PNG with transparency (checked by content in core/uploads.py); nothing is stored
when it is refused. The file gets a generated name and the old file is never deleted: every issued
certificate version names the seal it was printed with (`CertificateVersion.seal`), so an issued
certificate keeps its seal and only certificates issued (or reissued) afterwards carry the new one.
The change is recorded in the district's history (simple-history).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.errors import DomainPermissionDenied, InvalidInput
from core.uploads import SEAL_MAX_BYTES, inspect_seal_png
from districts.models import District


def may_change_seal(user: User, district: District) -> bool:
    return user.role == Role.MUNICIPAL or (user.role == Role.DISTRICT and user.district_id == district.pk)


def seal_upload(*, district: District, by: User, file: Any) -> District:
    """Store `file` as `district`'s seal: 403 for another district's official, 400 for a bad image."""
    if not may_change_seal(by, district):
        raise DomainPermissionDenied(_("您无权更换该区的印章。"))
    if file is None:
        raise InvalidInput({"seal": [_("请选择印章图片（PNG）。")]})
    file.seek(0)
    data = file.read(SEAL_MAX_BYTES + 1)  # one byte more than the limit is enough to refuse a larger file
    name = getattr(file, "client_name", None) or getattr(file, "name", "") or ""
    problem = inspect_seal_png(data, name)
    if problem:
        raise InvalidInput({"seal": [problem]})
    stored = ""
    try:
        with transaction.atomic():
            district = District.objects.select_for_update().get(pk=district.pk)
            # Generated name: the old seal stays in storage for the certificates printed with it.
            district.seal.save(f"{district.code}-{uuid.uuid4().hex}.png", ContentFile(data), save=False)
            stored = district.seal.name
            district._history_user = by  # type: ignore[attr-defined]
            district.save(update_fields=["seal"])
    except BaseException:
        if stored:
            District._meta.get_field("seal").storage.delete(stored)
        raise
    return district
