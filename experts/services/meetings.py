"""On-site review meetings (现场评审会): telling the panel, entering signed score sheets, absences.

The meeting is another way of collecting the same scores, not a second scoring model: a sheet is
entered through :func:`experts.services.reviews.review_submit` with ``source="sheet"``, so the band
limits, reasons, locking, amendments and the panel's result are exactly those of online scoring.
What this module adds is the meeting's own rules: only for a meeting draw, only by an official of
the application's district, only for an expert who was present (an absent one is replaced from
the alternates first), and the scanned sheet, checked like every upload and kept with its SHA-256.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from certification import workflow
from certification.models import Application
from core.errors import ApplicationStateError, InvalidInput
from core.uploads import DEFAULT_DISPLAY_NAME, inspect_pdf, read_head_tail, sha256_of
from experts.models import DeclineCause, Draw, Review, ReviewMode, ReviewStatus, ScoreSource

# The replacement's reason as stored on the absent expert's review (data in the default language;
# the msgid is marked for translation where it is shown).
ABSENT_REASON = gettext_noop("未到会")

logger = logging.getLogger(__name__)


# --- Telling the panel ----------------------------------------------------------------------------


def draw_and_notify(
    *,
    application: Application,
    by: User,
    mode: str = ReviewMode.ONLINE,
    meeting_date: dt.date | None = None,
    meeting_place: str = "",
) -> Draw:
    """:func:`experts.services.draws.draw_experts`, then every panel expert is emailed once it commits.

    Same arguments, return value and exceptions as ``draw_experts``; a refused draw sends nothing.
    """
    from experts.services.draws import draw_experts

    with transaction.atomic():
        draw = draw_experts(
            application=application,
            by=by,
            mode=mode,
            meeting_date=meeting_date,
            meeting_place=meeting_place,
        )
        notify_panel(draw)
    return draw


def notify_panel(draw: Draw) -> int:
    """Tell each expert on the draw's panel (declined ones excepted) of their assignment.

    Each expert gets an in-app notice (their inbox) and, per their notification preferences, an email
    once the transaction commits (``notifications.services.notify``). Online: the review link and the
    due date; meeting: the date, the place and what to bring. Each expert gets their own message (the
    panel is blind: no expert learns who else sits on it). Returns how many experts will get an email
    (an expert without an email address has the inbox notice only).
    """
    reviews = (
        Review.objects.filter(draw_id=draw.pk)
        .exclude(status=ReviewStatus.DECLINED)
        .select_related("expert__user", "draw", "application__enterprise__district")
        .order_by("-chair", "kind", "pk")
    )
    return sum(1 for review in reviews if notify_review(review))


ASSIGNMENT_KIND = "review_assigned"  # Notification.kind of an expert's assignment


def notify_review(review: Review) -> bool:
    """The assignment notice of one review: an inbox row now, the email after the commit.

    Written in the expert's language (their notification preference). True when an email goes too."""
    from notifications.services import language_of, notify

    user = review.expert.user
    with translation.override(language_of(user.pk)):
        subject, body = _assignment_email(review)
    notify(
        users=[user],
        kind=ASSIGNMENT_KIND,
        url=reverse("experts:review_detail", args=[review.pk]),
        context={"review_id": review.pk, "application_id": review.application_id},
        subject=subject,
        body=body,
    )
    emailed = bool((user.email or "").strip()) and user.is_active
    if not emailed:
        logger.warning(
            "review %s: expert %s has no email address, told in the inbox only", review.pk, review.expert_id
        )
    return emailed


def notify_assignment(review: Review) -> int:
    """Tell the expert of a review given to them after the draw (an alternate put on the panel): an
    in-app notice and its email through ``notifications.services.notify``, in the expert's language.
    Call inside the caller's transaction: nothing goes out if it rolls back. Returns the notices made."""
    from notifications.services import language_of, notify

    review = Review.objects.select_related("expert__user", "draw", "application__enterprise__district").get(
        pk=review.pk
    )
    user = review.expert.user
    with translation.override(language_of(user.pk)):
        subject, body = _assignment_email(review)
    return len(
        notify(
            users=[user],
            kind="review_assigned",
            url=reverse("experts:review_detail", args=[review.pk]),
            context={"review_id": review.pk, "application_id": review.application_id},
            subject=subject,
            body=body,
        )
    )


