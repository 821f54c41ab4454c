"""The district reopens ONE expert's submitted score (a confirmation page with a required reason).

GET shows the expert's submitted points and asks for the reason and a confirmation; POST calls
:func:`experts.services.reviews.review_reopen`. Only the official of the application's district:
anyone else signed in gets a 404, never a hint (as the meeting pages).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from core.web import domain_errors
from experts.scoring import indicator_label, indicators_for_kind
from experts.selectors import reviews_visible_to


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review_reopen(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    from experts.services.reviews import review_reopen as reopen

    if request.user.role != Role.DISTRICT:
        raise Http404
    review = get_object_or_404(
        reviews_visible_to(request.user).select_related("expert", "application__enterprise"),
        pk=review_pk,
        application_id=pk,
    )
    context: dict[str, Any] = {
        "review": review,
        "application": review.application,
        "points": [(indicator_label(k), getattr(review, k)) for k in indicators_for_kind(review.kind)],
        "reason": "",
        "errors": [],
    }
    return district_review_action(
        request,
        review=review,
        template="experts/reopen.html",
        context=context,
        confirm_error=_("请勾选确认重新开放该专家的评分。"),
        act=lambda reason: reopen(review=review, by=request.user, reason=reason),
        success=_("已重新开放 %(name)s 的评分并通知该专家；其重新提交后将重新计算综合评分。")
        % {"name": review.expert.name},
    )


def district_review_action(
    request: HttpRequest,
    *,
    review: Any,
    template: str,
    context: dict[str, Any],
    confirm_error: str,
    act: Callable[[str], Any],
    success: str,
) -> HttpResponse:
    """The district's action on one expert's review that needs a reason and a ticked confirmation
    (reopening a score, replacing an overdue expert): the page on GET; on POST ``act(reason)``, then
    back to the application with ``success``, or the page again with every problem (nothing changed)."""
    if request.method != "POST":
        return render(request, template, context)
    reason = request.POST.get("reason", "").strip()
    context["reason"] = reason
    if request.POST.get("confirm") != "1":
        context["errors"] = [confirm_error]
        return render(request, template, context, status=400)
    with domain_errors() as failed:
        act(reason)
        messages.success(request, success)
        return redirect("districts:application_detail", pk=review.application_id)
    if failed.message:
        context["errors"] = [failed.message]
    else:
        context["errors"] = [m for msgs in failed.errors.values() for m in msgs]
    return render(request, template, context, status=failed.status)
