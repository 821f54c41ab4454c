"""The draw of an application's expert panel, its replay, and a declining expert's replacement.

What a ``Draw`` row stores, so that ``replay_draw`` can re-run the pure function on the STORED
snapshot (no live data is read on replay):

- ``seed``: ``secrets.token_hex(16)``; ``algorithm_version``: ``experts.draw.ALGORITHM_VERSION``;
- ``rules``: ``{"request": DrawRequest.as_data() (field code, parent code, enterprise and
  intermediary USCCs, and the rules: min_panel, min_technical_share, min_financial, alternates),
  "composition": {"technical", "financial"}, "rule_set": <code>, "pool": {"size", "eligible",
  "excluded", "off_field_technical"}}``;
- ``eligible_ids``: ``[{"id", "kind"}]`` ascending by id — the eligible pool snapshot;
- ``excluded``: ``[{"id", "kind", "reason"}]`` ascending by id — every candidate of this
  application (a financial expert, or a technical expert of the field) left out, with the reason(s)
  as Chinese msgids joined by “；”, and ``details`` when an organisation matched by name with a
  different code (``[{"reason", "template", "given", "other"}]``); technical experts of other fields are only counted in
  ``rules["pool"]["off_field_technical"]``;
- ``panel``: ``[{"expert_id", "kind", "chair"}]`` in draw order (the chair first);
- ``alternates``: ``[{"expert_id", "kind", "chair": false}]`` in the order they are used.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import Role, User
from certification import workflow
from certification.models import Application
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput
from experts import draw as pure
from experts.models import DeclineCause, Draw, Review, ReviewMode, ReviewStatus
from experts.selectors import draw_request_for, draw_snapshot, pool_snapshot
from workdays.services import working_days_from

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
REVIEW_WORKING_DAYS = 10  # the experts' scoring period, in working days from the draw
# Draws of different applications are serialized (a transaction-level advisory lock), so two draws
# at the same moment cannot both give an expert the review that takes them over their yearly cap.
DRAW_LOCK_KEY = 0x6472_6177  # "draw"


class DrawError(Exception):
    """The pool cannot meet the panel rules: nothing was saved. The API answers 400 ``{"detail"}``.

    ``str(exc)`` is the translated message naming the rule and the shortage; ``rule`` is its code
    (``field``, ``rules``, ``technical``, ``financial``, ``panel``).
    """

    def __init__(self, message: str, *, rule: str) -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule


def impossible_message(exc: pure.DrawImpossible) -> str:
    """The pure draw's message in the active language."""
    return _(exc.template) % exc.params if exc.params else _(exc.template)


def reason_text(reason: str, details: list[dict[str, str]] | None = None) -> str:
    """A stored exclusion reason (msgids joined by “；”) in the active language.

    ``details`` (the stored entry's code mismatches) are shown after their reason, e.g.
    “任职于为申请企业出具专项审计报告的中介机构（名称相同，统一社会信用代码不同：填报 X / 专家单位 Y）”.
    """
    notes: dict[str, list[str]] = {}
    for d in details or []:
        try:
            text = _(d["template"]) % {"given": d.get("given") or "—", "other": d.get("other") or "—"}
        except (KeyError, TypeError, ValueError):
            continue
        notes.setdefault(d.get("reason", ""), []).append(text)
    parts = []
    for part in reason.split(pure.REASON_SEPARATOR):
        if part:
            extra = notes.get(part)
            parts.append(_(part) + (_("（%(notes)s）") % {"notes": "；".join(extra)} if extra else ""))
    return "；".join(parts)


def excluded_entries(draw: Draw) -> list[dict[str, Any]]:
    """The stored excluded candidates with their reasons in the active language (record, API, PDF)."""
    return [{**e, "reason": reason_text(e.get("reason", ""), e.get("details"))} for e in draw.excluded or []]


def review_due_on(today: dt.date | None = None) -> dt.date:
    """The 10th working day counting from today (Asia/Shanghai), today included when a working day."""
    return working_days_from(today or timezone.localdate(timezone=SHANGHAI), REVIEW_WORKING_DAYS).end


