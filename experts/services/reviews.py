"""Every write to an expert review: submitting scores, reopening and amending a locked score, declining.

Scores are sealed (docs/domain.md “Expert review”): once submitted, the expert cannot change them.
Only the district of the application may reopen ONE expert's score, with a reason, before its
opinion on the result (``review_reopen``); the expert is told and submits again, and every changed
indicator is kept as an amendment (old, new, the reason, who reopened).

The browser pages, the API and (later) the district's sheet entry call these functions. Each opens
a transaction, locks the draw, its reviews in id order and then the application (always in that
order, as the draw service does, so concurrent writers cannot deadlock), checks the status and writes.
The panel's result is computed here, once, when the last score of the panel comes in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from certification import workflow
from certification.applications.data import rule_set_for
from certification.models import Application
from core.errors import ApplicationStateError, InvalidInput
from experts.models import (
    DeclineCause,
    Draw,
    Review,
    ReviewMode,
    ReviewStatus,
    ScoreAmendment,
    ScoreReopening,
    ScoreSource,
)
from experts.scoring import (
    INDICATORS,
    check_points,
    composite,
    indicator_bands,
    indicator_label,
    indicators_for_kind,
    parse_points,
    passed,
    spread_flag,
)
from experts.selectors import review_facts

_REASON_MAX = 1000
_REPLACE_REASON_MAX = 300  # stored as the review's declined_reason
_COMMENT_MAX = 5000
# Amendments are possible while the district has not yet given its opinion on the result.
AMENDABLE_APPLICATION_STATUSES = workflow.REVIEW_STATUSES


@dataclass(frozen=True)
class PanelOutcome:
    composite: Decimal
    passed: bool
    spread_flag: bool


def _lock(review: Review) -> tuple[Application, Review, list[Review]]:
    """Lock the draw, its reviews (id order), then the application — the order of
    experts.services.draws.replace_from_alternates, so the two can never deadlock each other."""
    Draw.objects.select_for_update().filter(pk=review.draw_id).values_list("pk", flat=True).get()
    siblings = list(
        Review.objects.select_for_update(of=("self",))
        .filter(draw_id=review.draw_id)
        .select_related("expert")
        .order_by("pk")
    )
    locked = next(r for r in siblings if r.pk == review.pk)
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("rule_set", "enterprise")
        .prefetch_related("fiscal_years", "ip_items", "conversions")
        .get(pk=review.application_id)
    )
    return application, locked, siblings


def _is_district_official_of(user: User, application: Application) -> bool:
    return user.role == Role.DISTRICT and user.district_id == application.enterprise.district_id


SEALED_MESSAGE = gettext_lazy(
    "评分已提交并锁定，专家本人不能再修改。如确需更正，请联系区县工作小组重新开放您的评分（须说明理由）。"
)


def _state_error(review: Review) -> ApplicationStateError:
    if review.status == ReviewStatus.SUBMITTED:
        message = str(SEALED_MESSAGE)
    elif review.status == ReviewStatus.DECLINED:
        message = _("该评审任务已回避，不能再操作。")
    else:
        message = _("评审任务当前状态为“%(status)s”，不能执行此操作。") % {
            "status": review.get_status_display()
        }
    return ApplicationStateError(message, status=review.status)


def panel_outcome(application: Application, reviews: list[Review]) -> PanelOutcome | None:
    """The result once the panel is complete, else None.

    Complete = every non-declined review of the draw is submitted, and there is at least one
    technical and one financial score (a panel that lost its only financial expert with no
    alternate left waits for the district to add one).
    """
    active = [r for r in reviews if r.status != ReviewStatus.DECLINED]
    if not active or any(r.status != ReviewStatus.SUBMITTED for r in active):
        return None
    technical = [_points_of(r) for r in active if r.kind != "financial"]
    financial = [_points_of(r) for r in active if r.kind == "financial"]
    if not technical or not financial:
        return None
    rules = rule_set_for(application)
    value = composite(technical, financial)
    # Totals are comparable only within a kind (80 vs 20 points): see experts.scoring.
    totals = [sum((v for v in row.values()), Decimal(0)) for row in technical]
    return PanelOutcome(
        composite=value,
        passed=passed(value, rules.score_threshold, rules.score_strict),
        spread_flag=spread_flag(totals),
    )


def _points_of(review: Review) -> dict[str, Decimal]:
    return {k: getattr(review, k) for k in indicators_for_kind(review.kind)}


def _settle(application: Application, reviews: list[Review], by: User) -> None:
    """Write the panel's result when it is complete; the first time, move the application to reviewed."""
    outcome = panel_outcome(application, reviews)
    if outcome is None:
        return
    application.composite_score = outcome.composite
    application.review_passed = outcome.passed
    application.score_spread_flag = outcome.spread_flag
    application._history_user = by  # type: ignore[attr-defined]
    application.save(update_fields=["composite_score", "review_passed", "score_spread_flag", "updated_at"])
    if application.status in workflow.from_statuses("review_complete"):
        workflow.transition(
            application,
            "review_complete",
            by=by,
            note=_("专家评分全部提交，综合评分 %(score)s 分。") % {"score": outcome.composite},
            data={
                "composite_score": str(outcome.composite),
                "review_passed": outcome.passed,
                "score_spread_flag": outcome.spread_flag,
            },
        )


