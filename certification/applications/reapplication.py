"""Expiry of a certificate and the enterprise's re-application (重新申请).

- A certificate is valid through ``valid_until`` and expired from the day after
  (:func:`certification.certificates.services.certificate_status`; the expiry reminders 90 and 30 days before
  are sent by the sweep, certification/clocks.py).
- When may the enterprise apply again? docs/domain.md names no window of its own. The Measures (第十一条)
  leave 复审 to 《高新技术企业认定管理办法》(国科发火〔2008〕172号), whose 第十二条 says the enterprise
  applies "在期满前三个月内": so the action opens three months before the certificate ends (the
  day after ``valid_until``), e.g. valid until 2029-11-30 → from 2029-09-01, and stays open after expiry.
- The new application is an ordinary draft for the current year (one per enterprise and year), with the
  content of the enterprise's last application copied: every form section (facts, field, staff, fiscal
  years, IP, conversions, R&D management, products, audit report). Not copied: status history, scores,
  opinions, review data, clocks — and the uploaded materials. docs/domain.md says nothing about carrying
  them over, and the nine materials of 第十条（2） attest one application: the 申请书 is generated from
  the new data and must be signed and stamped again, the 专项审计报告 and the IP / conversion proofs cover
  the three fiscal years before *this* application. A copied file would pass the completeness check while
  proving last cycle's facts, so the enterprise uploads them afresh.
- Refused (ApplicationStateError, a 409 in the API) when the certificate is not yet in the window, when
  the enterprise has no certificate, when an application of this year or any unfinished application
  exists, or when the year is blocked by a revocation (the rule of ``application_create``).
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from certification import workflow
from certification.applications.rows import rows_for
from certification.certificates.services import certificate_status
from certification.models import (
    Application,
    ApplicationFiscalYear,
    ApplicationStatus,
    Certificate,
    Conversion,
    Enterprise,
    Field,
    HighTechProduct,
    IPItem,
    RuleSet,
)
from core.errors import ApplicationStateError

REAPPLY_MONTHS_BEFORE = 3  # 国科发火〔2008〕172号 第十二条：期满前三个月内提出复审申请
# Statuses after which an application is finished; any other blocks a re-application.
FINISHED_STATUSES = workflow.FINISHED_STATUSES
# The application's own columns that are form content (everything else is workflow state).
COPIED_FIELDS = (
    "field",
    "legal_representative",
    "main_products",
    "core_technology",
    "contact_name",
    "contact_phone",
    "staff_total",
    "staff_tech_college",
    "staff_rd",
    "rd_management",
    "audit_firm",
    "audit_firm_uscc",
    "audit_report_number",
    "audit_report_date",
)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier, or the month's last day: 2029-12-01 → 2029-09-01; 05-31 → 02-28."""
    index = day.year * 12 + day.month - 1 - months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def reapply_opens_on(valid_until: dt.date) -> dt.date:
    """First day a re-application may start: three months before the day the certificate ends."""
    return months_before(valid_until + dt.timedelta(days=1), REAPPLY_MONTHS_BEFORE)


@dataclass(frozen=True)
class Expiry:
    """What the enterprise sees about the end of one certificate."""

    certificate: Certificate
    status: str  # valid | expired | revoked
    days_left: int  # days from today through valid_until; 0 on the last day, negative once expired
    opens_on: dt.date
    in_window: bool  # status allows re-applying (expired, or valid inside the three months)

    @property
    def days_expired(self) -> int:
        return max(0, -self.days_left)


def expiry_of(certificate: Certificate, today: dt.date | None = None) -> Expiry:
    today = today or timezone.localdate()
    status = certificate_status(certificate, today)
    opens_on = reapply_opens_on(certificate.valid_until)
    return Expiry(
        certificate=certificate,
        status=status,
        days_left=(certificate.valid_until - today).days,
        opens_on=opens_on,
        in_window=status == "expired" or (status == "valid" and today >= opens_on),
    )


def latest_certificate(enterprise_id: int) -> Certificate | None:
    return Certificate.objects.filter(enterprise_id=enterprise_id).order_by("-issued_on", "-number").first()


def last_application(enterprise_id: int) -> Application | None:
    return Application.objects.filter(enterprise_id=enterprise_id).order_by("-year", "-created_at").first()