def _lock_draws() -> None:
    """One draw at a time, until the surrounding transaction ends (the workload counts stay true).

    PostgreSQL: a transaction-scoped advisory lock. SQLite (the embedded default): nothing to take;
    the settings open every transaction with BEGIN IMMEDIATE, so this transaction already holds the
    database's only write lock and no other draw can start before it commits or rolls back.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DRAW_LOCK_KEY])


def _require_district_official(by: User, application: Application) -> None:
    if by.role != Role.DISTRICT or by.district_id != application.enterprise.district_id:
        # The views only offer applications of the official's district; this guards every other caller.
        raise DomainPermissionDenied(_("您不是该区县的工作小组成员，无权办理此事项。"))


def draw_experts(
    *,
    application: Application,
    by: User,
    mode: str = ReviewMode.ONLINE,
    meeting_date: dt.date | None = None,
    meeting_place: str = "",
) -> Draw:
    """Draw the panel of an accepted application, assign the reviews and move it to under_review.

    Raises ``ApplicationStateError`` (409) when the application is not accepted, ``InvalidInput``
    (400) for a bad mode or a meeting without date and place, ``DrawError`` (400) when the pool
    cannot meet the rules — in which case nothing is saved.
    """
    meeting_place = (meeting_place or "").strip()
    if mode not in ReviewMode.values:
        raise InvalidInput({"mode": [_("评审方式须为在线评分或现场评审会。")]})
    if mode == ReviewMode.MEETING:
        errors: dict[str, list[str]] = {}
        if meeting_date is None:
            errors["meeting_date"] = [_("现场评审会须填写评审会日期。")]
        if not meeting_place:
            errors["meeting_place"] = [_("现场评审会须填写评审会地点。")]
        if errors:
            raise InvalidInput(errors)
    else:
        meeting_date, meeting_place = None, ""
    if len(meeting_place) > 200:
        raise InvalidInput({"meeting_place": [_("评审会地点最多 200 字。")]})

    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("enterprise", "field__parent", "rule_set")
            .get(pk=application.pk)
        )
        _require_district_official(by, application)
        if application.status not in workflow.from_statuses("draw"):
            raise ApplicationStateError(
                _("申请当前状态为“%(status)s”，只有已受理的申请可以抽取评审专家。")
                % {"status": application.get_status_display()},
                status=application.status,
            )
        _lock_draws()
        request = draw_request_for(application)
        pool, others = draw_snapshot(application)
        seed = secrets.token_hex(16)
        try:
            result = pure.draw(pool, request, seed, others=others)
        except pure.DrawImpossible as exc:
            # Raised before any write: the transaction rolls back nothing but the locks.
            raise DrawError(impossible_message(exc), rule=exc.rule) from exc

        candidate_kinds = {e.id: e.kind for e in pool if e.id in result.excluded}
        draw = Draw.objects.create(
            application=application,
            seed=seed,
            algorithm_version=result.algorithm_version,
            rules={
                "request": request.as_data(),
                "composition": {
                    "technical": result.composition.technical,
                    "financial": result.composition.financial,
                },
                "rule_set": application.rule_set.code,
                "pool": {
                    "size": result.pool_size,
                    "eligible": len(result.eligible_ids),
                    "excluded": len(result.excluded),
                    "off_field_technical": result.off_field,
                },
            },
            eligible_ids=result.eligible_entries(),
            excluded=[
                {
                    "id": eid,
                    "kind": candidate_kinds[eid],
                    "reason": reason,
                    **({"details": result.details[eid]} if eid in result.details else {}),
                }
                for eid, reason in result.excluded.items()
            ],
            panel=[p.as_data() for p in result.panel],
            alternates=[p.as_data() for p in result.alternates],
            mode=mode,
            meeting_date=meeting_date,
            meeting_place=meeting_place,
            created_by=by,
        )
        due_on = review_due_on()
        # The panel's reviews and their history rows in two statements, whatever the panel's size.
        bulk_create_with_history(
            [
                Review(
                    draw=draw,
                    application=application,
                    expert_id=pick.expert_id,
                    kind=pick.kind,
                    chair=pick.chair,
                    status=ReviewStatus.ASSIGNED,
                    due_on=due_on,
                )
                for pick in result.panel
            ],
            Review,
            default_user=by,
        )
        workflow.transition(
            application,
            "draw",
            by=by,
            note=_("随机抽取评审专家（抽取记录 %(id)s，评审组 %(size)s 人）")
            % {"id": draw.pk, "size": len(result.panel)},
            data={"draw_id": draw.pk, "seed": seed, "due_on": due_on.isoformat()},
        )
    logger.info(
        "draw %s for application %s: panel %s", draw.pk, application.pk, [p.expert_id for p in result.panel]
    )
    return draw


def replay_draw(draw: Draw) -> dict[str, Any]:
    """Re-run the stored draw (seed, stored eligible snapshot, stored request) and compare the panel.

    ``{"identical": bool, "panel": [...], "alternates": [...], "algorithm_version", "seed"}``;
    ``detail`` says why when the replay could not run.
    """
    answer: dict[str, Any] = {
        "draw_id": draw.pk,
        "seed": draw.seed,
        "algorithm_version": draw.algorithm_version,
        "identical": False,
        "panel": [],
        "alternates": [],
        "stored_panel": draw.panel,
        "stored_alternates": draw.alternates,
    }
    algorithm = pure.ALGORITHMS.get(draw.algorithm_version)
    if algorithm is None:
        answer["detail"] = _("本系统没有算法版本“%(version)s”，无法复现。") % {
            "version": draw.algorithm_version
        }
        return answer
    try:
        request = pure.DrawRequest.from_data(draw.rules["request"])
        pool = pure.pool_from_eligible(draw.eligible_ids, request)
        result = algorithm(pool, request, draw.seed)
    except pure.DrawImpossible as exc:
        answer["detail"] = impossible_message(exc)
        return answer
    except (KeyError, TypeError, ValueError):
        logger.exception("draw %s: the stored record cannot be replayed", draw.pk)
        answer["detail"] = _("抽取记录不完整，无法复现。")
        return answer
    answer["panel"] = [p.as_data() for p in result.panel]
    answer["alternates"] = [p.as_data() for p in result.alternates]
    answer["identical"] = answer["panel"] == draw.panel and answer["alternates"] == draw.alternates
    return answer


def _chair_order(draw: Draw, reviews: list[Review]) -> list[Review]:
    """Technical reviews still on the panel, in the order the chair passes: draw order, then replacements."""
    position = {p["expert_id"]: i for i, p in enumerate(draw.panel)}
    on_panel = [r for r in reviews if r.status != ReviewStatus.DECLINED and r.kind == pure.TECHNICAL]
    return sorted(on_panel, key=lambda r: (position.get(r.expert_id, len(position)), r.pk))


def replace_from_alternates(
    *,
    review: Review,
    by: User | None,
    reason: str,
    cause: str = DeclineCause.DECLINED,
    refuse_without_alternate: bool = False,
) -> Review | None:
    """Mark the review declined and put the next usable alternate on the panel.

    The next unused alternate of the same kind, in the stored order; failing that, one of the
    other kind if the panel still meets the rules. An alternate is skipped if they became
    inactive, reached their yearly cap or got a conflict since the draw (re-screened on a fresh
    snapshot). The chair passes to the next technical expert (draw order) when the chair declined.
    Returns the new review, or ``None`` when no alternate is left: the review stays declined and the
    district is told (a warning is logged and the district's officials get an email). With
    ``refuse_without_alternate`` (the district replacing an overdue expert) no alternate left is a 409
    instead and nothing changes. The review keeps why (``cause``), when and by whom it left the panel:
    the draw record lists every replacement.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": [_("请填写回避理由。")]})
    if len(reason) > 300:
        raise InvalidInput({"reason": [_("回避理由最多 300 字。")]})
    with transaction.atomic():
        # Lock order: the draw, its reviews (id order), then the application — the order of
        # experts.services.reviews, so a decline and a score submission never deadlock each other.
        draw = Draw.objects.select_for_update().get(pk=review.draw_id)
        reviews = list(Review.objects.select_for_update().filter(draw=draw).order_by("pk"))
        declined = next(r for r in reviews if r.pk == review.pk)
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("enterprise", "field__parent", "rule_set")
            .get(pk=draw.application_id)
        )
        if declined.status != ReviewStatus.ASSIGNED:
            raise ApplicationStateError(
                _("该评审任务当前状态为“%(status)s”，不能回避。") % {"status": declined.get_status_display()},
                status=declined.status,
            )
        if application.status not in workflow.from_statuses("review_complete"):
            raise ApplicationStateError(
                _("申请当前状态为“%(status)s”，不能更换评审专家。")
                % {"status": application.get_status_display()},
                status=application.status,
            )
        was_chair = declined.chair
        workflow.set_status("review", declined, ReviewStatus.DECLINED)
        declined.declined_reason = reason
        declined.decline_cause = cause
        declined.declined_at = timezone.now()
        declined.declined_by = by
        declined.chair = False  # the chair passes on; the history keeps who chaired
        declined._history_user = by  # type: ignore[attr-defined]
        declined.save(
            update_fields=[
                "status",
                "declined_reason",
                "decline_cause",
                "declined_at",
                "declined_by",
                "chair",
            ]
        )

        request = pure.DrawRequest.from_data(draw.rules["request"])
        on_panel = [r for r in reviews if r.status != ReviewStatus.DECLINED]
        technical = sum(1 for r in on_panel if r.kind == pure.TECHNICAL)
        financial = len(on_panel) - technical
        used = {r.expert_id for r in reviews}
        unused = [a for a in draw.alternates if a["expert_id"] not in used]
        same = [a for a in unused if a["kind"] == declined.kind]
        other = [
            a
            for a in unused
            if a["kind"] != declined.kind
            and pure.panel_meets_rules(
                technical + (a["kind"] == pure.TECHNICAL),
                financial + (a["kind"] == pure.FINANCIAL),
                request.rules,
            )
        ]
        candidates = same + other
        # Alternates were eligible at the draw; re-screen them on today's data (status, cap, conflicts).
        snapshot = pool_snapshot(application, only_ids=[a["expert_id"] for a in candidates])
        screening = pure.screen(snapshot, request)
        still_eligible = set(screening.technical) | set(screening.financial)
        chosen = next((a for a in candidates if a["expert_id"] in still_eligible), None)

        replacement = None
        if chosen is None and refuse_without_alternate:
            # Raised inside the transaction: the review is back on the panel as it was.
            raise ApplicationStateError(
                _("本次抽取的候补专家已用完或均不再符合条件，不能更换该专家。请联系专家尽快评分。"),
                status=ReviewStatus.ASSIGNED,
            )
        if chosen is not None:
            replacement = Review.objects.create(
                draw=draw,
                application=application,
                expert_id=chosen["expert_id"],
                kind=chosen["kind"],
                chair=False,
                status=ReviewStatus.ASSIGNED,
                due_on=review_due_on(),
            )
            declined.replaced_by = replacement
            declined.save(update_fields=["replaced_by"])
            reviews.append(replacement)
        if was_chair:
            order = _chair_order(draw, reviews)
            if order:
                order[0].chair = True
                order[0].save(update_fields=["chair"])
        if replacement is None:
            logger.warning(
                "draw %s: no alternate left to replace review %s (expert %s)",
                draw.pk,
                declined.pk,
                declined.expert_id,
            )
            _tell_district_no_alternate(application, declined)
        else:
            logger.info(
                "draw %s: review %s (expert %s) declined, replaced by review %s (expert %s), by user %s",
                draw.pk,
                declined.pk,
                declined.expert_id,
                replacement.pk,
                replacement.expert_id,
                by.pk if by else None,
            )
    return replacement


def _tell_district_no_alternate(application: Application, declined: Review) -> None:
    """Email the district's officials (after the commit) that the panel is one expert short."""
    from accounts.tasks import send_email

    to = list(
        User.objects.filter(
            role=Role.DISTRICT, district_id=application.enterprise.district_id, is_active=True
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not to:
        return
    subject = _("评审专家回避后无候补专家可替换：%(application)s") % {"application": application}
    body = _(
        "申请 %(application)s（编号 %(id)s）的一名评审专家已回避（理由：%(reason)s），"
        "本次抽取的候补专家已用完或均不再符合条件。请登录系统处理。"
    ) % {"application": application, "id": application.pk, "reason": declined.declined_reason}
    send_email.delay_on_commit(subject=subject, body=body, to=to)
