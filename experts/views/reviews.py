"""The expert's browser pages for scoring: the list of assignments, the review page, declining.

Thin views: they read the form, call one service of :mod:`experts.services.reviews` and render.
What the expert may see of the panel is :func:`experts.review_result.panel_for_viewer`, shared with
the API. Only the review's own expert opens these pages; anyone else signed in gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from certification.models import RDManagementItem
from core.web import Failure, domain_errors
from experts.models import Review, ReviewStatus
from experts.review_result import panel_for_viewer, visible_bands
from experts.scoring import WEIGHTS, indicator_label
from experts.selectors import reviews_for_expert, with_review_details

PAGE_SIZE = 20


def _own_review(request: HttpRequest, pk: int) -> Review:
    # Only the review's own expert, and not after declining; everyone else gets a 404, never a hint.
    qs = Review.objects.filter(expert__user_id=request.user.pk).exclude(status=ReviewStatus.DECLINED)
    return get_object_or_404(with_review_details(qs), pk=pk)


def _pledge_problem(user) -> str | None:  # type: ignore[no-untyped-def]
    # The review page shows the pledge prompt in place of the material, not the 403 page.
    from experts.permissions import material_open_to, pledge_required_message

    return None if material_open_to(user) else pledge_required_message()


def _pledge_url(next_url: str) -> str:
    try:
        base = reverse("experts:pledge")
    except NoReverseMatch:  # the pledge page is another module's; keep the link stable meanwhile
        base = "/expert/pledge/"
    return f"{base}?{urlencode({'next': next_url})}"


@role_required(Role.EXPERT)
@require_safe
def review_list(request: HttpRequest) -> HttpResponse:
    from experts.permissions import material_open_to

    page = Paginator(reviews_for_expert(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "reviews": page.object_list,
        # Before this year's pledge the list names no enterprise (第十三条).
        "pledged": material_open_to(request.user),
        "pledge_url": _pledge_url(request.get_full_path()),
    }
    return render(request, "experts/reviews/list.html", context)


def _rows(
    review: Review, *, values: dict[str, str], reasons: dict[str, str], errors: dict[str, list[str]]
) -> list[dict]:
    bands = visible_bands(review)
    rows = []
    for indicator, band in bands.items():
        saved = getattr(review, indicator)
        rows.append(
            {
                "code": indicator,
                "label": indicator_label(indicator),
                "weight": WEIGHTS[indicator],
                "band": band,
                "saved": saved,
                "value": values.get(indicator, "" if saved is None else str(saved)),
                "reason": reasons.get(indicator, (review.out_of_band_reasons or {}).get(indicator, "")),
                "saved_reason": (review.out_of_band_reasons or {}).get(indicator, ""),
                "errors": errors.get(f"scores.{indicator}", []),
                "reason_errors": errors.get(f"reasons.{indicator}", []),
                "amendments": [a for a in review.amendments.all() if a.indicator == indicator],
            }
        )
    return rows


def _render(
    request: HttpRequest,
    review: Review,
    *,
    values: dict[str, str] | None = None,
    reasons: dict[str, str] | None = None,
    comment: str | None = None,
    errors: dict[str, list[str]] | None = None,
    amend: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    from experts.services.reviews import open_reopening

    errors = errors or {}
    known = {"comment", "confirm", "state"} | {f"{p}.{k}" for p in ("scores", "reasons") for k in WEIGHTS}
    application = review.application
    context = {
        "review": review,
        "application": application,
        "rows": _rows(review, values=values or {}, reasons=reasons or {}, errors=errors),
        "comment": review.comment if comment is None else comment,
        "errors": errors,
        "other_errors": [m for k, msgs in errors.items() if k not in known for m in msgs],
        "amend": amend or {},
        "panel": panel_for_viewer(review, request.user),
        "rd_items": [
            {"label": item.label, "held": item.value in (application.rd_management or [])}
            for item in RDManagementItem
        ],
        "locked": review.status == ReviewStatus.SUBMITTED,
        "reopening": open_reopening(review) if review.status == ReviewStatus.ASSIGNED else None,
        "viewer_is_expert": getattr(request.user, "role", None) == Role.EXPERT,
    }
    return render(request, "experts/reviews/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = _own_review(request, pk)
    problem = _pledge_problem(request.user)
    if problem:
        # The material stays closed until the pledge is signed (第十三条); a POST is refused outright.
        if request.method == "POST":
            raise PermissionDenied(problem)
        return render(
            request,
            "experts/reviews/pledge_call.html",
            {"review": review, "message": problem, "pledge_url": _pledge_url(request.get_full_path())},
        )
    if request.method == "GET":
        return _render(request, review)
    if request.POST.get("action") == "amend":
        return _amend(request, review)
    return _submit(request, review)


def _submit(request: HttpRequest, review: Review) -> HttpResponse:
    from experts.services.reviews import review_submit

    indicators = list(visible_bands(review))
    values = {k: request.POST.get(f"points_{k}", "").strip() for k in indicators}
    reasons = {k: request.POST.get(f"reason_{k}", "").strip() for k in indicators}
    comment = request.POST.get("comment", "")
    again = {"values": values, "reasons": reasons, "comment": comment}
    if request.POST.get("confirm") != "1":
        errors = {"confirm": [_("请勾选“提交后不可修改，修改须说明理由”以确认提交。")]}
        return _render(request, review, errors=errors, status=400, **again)
    with domain_errors() as failed:
        review_submit(
            review=review,
            by=request.user,
            scores={k: v for k, v in values.items() if v != ""},
            reasons=reasons,
            comment=comment,
        )
        messages.success(request, _("评分已提交并锁定。"))
        return redirect("experts:review_detail", pk=review.pk)
    if failed.status == 409:
        return _conflict(request, review, failed)
    return _render(request, review, errors=failed.errors, status=failed.status, **again)


def _conflict(request: HttpRequest, review: Review, failed: Failure) -> HttpResponse:
    """A state conflict shows the review as it is now, the message at the top (409)."""
    review = _own_review(request, review.pk)
    return _render(request, review, errors={"state": [failed.message]}, status=failed.status)


def _amend(request: HttpRequest, review: Review) -> HttpResponse:
    from experts.services.reviews import review_amend

    indicator = request.POST.get("indicator", "")
    points = request.POST.get("points", "").strip()
    reason = request.POST.get("reason", "").strip()
    with domain_errors() as failed:
        review_amend(review=review, by=request.user, indicator=indicator, points=points, reason=reason)
        messages.success(
            request,
            _("“%(indicator)s”的评分已修正，理由已记录。") % {"indicator": indicator_label(indicator)},
        )
        return redirect("experts:review_detail", pk=review.pk)
    if failed.status == 409:
        return _conflict(request, review, failed)
    amend = {"indicator": indicator, "points": points, "reason": reason, "errors": failed.errors}
    return _render(request, review, amend=amend, status=failed.status)


@login_required
@require_http_methods(["GET", "POST"])
def review_decline(request: HttpRequest, pk: int) -> HttpResponse:
    """Declining needs no pledge; the enterprise is named only once the pledge is signed (第十三条)."""
    from experts.permissions import material_open_to
    from experts.services.reviews import review_decline as decline

    review = _own_review(request, pk)
    pledged = material_open_to(request.user)
    context: dict[str, Any] = {"review": review, "reason": "", "errors": [], "pledged": pledged}
    if request.method == "GET":
        return render(request, "experts/reviews/decline.html", context)
    reason = request.POST.get("reason", "").strip()
    context["reason"] = reason
    if request.POST.get("confirm") != "1":
        context["errors"] = [_("请勾选确认回避。")]
        return render(request, "experts/reviews/decline.html", context, status=400)
    with domain_errors() as failed:
        decline(review=review, by=request.user, reason=reason)
        messages.success(request, _("已回避该评审任务，将由候补专家递补。"))
        return redirect("experts:review_list")
    if failed.message:
        context["errors"] = [failed.message]
    else:
        context["errors"] = [m for msgs in failed.errors.values() for m in msgs]
    return render(request, "experts/reviews/decline.html", context, status=failed.status)
