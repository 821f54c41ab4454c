"""Browser downloads of generated PDFs (the 申请书 of 第十条（2）1)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from certification.applications.pdf import application_form_download
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