def review_submit(
    *,
    review: Review,
    by: User,
    scores: Mapping[str, object],
    reasons: Mapping[str, object] | None = None,
    comment: str = "",
    source: str = ScoreSource.ONLINE,
    entered_by: User | None = None,
) -> Review:
    """Submit and lock one expert's scores; the last score of the panel computes the result.

    ``source="sheet"``: a district official of the application's district enters a paper score sheet
    (``entered_by`` defaults to ``by``). Any problem → InvalidInput with every field error at once
    (``scores.ip``, ``reasons.ip``, ``comment``) and nothing changes.
    """
    reasons = reasons or {}
    with transaction.atomic():
        application, locked, siblings = _lock(review)
        if source == ScoreSource.SHEET:
            if not _is_district_official_of(by, application):
                raise PermissionDenied(_("只有本区工作小组可以录入纸质评分表。"))
        elif source == ScoreSource.ONLINE:
            if locked.expert.user_id != by.pk:
                raise PermissionDenied(_("只有被抽取的专家本人可以提交评分。"))
        else:
            raise InvalidInput({"source": [_("未知的评分来源。")]})
        if locked.status != ReviewStatus.ASSIGNED:
            raise _state_error(locked)
        # A score the district reopened may come back while the application is already ``reviewed``.
        resubmission = application.status in AMENDABLE_APPLICATION_STATUSES and open_reopening(locked)
        if application.status not in workflow.from_statuses("review_complete") and not resubmission:
            raise ApplicationStateError(
                _("申请当前状态为“%(status)s”，不在专家评审阶段。")
                % {"status": application.get_status_display()},
                status=application.status,
            )

        errors: dict[str, list[str]] = {}
        wanted = indicators_for_kind(locked.kind)
        if not isinstance(scores, Mapping):
            raise InvalidInput({"scores": [_("评分须为“指标: 分值”的对象。")]})
        if not isinstance(reasons, Mapping):
            raise InvalidInput({"reasons": [_("理由须为“指标: 理由”的对象。")]})
        for key in scores:
            if key not in wanted:
                if key in INDICATORS:
                    message = _("%(kind)s不评“%(indicator)s”。") % {
                        "kind": locked.get_kind_display(),
                        "indicator": indicator_label(key),
                    }
                else:
                    message = _("未知的评分指标。")
                errors[f"scores.{key}"] = [message]
        for key in reasons:
            if key not in wanted:
                errors[f"reasons.{key}"] = [_("该指标不由本专家评分。")]
        bands = indicator_bands(review_facts(application))
        points: dict[str, Decimal] = {}
        kept_reasons: dict[str, str] = {}
        for indicator in wanted:
            reason = _text(reasons.get(indicator))
            if len(reason) > _REASON_MAX:
                errors[f"reasons.{indicator}"] = [_("理由最多 %(n)s 字。") % {"n": _REASON_MAX}]
            if indicator not in scores:
                errors[f"scores.{indicator}"] = [
                    _("请填写“%(indicator)s”的分值。") % {"indicator": indicator_label(indicator)}
                ]
                continue
            value = parse_points(scores[indicator])
            if value is None:
                errors[f"scores.{indicator}"] = [_("请填写分值（数字）。")]
                continue
            band = bands[indicator]
            problem = check_points(indicator, value, band, reason)
            if problem:
                errors[f"scores.{indicator}"] = [problem]
                continue
            points[indicator] = value
            if not band.contains(value):
                kept_reasons[indicator] = reason
        comment_text = _text(comment)
        if len(comment_text) > _COMMENT_MAX:
            errors["comment"] = [_("评审意见最多 %(n)s 字。") % {"n": _COMMENT_MAX}]
        if errors:
            raise InvalidInput(errors)

        reopening = open_reopening(locked)
        if reopening is not None:
            for indicator, value in points.items():
                old = parse_points(reopening.previous.get(indicator))
                if old != value:
                    amendment = ScoreAmendment(
                        review=locked,
                        indicator=indicator,
                        old_points=old,
                        new_points=value,
                        reason=reopening.reason,
                        by=by,
                        reopening=reopening,
                    )
                    amendment._history_user = by  # type: ignore[attr-defined]
                    amendment.save()
            reopening.resubmitted_at = timezone.now()
            reopening._history_user = by  # type: ignore[attr-defined]
            reopening.save(update_fields=["resubmitted_at"])
        for indicator, value in points.items():
            setattr(locked, indicator, value)
        locked.out_of_band_reasons = kept_reasons
        locked.comment = comment_text
        workflow.set_status("review", locked, ReviewStatus.SUBMITTED)
        locked.submitted_at = timezone.now()
        locked.source = source
        locked.entered_by = (entered_by or by) if source == ScoreSource.SHEET else None
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save()
        _settle(application, siblings, by)
    return locked


