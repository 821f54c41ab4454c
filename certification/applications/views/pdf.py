"""Browser downloads of generated PDFs (the 申请书 of 第十条（2）1, the receipt of a submission)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from accounts.models import Role
from accounts.permissions import role_required
from certification.applications.pdf import (
    application_form_download,
    submission_receipt_download,
    submitted_time,
)
from certification.applications.permissions import applications_visible_to, require_material_access


@login_required
@require_safe
def application_form_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """``/enterprise/applications/<pk>/form.pdf``: whoever may see the application gets its 申请书.

    Anonymous → login page; an application outside ``applications_visible_to`` → 404 (a district
    official sees its enterprises' applications only once submitted, an expert never through here).
    """
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)
    require_material_access(
        request.user
    )  # 第十三条: experts sign the confidentiality pledge before any material
    return application_form_download(application)


@role_required(Role.ENTERPRISE)
@require_safe
def submission_receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """``/enterprise/applications/<pk>/receipt.pdf``: the enterprise's receipt (回执) of its submission."""
    application = get_object_or_404(
        applications_visible_to(request.user).select_related("enterprise__district"), pk=pk
    )
    if submitted_time(application) is None:
        raise Http404  # a draft never submitted has no receipt
    return submission_receipt_download(application)
