"""Publicity (公示), objections (异议) and closing: docs/domain.md 第十条（4）.

The notice runs 10 working days from its start date by the municipal working calendar; the day
after its end the scheduler (or the district) closes it.

A rename of a certified enterprise (第十一条, 国科火字〔2011〕123号) is published the same way: a notice of
kind "rename" with one entry naming the change request (certification.lifecycle.services.rename_publish).
Objections are filed against it online with a tracking number; at the end, no upheld objection → the
certificate is reissued with the same number under the new name; an upheld objection → the rename
is refused. Either way the enterprise is told.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Role, User
from certification import workflow
from certification.certificates.services import certificate_reissue
from certification.models import (
    Application,
    Certificate,
    ChangeRequest,
    ChangeStatus,
    EntryOutcome,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    PublicityEntry,
    PublicityNotice,
)
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from workdays.arithmetic import Calendar, Period, add_working_days
from workdays.services import working_days_from

PUBLICITY_WORKING_DAYS = 10
OBJECTION_REASON_MIN, OBJECTION_REASON_MAX = 10, 5000


def publicity_period(start: dt.date, calendar: Calendar | None = None) -> Period:
    if calendar is not None:
        return add_working_days(calendar, start, PUBLICITY_WORKING_DAYS)
    return working_days_from(start, PUBLICITY_WORKING_DAYS)


MAX_START_AHEAD = dt.timedelta(days=366)  # a notice is published for now, not for a far-off year
NOTICE_TITLE_MAX = PublicityNotice._meta.get_field("title").max_length


def publicity_publish(
    *, by: User, application_ids: list[int], start: dt.date, title: str = ""
) -> PublicityNotice:
    """Publish the district's recommended applications; each moves recommended → in_publicity."""
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if by.role != Role.DISTRICT:
        raise DomainPermissionDenied(_("只有区县工作小组可以发布公示。"))
    if not application_ids:
        errors["applications"] = [_("请至少选择一件拟推荐的申请。")]
    if len(set(application_ids)) != len(application_ids):
        errors.setdefault("applications", []).append(_("申请重复。"))
    if start < today:
        errors["start"] = [_("公示开始日期不能早于今天。")]
    elif start > today + MAX_START_AHEAD:
        errors["start"] = [_("公示开始日期不能晚于今天起一年。")]
    title = (title or "").strip()
    if len(title) > NOTICE_TITLE_MAX:
        errors["title"] = [_("公示标题最多 %(max)d 字。") % {"max": NOTICE_TITLE_MAX}]
    if errors:
        raise InvalidInput(errors)
    period = publicity_period(start)
    with transaction.atomic():
        applications = list(
            Application.objects.select_for_update()
            .filter(pk__in=application_ids)
            .select_related("enterprise")
        )
        found = {a.pk for a in applications}
        foreign = [a.pk for a in applications if a.enterprise.district_id != by.district_id]
        missing = [i for i in application_ids if i not in found] + foreign
        if missing:
            raise InvalidInput({"applications": [_("申请不存在或不属于本区：%(ids)s。") % {"ids": missing}]})
        for application in applications:
            if application.status not in workflow.from_statuses("publicise"):
                raise ApplicationStateError(
                    _("“%(name)s”的申请当前状态为“%(status)s”，只有拟推荐的申请可以公示。")
                    % {"name": application.enterprise.name, "status": application.get_status_display()},
                    status=application.status,
                )
        notice = PublicityNotice.objects.create(
            district_id=by.district_id,
            title=title.strip()
            or _("%(district)s %(year)s 年度市级高新技术企业拟认定名单公示")
            % {"district": by.district.name, "year": start.year},
            start=start,
            end=period.end,
            end_confirmed=period.confirmed,
            created_by=by,
        )
        for application in applications:
            PublicityEntry.objects.create(notice=notice, application=application)
            workflow.transition(
                application,
                "publicise",
                by=by,
                note=_("公示期 %(start)s 至 %(end)s")
                % {"start": start.isoformat(), "end": period.end.isoformat()},
                data={"notice": notice.pk},
            )
    return notice