def _assignment_email(review: Review) -> tuple[str, str]:
    draw, application = review.draw, review.application
    enterprise = application.enterprise
    role = review.get_kind_display() + (_("，任评审组组长") if review.chair else "")
    values = {
        "name": review.expert.name,
        "enterprise": enterprise.name,
        "id": application.pk,
        "year": application.year,
        "role": role,
        "district": enterprise.district.name if enterprise.district_id else "",
    }
    intro = (
        _(
            "%(name)s 专家：\n\n您已被随机抽取为 %(enterprise)s %(year)s 年度天津市市级高新技术企业认定申请"
            "（申请编号 %(id)s）的评审专家（%(role)s）。"
        )
        % values
    )
    conflict = _(
        "如您与该企业存在利害关系（第十三条），请及时申请回避，由候补专家递补。评审内容须保密，不得对外透露。"
    )
    if draw.mode == ReviewMode.MEETING:
        subject = _("现场评审会通知：%(enterprise)s（申请编号 %(id)s）") % values
        meeting = _(
            "评审方式：现场评审会。\n时间：%(date)s\n地点：%(place)s\n\n"
            "请携带本人身份证件准时到会。申报材料和预先填好指标及建议档次的评分表在会上提供；"
            "请在评分表上填写分值、超出建议范围的理由和评审意见，并签字。"
            "尚未签署本年度保密承诺（第十三条）的，请在会前登录系统签署或在会上签署。"
            "不能到会的，请尽快告知%(district)s工作小组。"
        ) % {
            "date": draw.meeting_date.isoformat() if draw.meeting_date else "—",
            "place": draw.meeting_place or "—",
            "district": values["district"],
        }
        body = "\n\n".join((intro, meeting, conflict))
    else:
        subject = _("评审任务：%(enterprise)s（申请编号 %(id)s）") % values
        url = settings.SITE_URL + reverse("experts:review_detail", args=[review.pk])
        online = _(
            "评审方式：在线评分。请在 %(due)s 前登录系统评分：\n%(url)s\n\n"
            "查看申报材料前须签署本年度保密承诺（第十三条）。评分提交后锁定，修改须说明理由。"
        ) % {"due": review.due_on.isoformat() if review.due_on else "—", "url": url}
        body = "\n\n".join((intro, online, conflict))
    return subject, body


# --- Entering a signed score sheet ----------------------------------------------------------------


def _lock_for_meeting(review: Review, by: User) -> tuple[Application, Review, Draw]:
    """Lock in the order of experts.services.reviews (the draw, its reviews, the application), then
    check the official and the meeting mode. The caller holds the transaction."""
    from experts.services.reviews import _is_district_official_of, _lock

    application, locked, _siblings = _lock(review)
    if not _is_district_official_of(by, application):
        raise PermissionDenied(_("只有本区工作小组可以录入纸质评分表。"))
    draw = Draw.objects.get(pk=locked.draw_id)  # already locked by _lock
    if draw.mode != ReviewMode.MEETING:
        raise ApplicationStateError(
            _("该申请采用在线评分，专家在系统中提交评分；评分表录入和到会登记只用于现场评审会。"),
            status=draw.mode,
        )
    return application, locked, draw


def _sheet_problem(sheet_file: UploadedFile | None) -> str | None:
    if sheet_file is None:
        return _("请上传专家签字的评分表扫描件（PDF）。")
    size = sheet_file.size or 0
    head, tail = read_head_tail(sheet_file, size)
    return inspect_pdf(head, size, sheet_file.name or "", settings.UPLOAD_MAX_BYTES, tail=tail)


