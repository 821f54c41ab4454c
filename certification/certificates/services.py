"""Certificates: numbering, validity, issue, verification and revocation (第十条（6）).

Numbers are "TJ" + year + the district's six-digit code + a four-digit serial per district and year,
taken from a locked counter row in the same transaction as the certificate, so there are no gaps and
no duplicates even when two officials issue at once.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Role, User
from certification import workflow
from certification.models import (
    Application,
    Certificate,
    CertificateSerial,
    CertificateVersion,
    Enterprise,
)
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput

NUMBER_RE = re.compile(r"^TJ(?P<year>\d{4})(?P<district>\d{6})(?P<serial>\d{4})$")
VALID_YEARS = 3


def certificate_number(year: int, district_code: str, serial: int) -> str:
    if not 1 <= serial <= 9999:
        raise ValueError("serial out of range")
    return f"TJ{year:04d}{district_code}{serial:04d}"


def valid_until(issued_on: dt.date, years: int = VALID_YEARS) -> dt.date:
    """Through the day before the third anniversary: 2026-12-01 → 2029-11-30; 2028-02-29 → 2031-02-28."""
    try:
        anniversary = issued_on.replace(year=issued_on.year + years)
    except ValueError:  # 29 February in a common year: the anniversary falls on 1 March
        anniversary = dt.date(issued_on.year + years, 3, 1)
    return anniversary - dt.timedelta(days=1)


def certificate_status(certificate: Certificate, today: dt.date | None = None) -> str:
    if certificate.revoked_at:
        return "revoked"
    if (today or timezone.localdate()) > certificate.valid_until:
        return "expired"
    return "valid"


def _next_serial(district_id: int, year: int) -> int:
    counter, _created = CertificateSerial.objects.select_for_update().get_or_create(
        district_id=district_id, year=year
    )
    counter = CertificateSerial.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def certificate_issue(
    *, by: User, application_ids: list[int], issued_on: dt.date | None = None
) -> list[Certificate]:
    """Issue certificates for approved applications of the official's district, all or none."""
    if by.role != Role.DISTRICT:
        raise DomainPermissionDenied(_("只有区县工作小组可以发证。"))
    if not application_ids or len(set(application_ids)) != len(application_ids):
        raise InvalidInput({"applications": [_("请选择要发证的申请（不能重复）。")]})
    issued_on = issued_on or timezone.localdate()
    issued: list[Certificate] = []
    with transaction.atomic():
        applications = list(
            Application.objects.select_for_update(of=("self",))
            .filter(pk__in=application_ids)
            .select_related("enterprise__district", "field")
            .order_by("pk")
        )
        workflow.check_district_batch(
            applications,
            application_ids=application_ids,
            by=by,
            name="certify",
            refusal=_("“%(name)s”的申请当前状态为“%(status)s”，只有审核通过的申请可以发证。"),
        )
        for application in applications:
            district = application.enterprise.district
            serial = _next_serial(district.pk, issued_on.year)
            certificate = Certificate.objects.create(
                number=certificate_number(issued_on.year, district.code, serial),
                application=application,
                enterprise=application.enterprise,
                district=district,
                enterprise_name=application.enterprise.name,
                uscc=application.enterprise.uscc,
                field_name=application.field.name if application.field_id else "",
                issued_on=issued_on,
                valid_until=valid_until(issued_on),
                issued_by=by,
            )
            CertificateVersion.objects.create(
                certificate=certificate,
                version=1,
                enterprise_name=certificate.enterprise_name,
                seal=district.seal.name or "",  # the seal it is printed with, kept when a new one is uploaded
                reason=gettext_noop("认定发证"),  # stored as the msgid; pages translate it
            )
            workflow.transition(
                application,
                "certify",
                by=by,
                note=certificate.number,
                data={"certificate": certificate.number},
            )
            issued.append(certificate)
    return issued


def certificate_revoke(*, certificate: Certificate, by: User, reason: str) -> Certificate:
    """Revocation (国科发火〔2008〕172号): fraud, a major accident or violation, or missing monitoring reports."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": [_("请说明撤销理由。")]})
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if by.role != Role.DISTRICT or by.district_id != certificate.district_id:
            raise DomainPermissionDenied(_("您不是该区县的工作小组成员，无权办理此事项。"))
        if certificate.revoked_at:
            raise ApplicationStateError(_("该证书已撤销。"), status="revoked")
        certificate.revoked_at = timezone.now()
        certificate.revoked_reason = reason
        certificate.save(update_fields=["revoked_at", "revoked_reason"])
    return certificate


def parse_number(number: str) -> str | None:
    number = number.strip().upper()
    return number if NUMBER_RE.match(number) else None


def certificate_reissue(*, certificate: Certificate, new_name: str, by: User | None) -> Certificate:
    """A rename's reissue (国科火字〔2011〕123号): the same number and validity under `new_name`, a new
    version printed with the district's current seal, the earlier versions superseded, the enterprise
    renamed. The caller holds the certificate's lock; `by` is None when the scheduler closes the notice."""
    now = timezone.now()
    for old in CertificateVersion.objects.select_for_update().filter(
        certificate=certificate, superseded_at__isnull=True
    ):
        old.superseded_at = now
        old._history_user = by  # type: ignore[attr-defined]
        old.save(update_fields=["superseded_at"])
    certificate.enterprise_name = new_name
    certificate.version += 1
    certificate._history_user = by  # type: ignore[attr-defined]
    certificate.save(update_fields=["enterprise_name", "version"])
    CertificateVersion.objects.create(
        certificate=certificate,
        version=certificate.version,
        enterprise_name=new_name,
        seal=certificate.district.seal.name or "",
        reason=gettext_noop("更名"),  # stored as the msgid; pages translate it
    )
    enterprise = Enterprise.objects.select_for_update().get(pk=certificate.enterprise_id)
    enterprise.name = new_name
    enterprise._history_user = by  # type: ignore[attr-defined]
    enterprise.save(update_fields=["name"])
    return certificate