def notice_is_open_for_objections(notice: PublicityNotice, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return notice.status == NoticeStatus.OPEN and notice.start <= today <= notice.end


def objection_file(*, entry: PublicityEntry, name: str, phone: str, reason: str, evidence=None) -> Objection:  # type: ignore[no-untyped-def]
    """A real-name objection against one entry of an open notice."""
    from core.real_name import check_real_name, unique_tracking_number

    checked = check_real_name(
        name=name,
        phone=phone,
        reason=reason,
        evidence=evidence,
        reason_min=OBJECTION_REASON_MIN,
        reason_max=OBJECTION_REASON_MAX,
        reason_message=_("请写明异议理由（10 至 5000 字）。"),
    )
    name, phone, reason, evidence_hash = checked.name, checked.phone, checked.reason, checked.evidence_sha256
    with transaction.atomic():
        notice = PublicityNotice.objects.select_for_update().get(pk=entry.notice_id)
        if not notice_is_open_for_objections(notice):
            raise ApplicationStateError(_("该公示不在公示期内，不能提出异议。"), status=notice.status)
        objection = Objection(
            entry=entry,
            tracking_number=unique_tracking_number("YY", Objection),
            name=name,
            phone=phone,
            reason=reason,
            evidence_sha256=evidence_hash,
        )
        if evidence is not None:
            evidence.seek(0)
            objection.evidence.save("evidence.pdf", evidence, save=False)
        objection.save()
    return objection


def objection_resolve(*, objection: Objection, by: User, upheld: bool, finding: str) -> Objection:
    """The district's finding. Upheld → the application is objection_upheld; dismissed → it continues."""
    finding = finding.strip()
    if not finding:
        raise InvalidInput({"finding": [_("请填写核实结论。")]})
    with transaction.atomic():
        objection = Objection.objects.select_for_update().select_related("entry__notice").get(pk=objection.pk)
        entry = PublicityEntry.objects.select_for_update().get(pk=objection.entry_id)
        if by.role != Role.DISTRICT or by.district_id != entry.notice.district_id:
            raise DomainPermissionDenied(_("您不是该区县的工作小组成员，无权办理此事项。"))
        if objection.status != ObjectionStatus.OPEN:
            raise ApplicationStateError(_("该异议已经核实。"), status=objection.status)
        workflow.set_status(
            "objection", objection, ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
        )
        objection.finding = finding
        objection.decided_by = by
        objection.decided_at = timezone.now()
        objection.save(update_fields=["status", "finding", "decided_by", "decided_at"])
        if entry.change_id is not None:
            _resolve_rename_objection(entry, objection, by, upheld=upheld, finding=finding)
            return objection
        application = Application.objects.select_for_update().get(pk=entry.application_id)
        if upheld:
            entry.outcome = EntryOutcome.OBJECTION_UPHELD
            entry.save(update_fields=["outcome"])
            if application.status in workflow.from_statuses("objection_upheld"):
                workflow.transition(
                    application,
                    "objection_upheld",
                    by=by,
                    note=finding,
                    data={"objection": objection.tracking_number},
                )
        elif (
            entry.outcome == EntryOutcome.AWAITING_FINDING
            and not entry.objections.filter(status=ObjectionStatus.OPEN).exists()
        ):
            # The notice has already closed; this was the last open objection.
            _pass_entry(entry, application, by)
    return objection


def _pass_entry(entry: PublicityEntry, application: Application, by: User | None) -> None:
    entry.outcome = EntryOutcome.PASSED
    entry.save(update_fields=["outcome"])
    if application.status in workflow.from_statuses("publicity_pass"):
        workflow.transition(
            application,
            "publicity_pass",
            by=by,
            data={"notice": entry.notice_id},
        )


def notice_close(
    *, notice: PublicityNotice, by: User | None, today: dt.date | None = None
) -> tuple[PublicityNotice, bool]:
    """Close once the end has passed (409 before); closing a closed notice changes nothing.

    Entries with no open or upheld objection pass; entries with an open objection wait for its finding.
    Returns the notice and whether this call closed it.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        notice = PublicityNotice.objects.select_for_update().get(pk=notice.pk)
        if notice.status == NoticeStatus.CLOSED:
            return notice, False
        if today <= notice.end:
            raise ApplicationStateError(
                _("公示期至 %(end)s 结束，次日起才能结束公示。") % {"end": notice.end.isoformat()},
                status=notice.status,
            )
        for entry in notice.entries.select_for_update().select_related("application"):
            if entry.outcome != EntryOutcome.PENDING:
                continue
            if entry.objections.filter(status=ObjectionStatus.OPEN).exists():
                entry.outcome = EntryOutcome.AWAITING_FINDING
                entry.save(update_fields=["outcome"])
            elif entry.change_id is not None:
                _settle_rename(entry, by, passed=True)
            else:
                application = Application.objects.select_for_update().get(pk=entry.application_id)
                _pass_entry(entry, application, by)
        workflow.set_status("notice", notice, NoticeStatus.CLOSED)
        notice.closed_at = timezone.now()
        notice.closed_by = by
        notice.save(update_fields=["status", "closed_at", "closed_by"])
    return notice, True


# --- Renames on a notice ---------------------------------------------------------------------

RENAME_MESSAGES = {
    "rename_reissued": (
        gettext_noop("证书已更名换发：%(new)s"),
        gettext_noop(
            "贵企业更名为“%(new)s”的公示期已满，无成立的异议，证书已换发：编号 %(number)s 和有效期不变，"
            "原版本作废。可在门户网站下载新版证书。"
        ),
    ),
    "rename_refused": (
        gettext_noop("更名未通过：%(old)s"),
        gettext_noop(
            "贵企业申请将证书上的名称由“%(old)s”更名为“%(new)s”，未通过：%(reason)s 证书 %(number)s 保持原名称。"
        ),
    ),
}


def _tell_enterprise(change: ChangeRequest, kind: str, reason: str = "") -> None:
    """The enterprise's users get an inbox row and an email (after the commit), in their language."""
    from notifications.selectors import Recipients
    from notifications.services import notify, preferences_for

    certificate = change.certificate
    users = Recipients().enterprise_users(certificate.enterprise_id)
    if not users:
        return
    values = {
        "old": change.old_name,
        "new": change.new_name,
        "number": certificate.number,
        "reason": reason,
    }
    languages = preferences_for(u.pk for u in users)
    subject_id, body_id = RENAME_MESSAGES[kind]
    for language in sorted({lang for _mode, lang in languages.values()}):
        with translation.override(language):
            notify(
                users=[u for u in users if languages[u.pk][1] == language],
                kind=kind,
                url=reverse("certification:certificates"),
                context={"change_id": change.pk, "certificate": certificate.number},
                subject=_(subject_id) % values,
                body=_(body_id) % values,
            )


def _settle_rename(
    entry: PublicityEntry, by: User | None, *, passed: bool, reason: str = "", objection: str = ""
) -> None:
    """The rename's end: reissued (publicity passed) or refused (an upheld objection). The caller holds
    the entry's lock; a change no longer in publicity is left as it is."""
    change = ChangeRequest.objects.select_for_update().get(pk=entry.change_id)
    if change.status != ChangeStatus.IN_PUBLICITY:
        return
    certificate = (
        Certificate.objects.select_for_update().select_related("district").get(pk=change.certificate_id)
    )
    if passed and certificate.revoked_at is not None:
        passed, reason = False, _("证书已撤销，不能换发。")
    entry.outcome = EntryOutcome.OBJECTION_UPHELD if objection else EntryOutcome.PASSED
    entry.save(update_fields=["outcome"])
    if passed:
        certificate_reissue(certificate=certificate, new_name=change.new_name, by=by)
        workflow.set_status("change", change, ChangeStatus.APPROVED)
    else:
        workflow.set_status("change", change, ChangeStatus.REJECTED)
        change.note = reason[:2000]
    change.decided_by, change.decided_at = by, timezone.now()
    change._history_user = by  # type: ignore[attr-defined]
    change.save(update_fields=["status", "note", "decided_by", "decided_at"])
    change.certificate = certificate
    _tell_enterprise(change, "rename_reissued" if passed else "rename_refused", reason)


def _resolve_rename_objection(
    entry: PublicityEntry, objection: Objection, by: User, *, upheld: bool, finding: str
) -> None:
    """An upheld objection refuses the rename at once; the last dismissed one after the notice closed
    lets it be reissued."""
    if upheld:
        _settle_rename(
            entry,
            by,
            passed=False,
            reason=_("公示期间的异议（%(number)s）经核实成立：%(finding)s")
            % {"number": objection.tracking_number, "finding": finding},
            objection=objection.tracking_number,
        )
    elif (
        entry.outcome == EntryOutcome.AWAITING_FINDING
        and not entry.objections.filter(status=ObjectionStatus.OPEN).exists()
    ):
        _settle_rename(entry, by, passed=True)


def close_due_notices(today: dt.date | None = None) -> list[int]:
    """The scheduler's part: every open notice whose end has passed. Safe to run twice."""
    today = today or timezone.localdate()
    closed = []
    for notice in PublicityNotice.objects.filter(status=NoticeStatus.OPEN, end__lt=today):
        _notice, did = notice_close(notice=notice, by=None, today=today)
        if did:
            closed.append(notice.pk)
    return closed


def recompute_notice_ends(calendar: Calendar) -> list[tuple[int, dt.date, dt.date]]:
    """After a calendar year is entered: open notices get their end on the official schedule."""
    moved = []
    for notice in PublicityNotice.objects.select_for_update().filter(status=NoticeStatus.OPEN):
        period = publicity_period(notice.start, calendar)
        if (period.end, period.confirmed) != (notice.end, notice.end_confirmed):
            if period.end != notice.end:
                moved.append((notice.pk, notice.end, period.end))
            notice.end, notice.end_confirmed = period.end, period.confirmed
            notice.save(update_fields=["end", "end_confirmed"])
    return moved


def district_officials(district_ids: set[int]) -> dict[int, list[User]]:
    """The active officials of each district, by district id."""
    officials: dict[int, list[User]] = {}
    for user in User.objects.filter(role=Role.DISTRICT, district_id__in=district_ids, is_active=True):
        officials.setdefault(user.district_id, []).append(user)
    return officials


def notices_moved_by_calendar(calendar: Calendar) -> list:
    """The recomputer of open notices (registered with workdays): the district's officials and the
    official who published the notice are told of a moved end."""
    from django.urls import reverse

    from workdays.services import MovedPeriod

    ends = recompute_notice_ends(calendar)
    notices = PublicityNotice.objects.in_bulk([pk for pk, _old, _new in ends])
    officials = district_officials({n.district_id for n in notices.values()})
    moved = []
    for pk, old, new in ends:
        notice = notices[pk]
        users = [notice.created_by, *officials.get(notice.district_id, [])]
        url = reverse("districts:notice_detail", args=[pk])
        moved.append(MovedPeriod("notice", pk, old, new, title=notice.title, url=url, users=users))
    return moved
