"""After the certificate (docs/domain.md procedure 6–7): monitoring reports, renames, major changes, flags.

- Monitoring (第十条（4）：须按时填报市级高企统计监测系统): a half-year report covers January–June and is
  due 31 July of the same year; an annual report covers the calendar year and is due 31 January of
  the next. A period is due when it starts on or after the issue date and its due date falls within
  the validity. Two missing annual reports flag the certificate for revocation.
- Changes (第十一条 → 国科火字〔2011〕123号, 国科发火〔2008〕172号): reported within three months of the
  event. A rename is published for 10 working days as a publicity notice (certification/publicity/:
  online objections, the sweep closes it) and then reissued with the same number and the same
  validity; a major change (并购、分立、重组、转业) sends the certificate back to the district.

Every write is a keyword-only service that locks its rows; views, tasks and admin call these.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Role, User
from certification import workflow
from certification.applications.data import TIANJIN_CODE_PREFIX
from certification.applications.permissions import certificates_visible_to
from certification.certificates.services import certificate_revoke, certificate_status
from certification.eligibility.rules import evaluate_on
from certification.models import (
    OPEN_CHANGE_STATUSES,
    Certificate,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    Enterprise,
    MajorChangeKind,
    MonitoringReport,
    NoticeKind,
    NoticeStatus,
    PublicityEntry,
    PublicityNotice,
    ReportKind,
)
from certification.publicity.services import MAX_START_AHEAD, notice_close, publicity_period
from config.parsers import name_problem
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from core.search import name_or_code
from core.uploads import display_name, inspect_pdf, read_head_tail, sha256_of

# Stored in Certificate.revocation_flag (several reasons joined by FLAG_SEPARATOR); data, so the
# stored text is fixed Chinese and the msgids only mark them for the translators' glossary.
MAJOR_CHANGE_FLAG = gettext_noop("重大变化待复核")
MISSING_ANNUAL_FLAG = gettext_noop("两年年度统计监测数据未填报")
FLAG_SEPARATOR = "；"
MISSING_ANNUAL_LIMIT = 2
CHANGE_REPORT_MONTHS = 3
MONEY_MAX = Decimal("999999999999999.99")  # max_digits=17, decimal_places=2
INT_MAX = 2_147_483_647


# --- Who may see what ---------------------------------------------------------------------------


def changes_visible_to(user: Any) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.filter(certificate__in=certificates_visible_to(user))


def _require_enterprise_of(by: User, certificate: Certificate) -> None:
    if by.role != Role.ENTERPRISE or by.enterprise_id != certificate.enterprise_id:
        raise DomainPermissionDenied(_("您不是该证书所属企业的用户。"))


def _require_district_of(by: User, certificate: Certificate) -> None:
    if by.role != Role.DISTRICT or by.district_id != certificate.district_id:
        raise DomainPermissionDenied(_("您不是该区县的工作小组成员，无权办理此事项。"))


# --- Report periods (pure) ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportPeriod:
    kind: str
    period: str
    starts_on: dt.date
    ends_on: dt.date
    due_on: dt.date

    @property
    def label(self) -> str:
        year = self.starts_on.year
        if self.kind == ReportKind.HALF_YEAR:
            return _("%(year)s 年上半年") % {"year": year}
        return _("%(year)s 年度") % {"year": year}

    @property
    def key(self) -> str:
        """One form value naming the report: "half_year:2027H1", "annual:2027"."""
        return f"{self.kind}:{self.period}"

    def is_missing_on(self, today: dt.date) -> bool:
        """Overdue from the day after the due date (31 July is still on time)."""
        return today > self.due_on


def periods_of_year(year: int) -> list[ReportPeriod]:
    return [
        ReportPeriod(
            ReportKind.HALF_YEAR, f"{year}H1", dt.date(year, 1, 1), dt.date(year, 6, 30), dt.date(year, 7, 31)
        ),
        ReportPeriod(
            ReportKind.ANNUAL, f"{year}", dt.date(year, 1, 1), dt.date(year, 12, 31), dt.date(year + 1, 1, 31)
        ),
    ]


def periods_within_validity(issued_on: dt.date, valid_until: dt.date) -> list[ReportPeriod]:
    """Every report the certificate owes: started on or after the issue date, due within the validity."""
    periods = [
        p
        for year in range(issued_on.year, valid_until.year + 1)
        for p in periods_of_year(year)
        if p.starts_on >= issued_on and p.due_on <= valid_until
    ]
    return sorted(periods, key=lambda p: p.due_on)


def report_periods(issued_on: dt.date, valid_until: dt.date, today: dt.date) -> list[ReportPeriod]:
    """The reports that can be filed by `today`: those owed whose period is over."""
    return [p for p in periods_within_validity(issued_on, valid_until) if p.ends_on < today]


def parse_period(kind: str, period: str) -> ReportPeriod | None:
    """("half_year", "2027H1") or ("annual", "2027") → the period, else None."""
    period = (period or "").strip().upper()
    if kind == ReportKind.HALF_YEAR:
        if not period.endswith("H1"):
            return None
        year_text = period[:-2]
    elif kind == ReportKind.ANNUAL:
        year_text = period
    else:
        return None
    if len(year_text) != 4 or not year_text.isdigit():
        return None
    year = int(year_text)
    if not 2000 <= year <= 2100:
        return None
    return next(p for p in periods_of_year(year) if p.kind == kind)


def three_months_after(day: dt.date, months: int = CHANGE_REPORT_MONTHS) -> dt.date:
    """民法典 第202条: a period in months ends on the corresponding day, or the month's last day if none."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