def sheet_enter(
    *,
    review: Review,
    by: User,
    scores: Mapping[str, object],
    reasons: Mapping[str, object] | None = None,
    comment: str = "",
    present: bool,
    sheet_file: UploadedFile | None,
) -> Review:
    """An official of the application's district enters one expert's signed sheet of a meeting draw.

    Requires the expert to have been present (an absent expert is replaced first with
    :func:`mark_absent`) and the scanned sheet as a PDF (checked like every upload, stored under a
    generated name with its SHA-256). The scores go through ``review_submit(source="sheet",
    entered_by=by)`` in the same transaction: the same band limits and reasons, the lock, and the
    panel's result when this is the last score. Every field problem at once → ``InvalidInput``
    (``present``, ``sheet``, ``scores.ip``, ``reasons.ip``, ``comment``); nothing is stored then
    (no row changes, no file). The review's history names the official (``history_user``) and
    keeps the expert on the row.
    """
    from experts.services.reviews import _state_error, review_submit

    storage = Review._meta.get_field("sheet").storage
    stored_name = ""
    try:
        with transaction.atomic():
            application, locked, _draw = _lock_for_meeting(review, by)
            if locked.status != ReviewStatus.ASSIGNED:
                raise _state_error(locked)
            if application.status not in workflow.from_statuses("review_complete"):
                raise ApplicationStateError(
                    _("申请当前状态为“%(status)s”，不在专家评审阶段。")
                    % {"status": application.get_status_display()},
                    status=application.status,
                )
            errors: dict[str, list[str]] = {}
            if not present:
                errors["present"] = [
                    _("专家未到会的，不能录入评分表：请先“标记未到会”，由候补专家递补后再录入。")
                ]
            problem = _sheet_problem(sheet_file)
            if problem:
                errors["sheet"] = [problem]
            if not errors and sheet_file is not None:
                digest = sha256_of(sheet_file)
                # upload_to generates the stored name; the official's file name is never part of it.
                locked.sheet.save(DEFAULT_DISPLAY_NAME, sheet_file, save=False)
                stored_name = locked.sheet.name
                # A plain update (no history row of its own): review_submit re-reads the row under
                # its lock and saves it whole, so ONE history row holds the scores, the sheet and
                # the presence, with the official as history_user.
                Review.objects.filter(pk=locked.pk).update(
                    present=True, sheet=stored_name, sheet_sha256=digest
                )
            # The scores are checked even when the sheet or the presence is refused, so every
            # problem is told at once; any error below rolls back this whole block, scores included.
            submitted: Review | None = None
            try:
                submitted = review_submit(
                    review=locked,
                    by=by,
                    scores=scores,
                    reasons=reasons or {},
                    comment=comment,
                    source=ScoreSource.SHEET,
                    entered_by=by,
                )
            except InvalidInput as exc:
                errors = {**exc.errors, **errors}
            if errors or submitted is None:
                raise InvalidInput(errors)
    except BaseException:
        # The row was rolled back: the file must not stay behind.
        if stored_name:
            storage.delete(stored_name)
        raise
    logger.info(
        "review %s (expert %s): score sheet entered by user %s, sha256 %s",
        submitted.pk,
        submitted.expert_id,
        by.pk,
        submitted.sheet_sha256,
    )
    return submitted


def mark_absent(*, review: Review, by: User) -> Review | None:
    """The expert did not come to the meeting: record it and put the next alternate on the panel.

    Only for a meeting draw, only by an official of the application's district, only before the
    expert's sheet is entered. The replacement (the same rules as a declining expert:
    :func:`experts.services.draws.replace_from_alternates`) is emailed the meeting details. Returns
    the replacement's review, or ``None`` when no alternate is left (the district is told by email;
    if the remaining panel is then complete, its result is computed as when an expert declines).
    """
    from experts.services.draws import replace_from_alternates
    from experts.services.reviews import _settle

    with transaction.atomic():
        application, locked, _draw = _lock_for_meeting(review, by)
        if locked.status == ReviewStatus.SUBMITTED:
            raise ApplicationStateError(_("该专家的评分表已录入，不能再标记未到会。"), status=locked.status)
        if locked.status != ReviewStatus.ASSIGNED:
            raise ApplicationStateError(_("该专家已回避或已标记未到会。"), status=locked.status)
        if application.status not in workflow.from_statuses("review_complete"):
            raise ApplicationStateError(
                _("申请当前状态为“%(status)s”，不能更换评审专家。")
                % {"status": application.get_status_display()},
                status=application.status,
            )
        locked.present = False
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["present"])
        replacement = replace_from_alternates(
            review=locked, by=by, reason=ABSENT_REASON, cause=DeclineCause.ABSENT
        )
        if replacement is None:
            fresh = list(Review.objects.filter(draw_id=locked.draw_id).order_by("pk"))
            _settle(application, fresh, by)
        else:
            replacement = Review.objects.select_related(
                "expert__user", "draw", "application__enterprise__district"
            ).get(pk=replacement.pk)
            notify_review(replacement)
    logger.info(
        "review %s (expert %s) marked absent by user %s; replacement %s",
        locked.pk,
        locked.expert_id,
        by.pk,
        replacement.pk if replacement else None,
    )
    return replacement
