"""The procedure page: the workflow table drawn for the officials and the office (no script, no CDN)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.models import Role
from accounts.permissions import role_required
from certification import workflow


@role_required(Role.DISTRICT, Role.MUNICIPAL)
@require_safe
def procedure(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "certification/procedure.html",
        {
            "rows": workflow.diagram_rows(),
            "finished": [workflow.S(s).label for s in workflow.FINISHED_STATUSES],
        },
    )