# --- Flags on the certificate -------------------------------------------------------------------


def flags_of(certificate: Certificate) -> list[str]:
    return [f for f in certificate.revocation_flag.split(FLAG_SEPARATOR) if f]


def _with_flag(text: str, flag: str) -> str:
    flags = [f for f in text.split(FLAG_SEPARATOR) if f]
    return FLAG_SEPARATOR.join(flags if flag in flags else [*flags, flag])[:200]


def _without_flag(text: str, flag: str) -> str:
    return FLAG_SEPARATOR.join(f for f in text.split(FLAG_SEPARATOR) if f and f != flag)


# --- Monitoring reports -------------------------------------------------------------------------

REPORT_FIELDS = {
    "revenue": gettext_noop("营业收入"),
    "rd_expense": gettext_noop("研究开发费用"),
    "staff_total": gettext_noop("职工总数"),
    "new_ip_count": gettext_noop("新增知识产权数"),
}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _money(value: Any, name: str, errors: dict[str, list[str]]) -> Decimal | None:
    label = _(REPORT_FIELDS[name])
    if _blank(value):
        errors[name] = [_("请填写%(label)s（元）。") % {"label": label}]
        return None
    if isinstance(value, bool):
        errors[name] = [_("%(label)s应为金额（元）。") % {"label": label}]
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        errors[name] = [_("%(label)s应为金额（元），如 1234567.89。") % {"label": label}]
        return None
    if not amount.is_finite():
        errors[name] = [_("%(label)s应为金额（元），如 1234567.89。") % {"label": label}]
    elif amount < 0:
        errors[name] = [_("%(label)s不能为负数。") % {"label": label}]
    elif amount.as_tuple().exponent < -2:  # type: ignore[operator]
        errors[name] = [_("%(label)s最多保留两位小数（分）。") % {"label": label}]
    elif amount > MONEY_MAX:
        errors[name] = [_("%(label)s超出可填写的范围。") % {"label": label}]
    else:
        return amount.quantize(Decimal("0.01"))
    return None


def _count(value: Any, name: str, errors: dict[str, list[str]]) -> int | None:
    label = _(REPORT_FIELDS[name])
    if _blank(value):
        errors[name] = [_("请填写%(label)s。") % {"label": label}]
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.lstrip("-").isdigit():
        errors[name] = [_("%(label)s应为整数。") % {"label": label}]
        return None
    number = int(text)
    if number < 0:
        errors[name] = [_("%(label)s不能为负数。") % {"label": label}]
    elif number > INT_MAX:
        errors[name] = [_("%(label)s超出可填写的范围。") % {"label": label}]
    else:
        return number
    return None


