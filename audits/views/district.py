"""A district official's pages of the office's concerns: their dashboard, history, reports and checks.

Included under /district/ in the `districts` namespace (audits/urls/district.py). Everything is the
official's own district; another district's dashboard, application, report or check is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from audits import pages
from audits.forms.office import ReportResolveForm
from audits.models import Report, ReportStatus, SupervisionCheck
from audits.services import office as services_office
from core.web import form_errors

official_only = role_required(Role.DISTRICT)
NS = "districts"


@official_only
@require_safe
def dashboard(request: HttpRequest, code: str | None = None) -> HttpResponse:
    district = request.user.district
    if code is not None and code != district.code:
        raise Http404
    return pages.render_dashboard(request, district, ns=NS)


@official_only
@require_safe
def history_application(request: HttpRequest, pk: int) -> HttpResponse:
    return pages.history_timeline(request, pk, ns=NS)


# --- Reports (举报) -------------------------------------------------------------------------------


def _reports(request: HttpRequest):  # type: ignore[no-untyped-def]
    return Report.objects.filter(district_id=request.user.district_id)


@official_only
@require_safe
def reports(request: HttpRequest) -> HttpResponse:
    return pages.reports_list(request, _reports(request), ns=NS, with_district=False)


@official_only
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        _reports(request).select_related("district", "certificate", "enterprise", "decided_by"), pk=pk
    )
    form = ReportResolveForm(request.POST or None) if report.status == ReportStatus.OPEN else None
    status = 200
    if request.method == "POST":
        if form is None:
            messages.error(request, _("该举报已经核查。"))
            status = 409
        elif form.is_valid():
            data = form.cleaned_data
            with form_errors(form, conflict_request=request) as failed:
                services_office.report_resolve(
                    report=report,
                    by=request.user,
                    upheld=data["decision"] == ReportStatus.UPHELD,
                    finding=data["finding"],
                    revoke=data["revoke"],
                )
                messages.success(request, _("已记录核查结论。"))
                return redirect("districts:report_detail", pk=report.pk)
            status = failed.status
        else:
            status = 400
    return render(
        request, "audits/report_detail.html", {"report": report, "form": form, "ns": NS}, status=status
    )


@official_only
@require_safe
def report_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    return pages.evidence_response(get_object_or_404(_reports(request), pk=pk))


# --- Supervision checks of the district -----------------------------------------------------------


def _checks(request: HttpRequest):  # type: ignore[no-untyped-def]
    return SupervisionCheck.objects.filter(district_id=request.user.district_id)


@official_only
@require_safe
def supervision(request: HttpRequest) -> HttpResponse:
    return pages.checks_list(request, _checks(request), ns=NS, with_district=False)


@official_only
@require_safe
def supervision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(
        _checks(request).select_related("district", "certificate", "draw", "created_by", "done_by"), pk=pk
    )
    return render(request, "audits/supervision_detail.html", {"check": check, "form": None, "ns": NS})
