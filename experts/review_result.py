"""The panel's result as the district reads it (区县工作小组 reads the experts' scores, 第十条 4).

``panel_result(application)`` is plain data for the district's page and its API: one row per expert
of the current draw (declined ones included, with the reason and who replaced them), the averages per
indicator, and the composite, pass and spread flag once the panel is complete (computed by the same
function the services store on the application with, so they agree). Numbers are Decimals; the
caller formats them.

``panel_for_viewer`` and ``visible_bands`` are the one place that decides what the review page and
the review API show of the panel: an expert sees the others' numbers only once all are in.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from accounts.models import Role
from certification.applications.data import rule_set_for
from certification.models import Application
from experts.models import ExpertKind, Review, ReviewStatus
from experts.scoring import (
    FINANCIAL_INDICATORS,
    TECHNICAL_INDICATORS,
    Band,
    average,
    indicator_bands,
    indicators_for_kind,
)
from experts.selectors import panel_reviews, review_facts
from experts.services.reviews import panel_outcome


def panel_result(application: Application) -> dict[str, Any]:
    """
    {
      "experts": [{"review_id", "expert_id", "name", "kind", "kind_label", "chair", "status",
                   "status_label", "points": {indicator: Decimal | None}, "total", "source",
                   "entered_by", "submitted_at", "out_of_band_reasons", "comment", "amendments",
                   "declined_reason", "replaced_by_review_id", "due_on"}],
      "averages": {"ip", "conversion", "rd_management", "technical_total", "growth"},  # 2 decimals
      "submitted": int, "expected": int, "complete": bool,
      "composite": Decimal | None, "passed": bool | None, "spread_flag": bool,
      "threshold": Decimal, "strict": bool,
    }
    """
    reviews = list(panel_reviews(application).prefetch_related("amendments__by"))
    rows: list[dict[str, Any]] = []
    for review in reviews:
        indicators = indicators_for_kind(review.kind)
        points = {k: getattr(review, k) for k in indicators}
        scored = review.status == ReviewStatus.SUBMITTED
        rows.append(
            {
                "review_id": review.pk,
                "expert_id": review.expert_id,
                "name": review.expert.name,
                "kind": review.kind,
                "kind_label": review.get_kind_display(),
                "chair": review.chair,
                "status": review.status,
                "status_label": review.get_status_display(),
                "due_on": review.due_on,
                "points": points if scored else {k: None for k in indicators},
                "total": sum(points.values(), Decimal(0)) if scored else None,
                "source": review.source,
                "source_label": review.get_source_display(),
                "entered_by": review.entered_by.display_name if review.entered_by_id else None,
                "submitted_at": review.submitted_at,
                "out_of_band_reasons": dict(review.out_of_band_reasons or {}),
                "comment": review.comment,
                "amendments": [
                    {
                        "indicator": a.indicator,
                        "old_points": a.old_points,
                        "new_points": a.new_points,
                        "reason": a.reason,
                        "by": a.by.display_name,
                        "at": a.at,
                    }
                    for a in review.amendments.all()
                ],
                "declined_reason": review.declined_reason,
                "replaced_by_review_id": review.replaced_by_id,
            }
        )
    submitted = [r for r in reviews if r.status == ReviewStatus.SUBMITTED]
    technical = [r for r in submitted if r.kind != ExpertKind.FINANCIAL]
    financial = [r for r in submitted if r.kind == ExpertKind.FINANCIAL]
    averages: dict[str, Decimal | None] = {
        k: average(getattr(r, k) for r in technical) for k in TECHNICAL_INDICATORS
    }
    averages["technical_total"] = average(
        sum((getattr(r, k) for k in TECHNICAL_INDICATORS), Decimal(0)) for r in technical
    )
    for k in FINANCIAL_INDICATORS:
        averages[k] = average(getattr(r, k) for r in financial)
    outcome = panel_outcome(application, reviews)
    rules = rule_set_for(application)
    return {
        "experts": rows,
        "averages": averages,
        "submitted": len(submitted),
        "expected": sum(1 for r in reviews if r.status != ReviewStatus.DECLINED),
        "complete": outcome is not None,
        "composite": outcome.composite if outcome else None,
        "passed": outcome.passed if outcome else None,
        "spread_flag": outcome.spread_flag if outcome else False,
        "threshold": rules.score_threshold,
        "strict": rules.score_strict,
    }


def visible_bands(review: Review) -> dict[str, Band]:
    """The computed bands of the indicators this review's expert scores (technical: 3, financial: growth)."""
    bands = indicator_bands(review_facts(review.application))
    return {k: bands[k] for k in indicators_for_kind(review.kind)}


def panel_for_viewer(review: Review, viewer) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The panel of ``review``'s draw as ``viewer`` may see it.

    An expert sees the others' kind, chair and status, never their names nor their numbers, not even
    once the panel is complete (blind scoring, docs/domain.md “Expert review”); declined members are
    left out. The district and the office see names and every submitted score. One query.
    """
    siblings = list(
        Review.objects.filter(draw_id=review.draw_id)
        .select_related("expert")
        .order_by("-chair", "-kind", "id")
    )
    complete = panel_outcome(review.application, siblings) is not None
    is_expert = getattr(viewer, "role", None) == Role.EXPERT
    members: list[dict[str, Any]] = []
    for member in siblings:
        if is_expert and member.status == ReviewStatus.DECLINED:
            continue
        row: dict[str, Any] = {
            "kind": member.kind,
            "kind_label": member.get_kind_display(),
            "chair": member.chair,
            "status": member.status,
            "status_label": member.get_status_display(),
            "is_me": member.pk == review.pk,
        }
        if not is_expert:
            row["review_id"] = member.pk
            row["expert_name"] = member.expert.name
        if member.status == ReviewStatus.SUBMITTED and (member.pk == review.pk or not is_expert):
            points = {k: getattr(member, k) for k in indicators_for_kind(member.kind)}
            row["scores"] = points
            row["total"] = sum(points.values(), Decimal(0))
        members.append(row)
    return {"complete": complete, "members": members}