def monitoring_report_file(
    *, certificate: Certificate, by: User, kind: str, period: str, data: dict[str, Any]
) -> MonitoringReport:
    """File one period's monitoring data; a late report is accepted and marked late, a second one is a 409."""
    _require_enterprise_of(by, certificate)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    owed = parse_period(kind, period)
    if owed is None:
        errors["period"] = [_("报告期无效：半年报如“2027H1”，年报如“2027”。")]
    elif owed not in report_periods(certificate.issued_on, certificate.valid_until, today):
        if owed in periods_within_validity(certificate.issued_on, certificate.valid_until):
            errors["period"] = [_("%(label)s尚未结束，期满后才能填报。") % {"label": owed.label}]
        else:
            errors["period"] = [_("%(label)s不在本证书应填报的报告期内。") % {"label": owed.label}]
    values = {
        "revenue": _money(data.get("revenue"), "revenue", errors),
        "rd_expense": _money(data.get("rd_expense"), "rd_expense", errors),
        "staff_total": _count(data.get("staff_total"), "staff_total", errors),
        "new_ip_count": _count(data.get("new_ip_count"), "new_ip_count", errors),
    }
    if errors:
        raise InvalidInput(errors)
    assert owed is not None
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked_at:
            raise ApplicationStateError(_("该证书已撤销，无需再填报统计监测数据。"), status="revoked")
        if MonitoringReport.objects.filter(
            certificate=certificate, kind=owed.kind, period=owed.period
        ).exists():
            raise ApplicationStateError(
                _("%(label)s%(kind)s已经填报，不能重复填报。")
                % {"label": owed.label, "kind": ReportKind(owed.kind).label},
                status="filed",
            )
        report = MonitoringReport(
            certificate=certificate,
            kind=owed.kind,
            period=owed.period,
            due_on=owed.due_on,
            late=today > owed.due_on,
            filed_by=by,
            **values,
        )
        report._history_user = by  # type: ignore[attr-defined]
        report.save()
    return report


@dataclass
class ReportRow:
    """One owed report as the enterprise sees it."""

    period: ReportPeriod
    report: MonitoringReport | None
    state: str  # filed | filed_late | open | overdue | upcoming

    @property
    def fileable(self) -> bool:
        return self.state in ("open", "overdue")


def report_schedule(
    certificate: Certificate, reports: list[MonitoringReport], today: dt.date
) -> list[ReportRow]:
    """Every report the certificate owes with its state; `reports` are the certificate's filed ones."""
    filed = {(r.kind, r.period): r for r in reports}
    rows = []
    for p in periods_within_validity(certificate.issued_on, certificate.valid_until):
        report = filed.get((p.kind, p.period))
        if report is not None:
            state = "filed_late" if report.late else "filed"
        elif certificate.revoked_at or p.ends_on >= today:
            state = "upcoming"
        else:
            state = "overdue" if p.is_missing_on(today) else "open"
        if certificate.revoked_at and report is None:
            continue  # after revocation nothing more is owed
        rows.append(ReportRow(period=p, report=report, state=state))
    return rows


@dataclass
class MissingReports:
    certificate: Certificate
    missing: list[ReportPeriod] = field(default_factory=list)

    @property
    def missing_annual(self) -> int:
        return sum(1 for p in self.missing if p.kind == ReportKind.ANNUAL)


def _missing_for(
    certificates: list[Certificate],
    filed: set[tuple[int, str, str]],
    today: dt.date,
    kinds: tuple[str, ...] = tuple(ReportKind.values),
) -> list[MissingReports]:
    rows = []
    for certificate in certificates:
        missing = [
            p
            for p in periods_within_validity(certificate.issued_on, certificate.valid_until)
            if p.kind in kinds and p.is_missing_on(today) and (certificate.pk, p.kind, p.period) not in filed
        ]
        if missing:
            rows.append(MissingReports(certificate=certificate, missing=missing))
    return rows


def _valid_on(today: dt.date) -> Q:
    return Q(revoked_at__isnull=True, valid_until__gte=today)


def missing_reports(district_id: int, today: dt.date | None = None) -> list[MissingReports]:
    """The district's valid certificates that miss reports whose due date has passed (two queries)."""
    today = today or timezone.localdate()
    certificates = list(
        Certificate.objects.filter(_valid_on(today), district_id=district_id)
        .select_related("enterprise")
        .order_by("enterprise_name", "number")
    )
    filed = set(
        MonitoringReport.objects.filter(
            certificate__district_id=district_id,
            certificate__revoked_at__isnull=True,
            certificate__valid_until__gte=today,
        ).values_list("certificate_id", "kind", "period")
    )
    return _missing_for(certificates, filed, today)


