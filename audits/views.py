from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
from accounts.permissions import role_required
from audits.selectors import districts_overview, expert_pool_counts


@role_required(Role.MUNICIPAL)
def home(request: HttpRequest) -> HttpResponse:
    districts = list(districts_overview())
    return render(
        request,
        "audits/home.html",
        {
            "districts": districts,
            "enterprise_total": sum(d.enterprise_count for d in districts),
            "experts": expert_pool_counts(),
        },
    )
