"""The public's report (举报) about a certified enterprise: the form, the tracking number, tracking.

No login. Real name and phone are required; the identity is seen only by the district that handles
the report and the municipal office. Scripted spam is kept out by a honeypot field and a per-address
rate limit (``REPORT_RATE``, default 5 per hour), counted like the objection form's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from audits.forms.office import ReportForm, TrackForm
from audits.models import Report
from audits.services import office as services_office
from config.throttling import ClientAddressThrottle, rate_from_env
from core.web import add_form_errors, domain_errors

REPORT_SCOPE = "reports"
TRACK_MISS_SCOPE = "report-track-miss"  # unknown tracking numbers only: guessing is limited, checking is not
DONE_SESSION_KEY = "report_done"


class ReportRateThrottle(ClientAddressThrottle):
    """Per client address, for signed-in visitors too (the form needs no login)."""

    rate = rate_from_env("REPORT_RATE", "5/hour")

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@dataclass(frozen=True)
class _Scope:
    throttle_scope: str


def rate_limited(request: HttpRequest, scope: str) -> str:
    """Count this request against `scope`; the message to show when the address is over the limit."""
    throttle = ReportRateThrottle()
    if throttle.allow_request(request, _Scope(scope)):  # type: ignore[arg-type]
        return ""
    minutes = max(1, math.ceil((throttle.wait() or 60) / 60))
    return _("操作过于频繁：同一网络地址每 %(seconds)s 秒最多 %(n)s 次。请约 %(minutes)s 分钟后再试。") % {
        "seconds": throttle.duration,
        "n": throttle.num_requests,
        "minutes": minutes,
    }


def _page(request: HttpRequest, form: ReportForm, *, status: int = 200, error: str = "") -> HttpResponse:
    return render(request, "audits/public_report_form.html", {"form": form, "error": error}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, ReportForm(initial={"target": request.GET.get("certificate", "")[:30]}))
    refusal = rate_limited(request, REPORT_SCOPE)  # every POST counts
    if refusal:
        return _page(request, ReportForm(request.POST), status=429, error=refusal)
    if request.POST.get("website"):
        # Only scripts fill the invisible field: refuse without saying why, save nothing.
        return _page(request, ReportForm(), status=400, error=_("提交失败。"))
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    certificate = services_office.find_certified(form.cleaned_data["target"])
    if certificate is None:
        form.add_error("target", _("未找到有效的高新技术企业证书，请核对证书编号或统一社会信用代码。"))
        return _page(request, form, status=400)
    with domain_errors() as failed:
        report = services_office.report_file(
            certificate=certificate,
            name=form.cleaned_data["name"],
            phone=form.cleaned_data["phone"],
            reason=form.cleaned_data["reason"],
            evidence=form.cleaned_data.get("evidence"),
        )
    if failed:  # the form with the service's complaints (400) or the refusal (409)
        add_form_errors(form, failed.errors)
        return _page(request, form, status=failed.status, error=failed.message)
    # Post/redirect/get: a reload of the result page must not file the report twice.
    request.session[DONE_SESSION_KEY] = {
        "number": report.tracking_number,
        "enterprise": certificate.enterprise_name,
    }
    return redirect("report_done")


@never_cache
@require_safe
def report_done(request: HttpRequest) -> HttpResponse:
    done = request.session.get(DONE_SESSION_KEY)
    if not done:
        return redirect("report_new")
    return render(
        request,
        "audits/public_report_done.html",
        {"tracking_number": done["number"], "enterprise": done["enterprise"]},
    )


@never_cache
@require_safe
def report_track(request: HttpRequest) -> HttpResponse:
    """Status and finding by tracking number; never the reporter's name or phone."""
    form = TrackForm(request.GET if "number" in request.GET else None)
    result = None
    status = 200
    if form.is_bound and form.is_valid():
        report = (
            Report.objects.filter(tracking_number=form.cleaned_data["number"])
            .select_related("certificate")
            .first()
        )
        if report is not None:
            result = {
                "tracking_number": report.tracking_number,
                "status": report.status,
                "status_label": report.get_status_display(),
                "finding": report.finding,
                "decided_at": report.decided_at,
                "created_at": report.created_at,
                "enterprise_name": report.certificate.enterprise_name,
            }
        else:
            refusal = rate_limited(request, TRACK_MISS_SCOPE)
            if refusal:
                form.add_error("number", refusal)
                status = 429
            else:
                form.add_error("number", _("未找到该查询编号，请核对后重新输入。"))
                status = 404
    elif form.is_bound:
        status = 400
    return render(request, "audits/public_report_track.html", {"form": form, "result": result}, status=status)