def flag_missing_annual_reports(today: dt.date | None = None) -> list[Certificate]:
    """Flag every valid certificate with two missing annual reports; returns the ones newly flagged.

    Safe to run twice: a certificate already flagged is left alone. A flag whose reports have since
    been filed (late) is taken off again, so the flag always says what holds today.
    """
    today = today or timezone.localdate()
    certificates = list(Certificate.objects.filter(_valid_on(today)).order_by("pk"))
    filed = set(
        MonitoringReport.objects.filter(
            kind=ReportKind.ANNUAL, certificate__revoked_at__isnull=True, certificate__valid_until__gte=today
        ).values_list("certificate_id", "kind", "period")
    )
    over = {
        row.certificate.pk
        for row in _missing_for(certificates, filed, today, kinds=(ReportKind.ANNUAL,))
        if row.missing_annual >= MISSING_ANNUAL_LIMIT
    }
    flagged: list[Certificate] = []
    for certificate in certificates:
        has_flag = MISSING_ANNUAL_FLAG in flags_of(certificate)
        if (certificate.pk in over) == has_flag:
            continue
        with transaction.atomic():
            locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
            if locked.revoked_at:
                continue
            text = (_with_flag if certificate.pk in over else _without_flag)(
                locked.revocation_flag, MISSING_ANNUAL_FLAG
            )
            if text == locked.revocation_flag:
                continue
            locked.revocation_flag = text
            locked.save(update_fields=["revocation_flag"])
            if certificate.pk in over:
                flagged.append(locked)
    return flagged


# --- Change requests: shared checks -------------------------------------------------------------


def _check_evidence(evidence: Any, errors: dict[str, list[str]]) -> str:
    """The evidence PDF, checked like the application materials; returns its SHA-256."""
    if evidence is None:
        errors["evidence"] = [_("请上传证明材料（PDF）。")]
        return ""
    size = evidence.size or 0
    head, tail = read_head_tail(evidence, size)
    problem = inspect_pdf(head, size, evidence.name or "", settings.UPLOAD_MAX_BYTES, tail=tail)
    if problem:
        errors["evidence"] = [problem]
        return ""
    return sha256_of(evidence)


def _check_event_date(event_date: Any, today: dt.date, errors: dict[str, list[str]]) -> dt.date | None:
    if not isinstance(event_date, dt.date):
        errors["event_date"] = [_("请填写变更发生日期。")]
        return None
    if event_date > today:
        errors["event_date"] = [_("变更发生日期不能晚于今天。")]
        return None
    return event_date


def _locked_valid_certificate(certificate: Certificate, today: dt.date) -> Certificate:
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    status = certificate_status(certificate, today)
    if status != "valid":
        raise ApplicationStateError(
            _("证书当前状态为“%(status)s”，不能申请变更。") % {"status": status_label(status)}, status=status
        )
    open_change = certificate.change_requests.filter(status__in=OPEN_CHANGE_STATUSES).first()
    if open_change is not None:
        raise ApplicationStateError(
            _("该证书已有一项正在办理的变更（%(change)s），办结后才能再次申请。")
            % {"change": open_change.get_kind_display()},
            status=open_change.status,
        )
    return certificate


def _save_with_evidence(change: ChangeRequest, evidence: Any, by: User, stored: list[str]) -> ChangeRequest:
    """Save the row and its evidence under a generated name; the caller deletes `stored` on failure."""
    evidence.seek(0)
    change.evidence.save("evidence.pdf", evidence, save=False)
    stored.append(change.evidence.name)
    change._history_user = by  # type: ignore[attr-defined]
    change.save()
    return change


def _delete_stored(stored: list[str]) -> None:
    # The row was not written (or was rolled back): its evidence file must not stay behind.
    storage = ChangeRequest._meta.get_field("evidence").storage
    for name in stored:
        storage.delete(name)


def status_label(status: str) -> str:
    return {"valid": _("有效"), "expired": _("已过期"), "revoked": _("已撤销")}.get(status, status)


def _lock_change(change: ChangeRequest) -> tuple[ChangeRequest, Certificate]:
    change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
    certificate = Certificate.objects.select_for_update().get(pk=change.certificate_id)
    return change, certificate


def _wrong_status(change: ChangeRequest, action: str) -> ApplicationStateError:
    return ApplicationStateError(
        _("该变更申请当前状态为“%(status)s”，不能%(action)s。")
        % {"status": change.get_status_display(), "action": action},
        status=change.status,
    )


# --- Renames ------------------------------------------------------------------------------------


