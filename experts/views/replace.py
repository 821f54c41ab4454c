"""The district replaces an overdue online expert from the alternates (a confirmation page with a
required reason).

GET shows the expert's assignment, its due date and the alternates left; POST calls
:func:`experts.services.reviews.review_replace_overdue`. Only the official of the application's
district: anyone else signed in gets a 404, never a hint (as the reopen and meeting pages).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from experts.selectors import reviews_visible_to
from experts.views.reopen import district_review_action


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review_replace(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    from experts.services.reviews import review_replace_overdue

    if request.user.role != Role.DISTRICT:
        raise Http404
    review = get_object_or_404(
        reviews_visible_to(request.user).select_related("expert", "draw", "application__enterprise"),
        pk=review_pk,
        application_id=pk,
    )
    used = set(review.draw.reviews.values_list("expert_id", flat=True))
    context: dict[str, Any] = {
        "review": review,
        "application": review.application,
        "alternates_left": sum(1 for a in review.draw.alternates or [] if a["expert_id"] not in used),
        "reason": "",
        "errors": [],
    }
    return district_review_action(
        request,
        review=review,
        template="experts/replace.html",
        context=context,
        confirm_error=_("请勾选确认更换该专家。"),
        act=lambda reason: review_replace_overdue(review=review, by=request.user, reason=reason),
        success=_("已更换逾期未评分的专家 %(name)s：候补专家已收到评审任务，原专家不能再查看材料或评分。")
        % {"name": review.expert.name},
    )
