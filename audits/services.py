"""The municipal office's decisions: auditing district filings (审核检查)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from certification.errors import ApplicationStateError, InvalidInput
from certification.models import Application, ApplicationStatus
from certification.services import record_transition
from districts.models import Filing, FilingEntry, FilingStatus


def filing_decide(*, filing: Filing, by: User, decisions: list[dict]) -> Filing:
    """Approve or return each filed application; a return needs a reason. Decided entries stay decided."""
    if by.role != Role.MUNICIPAL:
        raise PermissionError("only the municipal office decides")
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
            if application.status != ApplicationStatus.FILED:
                raise ApplicationStateError(_("申请当前状态不能审核。"), status=application.status)
            entry.approved = d["approved"]
            entry.reason = str(d.get("reason") or "").strip()
            entry.decided_by = by
            entry.decided_at = now
            entry.save(update_fields=["approved", "reason", "decided_by", "decided_at"])
            record_transition(
                application=application,
                to_status=ApplicationStatus.APPROVED if d["approved"] else ApplicationStatus.FILING_RETURNED,
                by=by,
                note=entry.reason,
                data={"filing": filing.pk},
            )
        if not FilingEntry.objects.filter(filing=filing, approved__isnull=True).exists():
            filing.status = FilingStatus.DECIDED
            filing.decided_at = now
            filing.save(update_fields=["status", "decided_at"])
    return filing
