"""The district working group's decisions on an application: return, accept (受理), opinion.

Each is one function that locks the row, checks the status, writes the transition and nothing else
(docs/layout.md, `services.py`). Browser and API views call these; none of them writes `status` itself.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from certification import workflow
from certification.models import Application, ApplicationStatus, ApplicationTransition, DocumentKind
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from districts.models import District, Filing, FilingEntry
from workdays.arithmetic import add_calendar_days_excluding_first

REVIEW_LIMIT_DAYS = 40  # 第十条: the district finishes review, publicity and filing within 40 days of 受理


def _locked_for(application: Application, by: User, action: str) -> Application:
    """Lock, check the official's district, and check the status against the workflow's row `action`."""
    application = Application.objects.select_for_update().select_related("enterprise").get(pk=application.pk)
    if by.role != Role.DISTRICT or by.district_id != application.enterprise.district_id:
        # Views only offer applications of the official's district; this guards every other caller.
        raise DomainPermissionDenied(_("您不是该区县的工作小组成员，无权办理此事项。"))
    if application.status not in workflow.from_statuses(action):
        raise ApplicationStateError(
            _("申请当前状态为“%(status)s”，不能执行此操作。") % {"status": application.get_status_display()},
            status=application.status,
        )
    return application


def review_deadline_for(accepted_on) -> object:  # type: ignore[no-untyped-def]
    """Accepted on 1 March → due 10 April: the day of acceptance is not counted (民法典 第201条)."""
    return add_calendar_days_excluding_first(accepted_on, REVIEW_LIMIT_DAYS)


def application_return(
    *,
    application: Application,
    by: User,
    reasons: list[str],
    missing_documents: list[str] | None = None,
    note: str = "",
) -> Application:
    """Return for completion, telling every missing item at once (第十条（3）)."""
    missing_documents = list(dict.fromkeys(missing_documents or []))
    reasons = [r.strip() for r in reasons if r and r.strip()]
    errors: dict[str, list[str]] = {}
    unknown = [k for k in missing_documents if k not in DocumentKind.values]
    if unknown:
        errors["missing_documents"] = [_("未知的材料类别：%(kinds)s。") % {"kinds": "、".join(unknown[:5])}]
    if not reasons and not missing_documents:
        errors["reasons"] = [_("请至少勾选一项缺少的材料或填写一条退回理由。")]
    if any(len(r) > 500 for r in reasons):
        errors.setdefault("reasons", []).append(_("每条理由最多 500 字。"))
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        application = _locked_for(application, by, "return")
        items = [
            _("缺少材料：%(kind)s") % {"kind": DocumentKind(k).label} for k in missing_documents
        ] + reasons
        workflow.transition(
            application,
            "return",
            by=by,
            note=note.strip(),
            data={"reasons": items, "missing_documents": missing_documents},
        )
    return application


def application_accept(*, application: Application, by: User) -> Application:
    """受理: starts the 40-calendar-day clock."""
    with transaction.atomic():
        application = _locked_for(application, by, "accept")
        now = timezone.now()
        application.accepted_at = now
        application.review_deadline = review_deadline_for(timezone.localdate(now))
        application.save(update_fields=["accepted_at", "review_deadline", "updated_at"])
        workflow.transition(
            application,
            "accept",
            by=by,
            data={"review_deadline": application.review_deadline.isoformat()},
        )
    return application


def application_opinion(*, application: Application, by: User, recommend: bool, note: str) -> Application:
    """The district's opinion after the experts' review: recommend or not, with a note."""
    note = note.strip()
    if not recommend and not note:
        raise InvalidInput({"note": [_("不予推荐时须说明理由。")]})
    if len(note) > 2000:
        raise InvalidInput({"note": [_("说明最多 2000 字。")]})
    with transaction.atomic():
        application = _locked_for(application, by, "recommend" if recommend else "not_recommend")
        from experts.selectors import reopened_reviews

        if reopened_reviews(application).exists():
            # A reopened score is not yet back: the result is not final (experts.services.reviews).
            raise ApplicationStateError(
                _("有专家的评分已重新开放、尚未重新提交，待其提交后才能提出区县意见。"),
                status=application.status,
            )
        if recommend and application.review_passed is not True:
            # 第九条（六）: a composite score that is not above the threshold cannot be recommended.
            raise InvalidInput({"recommend": [_("专家综合评分未达到认定要求，不能推荐。")]})
        application.opinion_recommend = recommend
        application.opinion_note = note
        application.opinion_by = by
        application.opinion_at = timezone.now()
        application.save(
            update_fields=["opinion_recommend", "opinion_note", "opinion_by", "opinion_at", "updated_at"]
        )
        workflow.transition(
            application,
            "recommend" if recommend else "not_recommend",
            by=by,
            note=note,
        )
    return application


def filing_create(*, by: User, application_ids: list[int], correction: str = "") -> Filing:
    """报备: the district files applications that passed publicity with the municipal office.

    An application the office returned (报备退回) is filed again the same way, in a new filing; its
    transition keeps the return's reason and, when given, ``correction`` (what the district corrected).
    Each entry keeps the package as it stands now (districts.filing_package) and is marked late when
    filed after the application's 40-day review deadline (never reset by a return); a late filing is
    still accepted.
    """
    from districts.filing_package import is_late, package_for, with_package_relations

    if by.role != Role.DISTRICT:
        raise DomainPermissionDenied(_("只有区县工作小组可以报备。"))
    if not application_ids or len(set(application_ids)) != len(application_ids):
        raise InvalidInput({"applications": [_("请选择要报备的申请（不能重复）。")]})
    correction = (correction or "").strip()
    if len(correction) > REASON_MAX:
        raise InvalidInput({"reason": [_("说明最多 %(n)s 字。") % {"n": REASON_MAX}]})
    with transaction.atomic():
        applications = list(
            with_package_relations(
                Application.objects.select_for_update(of=("self",))
                .filter(pk__in=application_ids)
                .select_related("enterprise")
                .order_by("pk")
            )
        )
        workflow.check_district_batch(
            applications,
            application_ids=application_ids,
            by=by,
            name="file",
            refusal=_("“%(name)s”的申请当前状态为“%(status)s”，只有公示通过或报备退回的申请可以报备。"),
        )
        filing = Filing.objects.create(district_id=by.district_id, created_by=by)
        filed_on = timezone.localdate(filing.created_at)
        for application in applications:
            late = is_late(application, filed_on)
            FilingEntry.objects.create(
                filing=filing,
                application=application,
                review_deadline=application.review_deadline,
                late=late,
                composite_score=application.composite_score,
                package=package_for(application),
            )
            note = _("以%(gov)s名义报备") % {"gov": by.district.government_name}
            data: dict = {"filing": filing.pk, "late": late}
            if application.status == ApplicationStatus.FILING_RETURNED:
                returned = last_filing_return(application)
                note = _("更正后以%(gov)s名义重新报备") % {"gov": by.district.government_name}
                data["refiled"] = True
                data["returned_reason"] = returned.note if returned else ""
                if correction:
                    note += _("。更正说明：%(text)s") % {"text": correction}
                    data["correction"] = correction
            workflow.transition(application, "file", by=by, note=note, data=data)
    return filing


# --- After the office returned a filing (报备退回) --------------------------------------------------

REASON_MAX = 1000  # the district's note on a return (the transition note holds it with a prefix)


def last_filing_return(application: Application) -> ApplicationTransition | None:
    """The office's latest return of this application from a filing (its note is the reason), if any."""
    return (
        ApplicationTransition.objects.filter(
            application=application, to_status=workflow.to_status("filing_return")
        )
        .select_related("by")
        .order_by("-at", "-id")
        .first()
    )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": [_("请填写处理说明（针对市工作小组办公室的退回理由）。")]})
    if len(reason) > REASON_MAX:
        raise InvalidInput({"reason": [_("说明最多 %(n)s 字。") % {"n": REASON_MAX}]})
    return reason


