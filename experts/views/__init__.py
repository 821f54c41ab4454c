from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.models import Role
from accounts.permissions import role_required
from experts.models import Expert
from experts.services.pool import current_year, pledge_for


@role_required(Role.EXPERT)
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    expert = Expert.objects.filter(user=request.user).prefetch_related("fields").first()
    return render(
        request,
        "experts/home.html",
        {
            "expert": expert,
            "pledge": pledge_for(expert) if expert is not None else None,
            "year": current_year(),
        },
    )
