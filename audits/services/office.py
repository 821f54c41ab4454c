"""The municipal office's writes: yearly targets, public reports (举报) and supervision checks (监督检查).

Every function is keyword-only, checks who acts, locks the row it changes and records who and when
(docs/layout.md, `services.py`). Browser views and any later API call these; none of them writes a status itself.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from audits.models import (
    CheckKind,
    CheckStatus,
    Report,
    ReportStatus,
    SpotCheckDraw,
    SupervisionCheck,
    Target,
)
from certification.certificates.services import certificate_revoke
from certification.models import Certificate
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from core.real_name import check_real_name, unique_tracking_number
from districts.models import District

TARGET_MAX = 100_000
SPOT_CHECK_MAX = 500
SPOT_CHECK_ALGORITHM = "spot-1"  # random.Random(f"{version}:{seed}").sample over ascending certificate ids
REASON_MIN, REASON_MAX = 10, 5000
FINDING_MAX = 5000


def _require_office(by: User) -> None:
    if by.role != Role.MUNICIPAL:
        raise DomainPermissionDenied(_("只有市工作小组办公室可以办理此事项。"))


# --- Targets ------------------------------------------------------------------------------------


def target_set(*, by: User, year: int, district: District, certified_target: int, pool_target: int) -> Target:
    """Set (or change) a district's target for a year; the history keeps every earlier value."""
    _require_office(by)
    errors: dict[str, list[str]] = {}
    if not isinstance(year, int) or not 2015 <= year <= 2100:
        errors["year"] = [_("年度应在 2015 至 2100 之间。")]
    for key, value in (("certified_target", certified_target), ("pool_target", pool_target)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= TARGET_MAX:
            errors[key] = [_("目标数应为 0 至 %(max)s 之间的整数。") % {"max": TARGET_MAX}]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        target = Target.objects.select_for_update().filter(year=year, district=district).first()
        if target is None:
            return Target.objects.create(
                year=year,
                district=district,
                certified_target=certified_target,
                pool_target=pool_target,
                set_by=by,
            )
        if (target.certified_target, target.pool_target) != (certified_target, pool_target):
            target.certified_target = certified_target
            target.pool_target = pool_target
            target.set_by = by
            target.save(update_fields=["certified_target", "pool_target", "set_by", "set_at"])
    return target


# --- Reports (举报) -----------------------------------------------------------------------------


def find_certified(text: str) -> Certificate | None:
    """The certificate a reporter names by its number or by the enterprise's credit code (the current one)."""
    text = "".join(text.split()).upper()
    if not text:
        return None
    return (
        Certificate.objects.select_related("enterprise", "district")
        .filter(Q(number=text) | Q(uscc=text) | Q(enterprise__uscc=text), revoked_at__isnull=True)
        .order_by("-issued_on", "-id")
        .first()
    )


def report_file(
    *, certificate: Certificate, name: str, phone: str, reason: str, evidence: Any = None
) -> Report:
    """A real-name report from the public about a certified enterprise; no login."""
    checked = check_real_name(
        name=name,
        phone=phone,
        reason=reason,
        evidence=evidence,
        reason_min=REASON_MIN,
        reason_max=REASON_MAX,
        reason_message=_("请写明举报事项（%(min)s 至 %(max)s 字）。")
        % {"min": REASON_MIN, "max": REASON_MAX},
    )
    name, phone, reason, evidence_hash = checked.name, checked.phone, checked.reason, checked.evidence_sha256
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked_at:
            raise ApplicationStateError(_("该企业的证书已撤销，不再受理举报。"), status="revoked")
        report = Report(
            certificate=certificate,
            enterprise_id=certificate.enterprise_id,
            district_id=certificate.district_id,
            tracking_number=unique_tracking_number("JB", Report),
            reporter_name=name,
            reporter_phone=phone,
            reason=reason,
            evidence_sha256=evidence_hash,
        )
        if evidence is not None:
            evidence.seek(0)
            report.evidence.save("evidence.pdf", evidence, save=False)
        report.save()
    return report


def report_resolve(*, report: Report, by: User, upheld: bool, finding: str, revoke: bool = False) -> Report:
    """The district's recorded finding. Upheld with `revoke` ticked revokes the certificate in the same step.

    Revocation follows 国科发火〔2008〕172号 (fraud, a major accident or violation); the finding is its reason.
    """
    finding = finding.strip()
    errors: dict[str, list[str]] = {}
    if not finding or len(finding) > FINDING_MAX:
        errors["finding"] = [_("请填写核查结论（%(max)s 字以内）。") % {"max": FINDING_MAX}]
    if revoke and not upheld:
        errors["revoke"] = [_("只有举报属实时才能撤销证书。")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if by.role != Role.DISTRICT or by.district_id != report.district_id:
            raise DomainPermissionDenied(_("您不是该区县的工作小组成员，无权办理此事项。"))
        if report.status != ReportStatus.OPEN:
            raise ApplicationStateError(_("该举报已经核查。"), status=report.status)
        if revoke:
            certificate_revoke(
                certificate=report.certificate,
                by=by,
                reason=_("举报查实（%(number)s）：%(finding)s")
                % {"number": report.tracking_number, "finding": finding},
            )
        report.status = ReportStatus.UPHELD if upheld else ReportStatus.DISMISSED
        report.finding = finding
        report.certificate_revoked = bool(revoke)
        report.decided_by = by
        report.decided_at = timezone.now()
        report.save(update_fields=["status", "finding", "certificate_revoked", "decided_by", "decided_at"])
    return report


# --- Supervision checks (监督检查) ---------------------------------------------------------------


def check_schedule(
    *,
    by: User,
    kind: str,
    district: District,
    scheduled_on: dt.date,
    subject: str,
    certificate: Certificate | None = None,
) -> SupervisionCheck:
    """Plan a check of a district's work, or of one certified enterprise of the district."""
    _require_office(by)
    subject = subject.strip()
    errors: dict[str, list[str]] = {}
    if kind not in CheckKind.values:
        errors["kind"] = [_("请选择检查类型。")]
    if not subject or len(subject) > 200:
        errors["subject"] = [_("请填写检查事项（200 字以内）。")]
    if kind == CheckKind.SPOT_CHECK:
        if certificate is None:
            errors["certificate"] = [_("企业抽查须指定证书。")]
        elif certificate.district_id != district.pk:
            errors["certificate"] = [_("该证书不属于所选的区。")]
        elif certificate.revoked_at:
            errors["certificate"] = [_("该证书已撤销。")]
    elif certificate is not None:
        errors["certificate"] = [_("区县工作检查不指定证书。")]
    if errors:
        raise InvalidInput(errors)
    return SupervisionCheck.objects.create(
        kind=kind,
        district=district,
        certificate=certificate,
        subject=subject,
        scheduled_on=scheduled_on,
        created_by=by,
    )


def spot_check_eligible(year: int) -> list[int]:
    """Certificates held during `year` and not revoked, by ascending id: the pool a draw chooses from."""
    return list(
        Certificate.objects.filter(
            revoked_at__isnull=True,
            issued_on__lte=dt.date(year, 12, 31),
            valid_until__gte=dt.date(year, 1, 1),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def draw_spot_checks(
    eligible_ids: list[int], count: int, seed: str, version: str = SPOT_CHECK_ALGORITHM
) -> list[int]:
    """Pure: the same ids, count, seed and version always choose the same certificates, in the same order."""
    if version != SPOT_CHECK_ALGORITHM:
        raise ValueError(f"unknown spot-check algorithm {version!r}")
    pool = sorted(set(eligible_ids))
    return random.Random(f"{version}:{seed}").sample(pool, min(count, len(pool)))


def check_random_spot_checks(
    *, by: User, year: int, count: int, seed: str = "", scheduled_on: dt.date | None = None
) -> SpotCheckDraw:
    """Draw `count` certified enterprises at random and plan one spot check for each.

    Without a seed one is generated; the seed and the eligible certificates are stored with the draw.
    """
    _require_office(by)
    seed = seed.strip()
    errors: dict[str, list[str]] = {}
    if not isinstance(year, int) or not 2015 <= year <= 2100:
        errors["year"] = [_("年度应在 2015 至 2100 之间。")]
    if not isinstance(count, int) or not 1 <= count <= SPOT_CHECK_MAX:
        errors["count"] = [_("抽查数量应为 1 至 %(max)s。") % {"max": SPOT_CHECK_MAX}]
    if len(seed) > 64:
        errors["seed"] = [_("随机种子最多 64 个字符。")]
    if errors:
        raise InvalidInput(errors)
    seed = seed or secrets.token_hex(16)
    scheduled_on = scheduled_on or timezone.localdate()
    with transaction.atomic():
        # Draws are independent of each other: no lock, the snapshot is what this draw chose from.
        eligible = spot_check_eligible(year)
        if not eligible:
            raise InvalidInput({"year": [_("%(year)s 年度没有可抽查的有效证书。") % {"year": year}]})
        chosen = draw_spot_checks(eligible, count, seed)
        draw = SpotCheckDraw.objects.create(
            year=year,
            count=count,
            seed=seed,
            algorithm_version=SPOT_CHECK_ALGORITHM,
            eligible_ids=eligible,
            chosen_ids=chosen,
            scheduled_on=scheduled_on,
            created_by=by,
        )
        certificates = Certificate.objects.in_bulk(chosen)
        subject = _("%(year)s 年度高新技术企业随机抽查") % {"year": year}
        for pk in chosen:
            SupervisionCheck.objects.create(
                kind=CheckKind.SPOT_CHECK,
                district_id=certificates[pk].district_id,
                certificate=certificates[pk],
                draw=draw,
                subject=subject,
                scheduled_on=scheduled_on,
                created_by=by,
            )
    return draw


def spot_check_replay(draw: SpotCheckDraw) -> list[int]:
    """Re-run a stored draw from its seed and pool snapshot; equal to `draw.chosen_ids` unless tampered with."""
    return draw_spot_checks(list(draw.eligible_ids), draw.count, draw.seed, draw.algorithm_version)


def check_record_result(*, check: SupervisionCheck, by: User, result: str, findings: str) -> SupervisionCheck:
    """Record what the check found; a recorded check is closed and stays as recorded."""
    _require_office(by)
    result, findings = result.strip(), findings.strip()
    errors: dict[str, list[str]] = {}
    if not result or len(result) > 200:
        errors["result"] = [_("请填写检查结果（200 字以内）。")]
    if len(findings) > FINDING_MAX:
        errors["findings"] = [_("最多 %(max)s 字。") % {"max": FINDING_MAX}]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        check = SupervisionCheck.objects.select_for_update().get(pk=check.pk)
        if check.status != CheckStatus.PLANNED:
            raise ApplicationStateError(_("该检查已记录结果。"), status=check.status)
        check.status = CheckStatus.DONE
        check.result = result
        check.findings = findings
        check.done_by = by
        check.done_at = timezone.now()
        check.save(update_fields=["status", "result", "findings", "done_by", "done_at"])
    return check
