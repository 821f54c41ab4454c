"""The draw record (专家抽取记录) as a page for the district: what the PDF says, printable from the
browser, with the PDF linked beside it (experts.draw_record builds both from one context)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from accounts.models import Role
from certification.applications.permissions import applications_visible_to
from experts.draw_record import draw_record_context
from experts.models import Draw


@login_required
@require_safe
def draw_record(request: HttpRequest, pk: int) -> HttpResponse:
    """``/district/draws/<pk>/``: a draw of an application of the official's district; anyone else a 404."""
    if request.user.role != Role.DISTRICT:
        raise Http404
    draw = get_object_or_404(
        Draw.objects.filter(application__in=applications_visible_to(request.user)), pk=pk
    )
    return render(request, "experts/draw_record.html", draw_record_context(draw))