def rename_request(
    *, certificate: Certificate, by: User, new_name: str, evidence: Any, event_date: dt.date | None
) -> ChangeRequest:
    """The enterprise asks for its certificate under a new name, within three months of the rename."""
    _require_enterprise_of(by, certificate)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    new_name = (new_name or "").strip()
    if not new_name or len(new_name) > 200:
        errors["new_name"] = [_("请填写新的企业名称（200 字以内）。")]
    elif name_problem(new_name):
        errors["new_name"] = [name_problem(new_name)]
    elif new_name == certificate.enterprise_name:
        errors["new_name"] = [_("新名称与证书上的企业名称相同。")]
    event = _check_event_date(event_date, today, errors)
    if event is not None and today > three_months_after(event):
        errors["event_date"] = [
            _("更名发生于 %(event)s，已超过三个月（应在 %(deadline)s 前申请）。请与所在区工作小组联系。")
            % {"event": event.isoformat(), "deadline": three_months_after(event).isoformat()}
        ]
    digest = _check_evidence(evidence, errors)
    if errors:
        raise InvalidInput(errors)
    return _file_change(
        certificate=certificate,
        today=today,
        by=by,
        evidence=evidence,
        digest=digest,
        kind=ChangeKind.RENAME,
        new_name=new_name,
        event_date=event,
        status=ChangeStatus.REQUESTED,
    )


def _file_change(
    *,
    certificate: Certificate,
    today: dt.date,
    by: User,
    evidence: Any,
    digest: str,
    then: Callable[[Certificate], None] | None = None,
    **fields: Any,
) -> ChangeRequest:
    """Record a checked change request with its evidence on the locked, still valid certificate (then
    ``then(certificate)`` in the same transaction); a stored evidence file is removed if anything fails."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            certificate = _locked_valid_certificate(certificate, today)
            change = ChangeRequest(
                certificate=certificate,
                old_name=certificate.enterprise_name,
                evidence_name=display_name(evidence.name or ""),
                evidence_size=evidence.size or 0,
                evidence_sha256=digest,
                requested_by=by,
                **fields,
            )
            _save_with_evidence(change, evidence, by, stored)
            if then is not None:
                then(certificate)
    except BaseException:
        _delete_stored(stored)
        raise
    return change


RENAME_TITLE_MAX = PublicityNotice._meta.get_field("title").max_length


def rename_publish(*, change: ChangeRequest, by: User, start: dt.date) -> ChangeRequest:
    """The district publishes the rename for 10 working days from `start`: a publicity notice of kind
    "rename" with one entry naming the change (certification/publicity/: objections online with tracking
    numbers, closed by the sweep the day after its end, which reissues or refuses)."""
    if not isinstance(start, dt.date):
        raise InvalidInput({"start": [_("请填写公示开始日期。")]})
    if start < timezone.localdate():
        raise InvalidInput({"start": [_("公示开始日期不能早于今天。")]})
    if start > timezone.localdate() + MAX_START_AHEAD:
        raise InvalidInput({"start": [_("公示开始日期不能晚于今天起一年。")]})
    period = publicity_period(start)
    with transaction.atomic():
        change, certificate = _lock_change(change)
        _require_district_of(by, certificate)
        if change.kind != ChangeKind.RENAME or change.status != ChangeStatus.REQUESTED:
            raise _wrong_status(change, _("发布公示"))
        if certificate.revoked_at:
            raise ApplicationStateError(_("该证书已撤销。"), status="revoked")
        notice = PublicityNotice.objects.create(
            district_id=certificate.district_id,
            kind=NoticeKind.RENAME,
            title=(
                _("关于“%(old)s”更名为“%(new)s”的公示") % {"old": change.old_name, "new": change.new_name}
            )[:RENAME_TITLE_MAX],
            start=start,
            end=period.end,
            end_confirmed=period.confirmed,
            created_by=by,
        )
        PublicityEntry.objects.create(notice=notice, application_id=certificate.application_id, change=change)
        workflow.set_status("change", change, ChangeStatus.IN_PUBLICITY)
        change.published_by = by
        change._history_user = by  # type: ignore[attr-defined]
        change.save(update_fields=["status", "published_by"])
    return change


def rename_complete(*, change: ChangeRequest, by: User, today: dt.date | None = None) -> ChangeRequest:
    """The district closes the rename's notice once its end has passed, as the sweep would the next
    night (publicity.services.notice_close): reissued, or waiting for the finding on an open objection."""
    with transaction.atomic():
        change, certificate = _lock_change(change)
        _require_district_of(by, certificate)
        if change.kind != ChangeKind.RENAME or change.status != ChangeStatus.IN_PUBLICITY:
            raise _wrong_status(change, _("办结更名"))
        notice = change.notice
        assert notice is not None
        if notice.status == NoticeStatus.OPEN and (today or timezone.localdate()) <= notice.end:
            raise ApplicationStateError(
                _("更名公示期至 %(end)s 结束，次日起才能办结。") % {"end": notice.end.isoformat()},
                status=change.status,
            )
        notice_close(notice=notice, by=by, today=today)
    change.refresh_from_db()
    return change


def rename_reject(*, change: ChangeRequest, by: User, note: str) -> ChangeRequest:
    """The district refuses a rename before publishing it, with its reason. Once published, a rename is
    refused only by an upheld objection (publicity.services.objection_resolve)."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput({"note": [_("请填写不予更名的理由。")]})
    with transaction.atomic():
        change, certificate = _lock_change(change)
        _require_district_of(by, certificate)
        if change.kind != ChangeKind.RENAME or change.status != ChangeStatus.REQUESTED:
            raise _wrong_status(change, _("退回"))
        workflow.set_status("change", change, ChangeStatus.REJECTED)
        change.note = note
        change.decided_by, change.decided_at = by, timezone.now()
        change._history_user = by  # type: ignore[attr-defined]
        change.save(update_fields=["status", "note", "decided_by", "decided_at"])
    return change


