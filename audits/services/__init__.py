"""The municipal office's decisions: auditing district filings (审核检查)."""

from __future__ import annotations

import random
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from audits.models import FilingSample, FilingSampleCheck
from certification import workflow
from certification.models import Application, ApplicationStatus
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from districts.models import Filing, FilingEntry, FilingStatus

FILING_SAMPLE_ALGORITHM = "filing-sample-1"
RESULT_MAX = 2000


def filing_decide(*, filing: Filing, by: User, decisions: list[dict]) -> Filing:
    """Approve or return each filed application; a return needs a reason. Decided entries stay decided."""
    if by.role != Role.MUNICIPAL:
        raise DomainPermissionDenied(_("只有市工作小组办公室可以作出审核决定。"))
    errors: dict[str, list[str]] = {}
    if not decisions:
        errors["decisions"] = [_("请至少对一件申请作出审核决定。")]
    seen: set[int] = set()
    for i, d in enumerate(decisions):
        if (
            not isinstance(d, dict)
            or not isinstance(d.get("application"), int)
            or not isinstance(d.get("approved"), bool)
        ):
            errors[f"decisions[{i}]"] = [_("每项须包含 application（编号）和 approved（true/false）。")]
            continue
        if d["application"] in seen:
            errors[f"decisions[{i}].application"] = [_("同一申请重复。")]
        seen.add(d["application"])
        if not d["approved"] and not str(d.get("reason") or "").strip():
            errors[f"decisions[{i}].reason"] = [_("退回时须说明理由。")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        filing = Filing.objects.select_for_update().get(pk=filing.pk)
        entries = {e.application_id: e for e in filing.entries.select_for_update()}
        unknown = [d["application"] for d in decisions if d["application"] not in entries]
        if unknown:
            raise InvalidInput({"decisions": [_("申请不在本次报备中：%(ids)s。") % {"ids": unknown}]})
        now = timezone.now()
        for d in decisions:
            entry = entries[d["application"]]
            if entry.approved is not None:
                raise ApplicationStateError(
                    _("该申请已经审核。"),
                    status=ApplicationStatus.APPROVED
                    if entry.approved
                    else ApplicationStatus.FILING_RETURNED,
                )
            application = Application.objects.select_for_update().get(pk=entry.application_id)
            if application.status not in workflow.from_statuses("approve"):
                raise ApplicationStateError(_("申请当前状态不能审核。"), status=application.status)
            entry.approved = d["approved"]
            entry.reason = str(d.get("reason") or "").strip()
            entry.decided_by = by
            entry.decided_at = now
            entry.save(update_fields=["approved", "reason", "decided_by", "decided_at"])
            workflow.transition(
                application,
                "approve" if d["approved"] else "filing_return",
                by=by,
                note=entry.reason,
                data={"filing": filing.pk},
            )
        if not FilingEntry.objects.filter(filing=filing, approved__isnull=True).exists():
            workflow.set_status("filing", filing, FilingStatus.DECIDED)
            filing.decided_at = now
            filing.save(update_fields=["status", "decided_at"])
    return filing


# --- Random samples of a filing for a deeper check --------------------------------------------------


def draw_filing_sample(
    entry_ids: list[int], size: int, seed: str, version: str = FILING_SAMPLE_ALGORITHM
) -> list[int]:
    """Pure: the same entries, size, seed and version always choose the same entries, in the same order."""
    if version != FILING_SAMPLE_ALGORITHM:
        raise ValueError(f"unknown filing-sample algorithm {version!r}")
    pool = sorted(set(entry_ids))
    return random.Random(f"{version}:{seed}").sample(pool, min(size, len(pool)))


def filing_sample_draw(*, filing: Filing, by: User, size: object, seed: str = "") -> FilingSample:
    """Draw ``size`` entries of ``filing`` at random for a deeper check; one pending check per entry.

    Without a seed one is generated; the seed and the entries drawn from are stored with the sample.
    """
    if by.role != Role.MUNICIPAL:
        raise DomainPermissionDenied(_("只有市工作小组办公室可以抽查报备材料。"))
    seed = (seed or "").strip()
    errors: dict[str, list[str]] = {}
    if len(seed) > 64:
        errors["seed"] = [_("随机种子最多 64 个字符。")]
    with transaction.atomic():
        filing = Filing.objects.select_for_update().get(pk=filing.pk)
        eligible = sorted(filing.entries.values_list("pk", flat=True))
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= len(eligible):
            errors["size"] = [_("抽查数量应为 1 至 %(max)s（本次报备的企业数）。") % {"max": len(eligible)}]
        if errors:
            raise InvalidInput(errors)
        seed = seed or secrets.token_hex(16)
        chosen = draw_filing_sample(eligible, size, seed)
        sample = FilingSample.objects.create(
            filing=filing,
            size=size,
            seed=seed,
            algorithm_version=FILING_SAMPLE_ALGORITHM,
            eligible_ids=eligible,
            chosen_ids=chosen,
            created_by=by,
        )
        FilingSampleCheck.objects.bulk_create(FilingSampleCheck(sample=sample, entry_id=pk) for pk in chosen)
    return sample


def filing_sample_replay(sample: FilingSample) -> list[int]:
    """Re-run a stored sample from its seed and snapshot; equal to ``sample.chosen_ids`` unless tampered with."""
    return draw_filing_sample(list(sample.eligible_ids), sample.size, sample.seed, sample.algorithm_version)


def filing_sample_record(
    *, check: FilingSampleCheck, by: User, passed: object, result: str
) -> FilingSampleCheck:
    """The result of the deeper check of one sampled entry: passed or a problem, with what was found."""
    if by.role != Role.MUNICIPAL:
        raise DomainPermissionDenied(_("只有市工作小组办公室可以记录抽查结果。"))
    result = (result or "").strip()
    errors: dict[str, list[str]] = {}
    if not isinstance(passed, bool):
        errors["passed"] = [_("请选择检查结果：无问题或发现问题。")]
    if not result:
        errors["result"] = [_("请填写检查情况。")]
    elif len(result) > RESULT_MAX:
        errors["result"] = [_("检查情况最多 %(max)s 字。") % {"max": RESULT_MAX}]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        check = FilingSampleCheck.objects.select_for_update().get(pk=check.pk)
        if check.passed is not None:
            raise ApplicationStateError(_("该企业的抽查结果已经记录。"), status="recorded")
        check.passed = passed
        check.result = result
        check.recorded_by = by
        check.recorded_at = timezone.now()
        check.save(update_fields=["passed", "result", "recorded_by", "recorded_at"])
    return check