def filing_return_refile(*, application: Application, by: User, reason: str) -> Filing:
    """The district corrected what the office's return named and files the application again (a new
    filing of this one application, in the district government's name); ``reason`` says what changed."""
    reason = _reason(reason)
    with transaction.atomic():
        application = _locked_for(application, by, "file")
        if application.status != ApplicationStatus.FILING_RETURNED:
            raise ApplicationStateError(
                _("申请当前状态为“%(status)s”，只有报备退回的申请可以更正后重新报备。")
                % {"status": application.get_status_display()},
                status=application.status,
            )
        return filing_create(by=by, application_ids=[application.pk], correction=reason)


def filing_return_back_to_review(*, application: Application, by: User, reason: str) -> Application:
    """The return concerns the review: back to 评审完成 so the district gives its opinion again.

    The recorded opinion is withdrawn (kept in the transition's data and the history), so the district
    may also reopen an expert's score before deciding again (experts.services.reviews.review_reopen).
    The 40-day limit is not reset."""
    reason = _reason(reason)
    with transaction.atomic():
        application = _locked_for(application, by, "filing_back_to_review")
        returned = last_filing_return(application)
        previous = {
            "recommend": application.opinion_recommend,
            "note": application.opinion_note,
            "by": application.opinion_by_id,
            "at": application.opinion_at.isoformat() if application.opinion_at else None,
        }
        application.opinion_recommend = None
        application.opinion_note = ""
        application.opinion_by = None
        application.opinion_at = None
        application._history_user = by  # type: ignore[attr-defined]
        application.save(
            update_fields=["opinion_recommend", "opinion_note", "opinion_by", "opinion_at", "updated_at"]
        )
        workflow.transition(
            application,
            "filing_back_to_review",
            by=by,
            note=reason,
            data={"returned_reason": returned.note if returned else "", "previous_opinion": previous},
        )
    return application


def filing_return_back_to_publicity(*, application: Application, by: User, reason: str) -> Application:
    """The return concerns the publicity: back to 拟推荐, to be published again in a new notice (the
    district's opinion stands). The 40-day limit is not reset."""
    reason = _reason(reason)
    with transaction.atomic():
        application = _locked_for(application, by, "filing_back_to_publicity")
        returned = last_filing_return(application)
        workflow.transition(
            application,
            "filing_back_to_publicity",
            by=by,
            note=reason,
            data={"returned_reason": returned.note if returned else ""},
        )
    return application


# --- The working group's contact phone (shown on the home page and the publicity notices) ------------

PHONE_RE = re.compile(r"^[0-9０-９+()（） \-－—]{5,30}$")


def district_set_phone(*, district: District, by: User, phone: str) -> District:
    """The district's own official or the municipal office sets the working group's contact phone."""
    if not (by.role == Role.MUNICIPAL or (by.role == Role.DISTRICT and by.district_id == district.pk)):
        raise DomainPermissionDenied(_("只有本区工作小组或市工作小组办公室可以修改联系电话。"))
    phone = (phone or "").strip()
    if phone and not PHONE_RE.match(phone):
        raise InvalidInput(
            {"phone": [_("联系电话格式不对：只能包含数字、空格、括号、加号和连字符，5–30 位。")]}
        )
    with transaction.atomic():
        row = District.objects.select_for_update().get(pk=district.pk)
        if row.phone != phone:
            row.phone = phone
            row.save(update_fields=["phone"])
    return row