# --- Major changes ------------------------------------------------------------------------------

KEEP_AGAINST_FAILED_CHECK = gettext_lazy("按企业填报的变化后数据核验，有认定条件未满足；保留资格须写明理由。")


def major_change_report(
    *,
    certificate: Certificate,
    by: User,
    kind: str,
    description: str,
    evidence: Any,
    event_date: dt.date | None,
    facts: Any,
) -> ChangeRequest:
    """A merger, split, restructuring or change of main business: the certificate goes back to the district.

    A report after three months is still taken (and marked late): refusing it would leave a changed
    enterprise certified without the re-check the rule exists for.

    ``facts`` are the enterprise's data after the change, as the eligibility check's request body
    (docs/api.md: ``field_code``, ``staff``, ``fiscal_years``, ``ip``, optionally ``composite_score``;
    registration comes from the enterprise record). They are judged on the event date under the rule
    set in force that day, and stored with the answer for the district's re-check. Bad facts are
    InvalidInput keyed by field path (``staff.rd``), with the other fields' problems, nothing written.
    """
    _require_enterprise_of(by, certificate)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if kind not in MajorChangeKind.values:
        errors["kind"] = [_("请选择重大变化的类型（并购、分立、重组或主营业务变更）。")]
    description = (description or "").strip()
    if len(description) < 10 or len(description) > 5000:
        errors["description"] = [_("请说明变化情况（10 至 5000 字）。")]
    event = _check_event_date(event_date, today, errors)
    digest = _check_evidence(evidence, errors)
    body, answer = _major_change_facts(certificate, facts, event, errors)
    if errors:
        raise InvalidInput(errors)
    assert event is not None

    def flag(locked: Certificate) -> None:
        locked.revocation_flag = _with_flag(locked.revocation_flag, MAJOR_CHANGE_FLAG)
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["revocation_flag"])

    return _file_change(
        certificate=certificate,
        today=today,
        by=by,
        evidence=evidence,
        digest=digest,
        then=flag,
        kind=ChangeKind.MAJOR,
        major_kind=kind,
        description=description,
        event_date=event,
        reported_late=today > three_months_after(event),
        facts=body,
        check_result=answer,
        status=ChangeStatus.RECHECK,
    )


FACT_KEYS = ("field_code", "staff", "fiscal_years", "ip", "composite_score")