def review_amend(*, review: Review, by: User, indicator: str, points: object, reason: str) -> ScoreAmendment:
    """The district corrects one score of a paper score sheet it entered: old, new, reason and who are kept.

    An expert's own submitted score is sealed: the expert gets a 409 (``SEALED_MESSAGE``); the
    district reopens it instead (``review_reopen``).

    The same band rule applies (a reason is always given here). If the panel is complete, the
    result is recomputed (the application stays ``reviewed``; its composite is updated).
    """
    with transaction.atomic():
        application, locked, siblings = _lock(review)
        sheet_official = locked.source == ScoreSource.SHEET and _is_district_official_of(by, application)
        if locked.expert.user_id == by.pk:
            if locked.status == ReviewStatus.SUBMITTED:
                # Sealed: the expert never changes a submitted score; the district may reopen it.
                raise ApplicationStateError(str(SEALED_MESSAGE), status=locked.status)
        elif not sheet_official:
            raise PermissionDenied(_("评分已锁定：只有本区工作小组可以更正其录入的纸质评分表。"))
        if locked.status != ReviewStatus.SUBMITTED:
            message = (
                _("评分尚未提交，请直接填写并提交评分。")
                if locked.status == ReviewStatus.ASSIGNED
                else _("该评审任务已回避，不能再操作。")
            )
            raise ApplicationStateError(message, status=locked.status)
        if application.status not in AMENDABLE_APPLICATION_STATUSES:
            raise ApplicationStateError(
                _("申请当前状态为“%(status)s”，评分不能再修改。")
                % {"status": application.get_status_display()},
                status=application.status,
            )
        errors: dict[str, list[str]] = {}
        reason_text = _text(reason)
        if not reason_text:
            errors["reason"] = [_("修正评分须说明理由。")]
        elif len(reason_text) > _REASON_MAX:
            errors["reason"] = [_("理由最多 %(n)s 字。") % {"n": _REASON_MAX}]
        if indicator not in indicators_for_kind(locked.kind):
            errors["indicator"] = [_("该指标不由本专家评分。")]
            raise InvalidInput(errors)
        band = indicator_bands(review_facts(application))[indicator]
        value = parse_points(points)
        if value is None:
            errors["points"] = [_("请填写分值（数字）。")]
        elif problem := check_points(indicator, value, band, reason_text):
            errors["points"] = [problem]
        elif value == getattr(locked, indicator):
            errors["points"] = [_("新分值与原分值相同。")]
        if errors or value is None:
            raise InvalidInput(errors)
        old = getattr(locked, indicator)
        amendment = ScoreAmendment(
            review=locked, indicator=indicator, old_points=old, new_points=value, reason=reason_text, by=by
        )
        amendment._history_user = by  # type: ignore[attr-defined]
        amendment.save()
        setattr(locked, indicator, value)
        reasons = dict(locked.out_of_band_reasons or {})
        if band.contains(value):
            reasons.pop(indicator, None)
        else:
            reasons[indicator] = reason_text
        locked.out_of_band_reasons = reasons
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=[indicator, "out_of_band_reasons"])
        _settle(application, siblings, by)
    return amendment