def refusal(enterprise: Enterprise, today: dt.date | None = None) -> ApplicationStateError | None:
    """Why the enterprise may not re-apply today, or None. Read-only; the service checks again under lock."""
    today = today or timezone.localdate()
    year = today.year
    # 国科发火〔2008〕172号: an enterprise whose certificate was revoked cannot apply again that year.
    if enterprise.certificates.filter(revoked_at__year=year).exists():
        return ApplicationStateError(
            _("本企业的证书已于 %(year)s 年撤销，当年不能再次申请认定。") % {"year": year}, status="revoked"
        )
    current = enterprise.applications.filter(year=year).first()
    if current is not None:
        return ApplicationStateError(
            _("本企业 %(year)s 年度的申请已存在（编号 %(id)s，%(status)s），不能再次创建。")
            % {"year": year, "id": current.pk, "status": current.get_status_display()},
            status=current.status,
        )
    unfinished = enterprise.applications.exclude(status__in=FINISHED_STATUSES).order_by("-year").first()
    if unfinished is not None:
        return ApplicationStateError(
            _("本企业 %(year)s 年度的申请尚在办理中（%(status)s），办结后才能重新申请。")
            % {"year": unfinished.year, "status": unfinished.get_status_display()},
            status=unfinished.status,
        )
    certificate = latest_certificate(enterprise.pk)
    if certificate is None:
        return ApplicationStateError(
            _("本企业还没有市级高新技术企业证书，请填写新的认定申请。"), status="none"
        )
    expiry = expiry_of(certificate, today)
    if expiry.status == "revoked":
        return ApplicationStateError(
            _("证书 %(number)s 已撤销，请填写新的认定申请。") % {"number": certificate.number},
            status="revoked",
        )
    if not expiry.in_window:
        return ApplicationStateError(
            _("证书 %(number)s 有效期至 %(until)s，自 %(opens)s 起（期满前三个月内）可以重新申请。")
            % {
                "number": certificate.number,
                "until": certificate.valid_until.isoformat(),
                "opens": expiry.opens_on.isoformat(),
            },
            status="valid",
        )
    return None


def _field_in_force(field: Field | None) -> Field | None:
    """The same field code in the catalogue in force (the old one may have been replaced), else None."""
    if field is None:
        return None
    if field.catalogue.in_force:
        return field
    return Field.objects.filter(catalogue__in_force=True, code=field.code).first()


def application_reapply(*, enterprise: Enterprise, by: User, today: dt.date | None = None) -> Application:
    """Open this year's draft with the last application's content copied; all or nothing.

    The enterprise row is locked for the whole check-and-create, so two clicks (two tabs, a double
    submit) cannot both pass the checks; the unique (enterprise, year) constraint backs it up.
    """
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
            problem = refusal(enterprise, today)
            if problem is not None:
                raise problem
            source = last_application(enterprise.pk)
            if source is None:  # unreachable: a certificate always has its application
                raise ApplicationStateError(_("没有可以复制的申请。"), status="none")
            source = (
                Application.objects.select_related("field__catalogue")
                .prefetch_related("fiscal_years", "ip_items", "conversions", "products")
                .get(pk=source.pk)
            )
            application = Application(
                enterprise=enterprise,
                year=today.year,
                rule_set=RuleSet.objects.get(is_default=True),
                **{name: getattr(source, name) for name in COPIED_FIELDS},
            )
            application.field = _field_in_force(source.field)
            application.rd_management = list(source.rd_management or [])
            workflow.create(
                application,
                by=by,
                name="reapply",
                note=_("重新申请：复制自 %(year)s 年度申请") % {"year": source.year},
                data={"copied_from": source.pk},
            )
            _copy_rows(source, application, by)
    except IntegrityError:
        # Another request created this year's application between the check and the insert.
        raise ApplicationStateError(_("本企业本年度的申请已存在。"), status=ApplicationStatus.DRAFT) from None
    return application


def _copy_rows(source: Application, target: Application, by: User) -> None:
    for model, rows in (
        (ApplicationFiscalYear, source.fiscal_years.all()),
        (IPItem, source.ip_items.all()),
        (Conversion, source.conversions.all()),
        (HighTechProduct, source.products.all()),
    ):
        bulk_create_with_history(rows_for(model, target, rows), model, default_user=by)