def _major_change_facts(
    certificate: Certificate, facts: Any, event: dt.date | None, errors: dict[str, list[str]]
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The facts as stored (registration from the enterprise) and the engine's answer, in Chinese.

    Problems go into ``errors`` under the engine's field paths; without a valid event date the facts
    cannot be judged (the date's own error says why).
    """
    if not isinstance(facts, dict) or not facts:
        errors["facts"] = [_("请填写变化后的人员、财务和知识产权数据，用于复核认定条件。")]
        return None, None
    unknown = sorted(key for key in facts if key not in FACT_KEYS)
    for key in unknown:  # and the rest is still checked, so every problem is named at once
        errors[key] = [_("不能填写此项：注册信息取自企业注册信息，规则集和评估日期由变更发生日期决定。")]
    if event is None:
        return None, None
    facts = {key: value for key, value in facts.items() if key in FACT_KEYS}
    enterprise = Enterprise.objects.select_related("district").get(pk=certificate.enterprise_id)
    body = {
        **facts,
        "registered_on": enterprise.registered_on.isoformat(),
        "registered_in_tianjin": enterprise.district.code.startswith(TIANJIN_CODE_PREFIX),
    }
    answer, problems = evaluate_on(body, on=event)  # messages in the user's language
    if problems or unknown:
        errors.update(problems)
        return None, None
    if translation.get_language() != settings.LANGUAGE_CODE:
        with translation.override(settings.LANGUAGE_CODE):  # the record is kept in Chinese
            answer, _problems = evaluate_on(body, on=event)
    return body, answer


def major_change_decide(*, change: ChangeRequest, by: User, keep: bool, note: str) -> ChangeRequest:
    """The district's re-check: keep the certification (the flag goes) or revoke it.

    Keeping it although the check of the facts after the change found a condition not met needs the
    district's reason in ``note``.
    """
    note = (note or "").strip()
    if not keep and not note:
        raise InvalidInput({"note": [_("撤销资格须写明复核意见（将作为撤销理由）。")]})
    with transaction.atomic():
        change, certificate = _lock_change(change)
        _require_district_of(by, certificate)
        if change.kind != ChangeKind.MAJOR or change.status != ChangeStatus.RECHECK:
            raise _wrong_status(change, _("作出复核决定"))
        if keep and change.check_failed and not note:
            raise InvalidInput({"note": [str(KEEP_AGAINST_FAILED_CHECK)]})
        if certificate.revoked_at:
            raise ApplicationStateError(_("该证书已撤销。"), status="revoked")
        if not keep:
            certificate_revoke(
                certificate=certificate,
                by=by,
                reason=_("重大变化（%(kind)s）复核后不再符合认定条件：%(note)s")
                % {"kind": change.get_major_kind_display(), "note": note},
            )
            certificate.refresh_from_db()
        certificate.revocation_flag = _without_flag(certificate.revocation_flag, MAJOR_CHANGE_FLAG)
        certificate._history_user = by  # type: ignore[attr-defined]
        certificate.save(update_fields=["revocation_flag"])
        workflow.set_status("change", change, ChangeStatus.APPROVED if keep else ChangeStatus.REJECTED)
        change.note = note
        change.decided_by, change.decided_at = by, timezone.now()
        change._history_user = by  # type: ignore[attr-defined]
        change.save(update_fields=["status", "note", "decided_by", "decided_at"])
    return change


# --- Selectors for the pages --------------------------------------------------------------------

CERTIFICATE_FILTERS = ("valid", "expired", "revoked", "flagged")


def district_certificates(
    district_id: int, *, query: str = "", status: str = "", today: dt.date | None = None
) -> QuerySet[Certificate]:
    """The district's certificates with the count of open changes, filtered; one query per page."""
    today = today or timezone.localdate()
    qs = Certificate.objects.filter(district_id=district_id).select_related("enterprise")
    if query:
        qs = qs.filter(name_or_code(query, names=("enterprise_name",), codes=("uscc", "number")))
    if status == "valid":
        qs = qs.filter(_valid_on(today))
    elif status == "expired":
        qs = qs.filter(revoked_at__isnull=True, valid_until__lt=today)
    elif status == "revoked":
        qs = qs.filter(revoked_at__isnull=False)
    elif status == "flagged":
        qs = qs.filter(revoked_at__isnull=True).exclude(revocation_flag="")
    return qs.annotate(
        open_changes=Count("change_requests", filter=Q(change_requests__status__in=OPEN_CHANGE_STATUSES))
    ).order_by("-issued_on", "number")


def enterprise_certificates(enterprise_id: int) -> QuerySet[Certificate]:
    return (
        Certificate.objects.filter(enterprise_id=enterprise_id)
        .prefetch_related("versions", "monitoring_reports", "change_requests__publicity_entries__notice")
        .order_by("-issued_on", "number")
    )
