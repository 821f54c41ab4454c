from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.models import Role
from accounts.permissions import role_required
from experts.models import Expert, ReviewStatus
from experts.permissions import material_open_to
from experts.selectors import reviews_for_expert
from experts.services.pool import current_year, pledge_for

HOME_TASKS = 10  # the open tasks the home page lists; the rest are on the review list


@role_required(Role.EXPERT)
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    expert = Expert.objects.filter(user=request.user).prefetch_related("fields").first()
    reviews = reviews_for_expert(request.user)
    # The tasks still to score, the nearest due date first (the list page has every assignment).
    open_reviews = list(reviews.filter(status=ReviewStatus.ASSIGNED).order_by("due_on", "pk")[:HOME_TASKS])
    today = timezone.localdate()
    return render(
        request,
        "experts/home.html",
        {
            "expert": expert,
            "pledge": pledge_for(expert) if expert is not None else None,
            "year": current_year(),
            "tasks": [
                {"review": r, "days_left": (r.due_on - today).days if r.due_on else None}
                for r in open_reviews
            ],
            "open_count": reviews.filter(status=ReviewStatus.ASSIGNED).count(),
            "all_count": reviews.count(),
            # Before this year's pledge the list names no enterprise (第十三条).
            "pledged": material_open_to(request.user),
        },
    )