def review_decline(*, review: Review, by: User, reason: str) -> Review | None:
    """The expert declines (e.g. a conflict noticed late): the next alternate of the draw replaces them.

    The expert themself or the district official of the application's district (an expert who
    phones in) may decline an assignment that is not yet scored. Returns the replacement review, or
    None when the draw has no alternate left (the district must then add an expert).
    """
    from experts.services.draws import replace_from_alternates

    reason_text = _text(reason)
    with transaction.atomic():
        application, locked, siblings = _lock(review)
        if not (locked.expert.user_id == by.pk or _is_district_official_of(by, application)):
            raise PermissionDenied(_("只有被抽取的专家本人或本区工作小组可以办理回避。"))
        if locked.status != ReviewStatus.ASSIGNED:
            raise _state_error(locked)
        if open_reopening(locked) is not None:
            raise ApplicationStateError(
                _("该评分已由区县工作小组重新开放，请修改后重新提交，不能回避。"), status=locked.status
            )
        # The reason is checked (required, ≤ 300) by replace_from_alternates, one rule in one place.
        replacement = replace_from_alternates(review=locked, by=by, reason=reason_text)
        # Without a replacement the remaining panel may now be complete.
        if replacement is None:
            fresh = list(Review.objects.filter(draw_id=locked.draw_id).order_by("pk"))
            _settle(application, fresh, by)
    return replacement


def review_replace_overdue(*, review: Review, by: User, reason: str, today: dt.date | None = None) -> Review:
    """The district replaces an online expert whose scoring deadline has passed with the next usable
    alternate of the draw (the overdue notice invites it: experts.clocks).

    Only an official of the application's district (403); a reason is required (400); 409 when the
    draw is a meeting (an absent expert is registered on the meeting page), the review is not an
    unscored assignment, its score was reopened, its due date has not passed, the application is no
    longer under review, or no alternate is left — in each case nothing changes. The replaced review
    is declined with the cause, the reason, who and when (the draw record lists it), so its expert no
    longer reads the application's material nor scores; the alternate gets an in-app notice and an
    email. Returns the alternate's review.
    """
    from experts.services.draws import SHANGHAI, replace_from_alternates
    from experts.services.meetings import notify_assignment

    reason_text = _text(reason)
    if not reason_text:
        raise InvalidInput({"reason": [_("请填写更换理由。")]})
    if len(reason_text) > _REPLACE_REASON_MAX:
        raise InvalidInput({"reason": [_("更换理由最多 %(n)s 字。") % {"n": _REPLACE_REASON_MAX}]})
    today = today or timezone.localdate(timezone=SHANGHAI)
    with transaction.atomic():
        application, locked, _siblings = _lock(review)
        if not _is_district_official_of(by, application):
            raise PermissionDenied(_("只有本区工作小组可以更换评审专家。"))
        if locked.draw.mode != ReviewMode.ONLINE:
            raise ApplicationStateError(
                _("现场评审会的专家未到会时，请在评审会页面登记“未到会”，由候补专家递补。"),
                status=locked.status,
            )
        if locked.status != ReviewStatus.ASSIGNED:
            raise _state_error(locked)
        if open_reopening(locked) is not None:
            raise ApplicationStateError(
                _("该评分已由区县工作小组重新开放，专家已评过分，不能更换。"), status=locked.status
            )
        if locked.due_on is None or locked.due_on >= today:
            raise ApplicationStateError(
                _("该专家的评分期限（%(due)s）尚未届满，不能更换；逾期未评分的，可从候补专家中更换。")
                % {"due": locked.due_on.isoformat() if locked.due_on else "—"},
                status=locked.status,
            )
        replacement = replace_from_alternates(
            review=locked,
            by=by,
            reason=reason_text,
            cause=DeclineCause.OVERDUE,
            refuse_without_alternate=True,
        )
        assert replacement is not None  # refuse_without_alternate: a 409 otherwise
        notify_assignment(replacement)
    return replacement


def open_reopening(review: Review) -> ScoreReopening | None:
    """The district's reopening of this review that the expert has not yet answered, if any."""
    return review.reopenings.filter(resubmitted_at__isnull=True).order_by("-at", "-id").first()


def review_reopen(*, review: Review, by: User, reason: str) -> ScoreReopening:
    """The district reopens ONE expert's submitted score, with a required reason, before its opinion.

    The review goes back to ``assigned`` (its points stay, pre-filled for the expert); the panel's
    result on the application is cleared until the expert submits again (no stale composite); the
    expert is emailed. 403 for anyone but an official of the application's district; 409 when the
    score is not submitted or the district's opinion is recorded; 400 without a reason.
    """
    reason_text = _text(reason)
    with transaction.atomic():
        application, locked, siblings = _lock(review)
        if not _is_district_official_of(by, application):
            raise PermissionDenied(_("只有本区工作小组可以重新开放专家评分。"))
        if locked.status != ReviewStatus.SUBMITTED:
            raise ApplicationStateError(
                _("该评审任务当前状态为“%(status)s”，只有已提交的评分可以重新开放。")
                % {"status": locked.get_status_display()},
                status=locked.status,
            )
        if application.status not in AMENDABLE_APPLICATION_STATUSES or application.opinion_at is not None:
            raise ApplicationStateError(
                _("申请当前状态为“%(status)s”，区县意见已提出或评审已结束，评分不能再重新开放。")
                % {"status": application.get_status_display()},
                status=application.status,
            )
        if not reason_text:
            raise InvalidInput({"reason": [_("重新开放评分须说明理由。")]})
        if len(reason_text) > _REASON_MAX:
            raise InvalidInput({"reason": [_("理由最多 %(n)s 字。") % {"n": _REASON_MAX}]})
        previous = {
            k: (None if getattr(locked, k) is None else str(getattr(locked, k)))
            for k in indicators_for_kind(locked.kind)
        }
        reopening = ScoreReopening(review=locked, reason=reason_text, previous=previous, by=by)
        reopening._history_user = by  # type: ignore[attr-defined]
        reopening.save()
        workflow.set_status("review", locked, ReviewStatus.ASSIGNED)
        locked.submitted_at = None
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["status", "submitted_at"])
        # The panel is incomplete again: no composite until the expert has submitted again.
        application.composite_score = None
        application.review_passed = None
        application.score_spread_flag = False
        application._history_user = by  # type: ignore[attr-defined]
        application.save(
            update_fields=["composite_score", "review_passed", "score_spread_flag", "updated_at"]
        )
        _tell_expert_reopened(locked, application, reason_text)
    return reopening


def _tell_expert_reopened(review: Review, application: Application, reason: str) -> None:
    """Tell the expert that the district reopened their score, with the reason: an in-app notice and
    its email (notifications.services.notify, in the expert's language), sent once the caller commits."""
    from django.urls import reverse
    from django.utils import translation

    from notifications.services import language_of, notify

    user = review.expert.user
    with translation.override(language_of(user.pk)):
        subject = _("评分已重新开放：%(enterprise)s") % {"enterprise": application.enterprise.name}
        body = _(
            "区县工作小组重新开放了您对 %(enterprise)s %(year)s 年度认定申请的评分。\n"
            "理由：%(reason)s\n请登录系统核对后重新提交评分。"
        ) % {"enterprise": application.enterprise.name, "year": application.year, "reason": reason}
    notify(
        users=[user],
        kind="review_reopened",
        url=reverse("experts:review_detail", args=[review.pk]),
        context={"review_id": review.pk, "application_id": application.pk},
        subject=subject,
        body=body,
    )


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def reviews_moved_by_calendar(calendar) -> list:  # type: ignore[no-untyped-def]
    """The recomputer of review due dates (registered with workdays): an assigned review is due 10
    working days after its draw; the expert is told of a moved due date."""
    import datetime as dt

    from django.urls import reverse

    from workdays.arithmetic import add_working_days
    from workdays.services import MovedPeriod

    moved = []
    reviews = Review.objects.filter(status=ReviewStatus.ASSIGNED, due_on__isnull=False).select_related(
        "draw", "expert__user", "application__enterprise"
    )
    for review in reviews:
        start = review.draw.created_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
        new_end = add_working_days(calendar, start, 10).end
        if new_end != review.due_on:
            users = [review.expert.user] if review.expert.user_id else []
            url = reverse("experts:review_detail", args=[review.pk])
            title = str(review.application)
            moved.append(
                MovedPeriod("review", review.pk, review.due_on, new_end, title=title, url=url, users=users)
            )
            review.due_on = new_end
            review.save(update_fields=["due_on"])
    return moved
