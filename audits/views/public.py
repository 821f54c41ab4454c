"""The public's report (举报) about a certified enterprise: the form, the tracking number, tracking.

No login. Real name and phone are required; the identity is seen only by the district that handles
the report and the municipal office. Scripted spam is kept out by a honeypot field and a per-address
rate limit (``REPORT_RATE``, default 5 per hour), counted like the objection form's.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from audits.forms.office import ReportForm, TrackForm
from audits.models import Report
from audits.services import office as services_office
from config.throttling import ClientAddressThrottle, address_refusal, rate_from_env
from core.errors import InvalidInput
from core.web import public_submission, tracking_lookup

REPORT_SCOPE = "reports"
TRACK_MISS_SCOPE = "report-track-miss"  # unknown tracking numbers only: guessing is limited, checking is not
DONE_SESSION_KEY = "report_done"


class ReportRateThrottle(ClientAddressThrottle):
    """Per client address, for signed-in visitors too (the form needs no login)."""

    rate = rate_from_env("REPORT_RATE", "5/hour")


def rate_limited(request: HttpRequest, scope: str) -> str:
    """Count this request against `scope`; the message to show when the address is over the limit."""
    refusal = address_refusal(request, ReportRateThrottle, scope)
    if refusal is None:
        return ""
    return _("操作过于频繁：同一网络地址%(period)s最多 %(n)s 次。请约 %(minutes)s 分钟后再试。") % {
        "period": refusal.period,
        "n": refusal.limit,
        "minutes": refusal.wait_minutes,
    }


def _page(request: HttpRequest, form: ReportForm, *, status: int = 200, error: str = "") -> HttpResponse:
    return render(request, "audits/public_report_form.html", {"form": form, "error": error}, status=status)


def _file_report(data: dict[str, Any]) -> Report:
    certificate = services_office.find_certified(data["target"])
    if certificate is None:
        raise InvalidInput(
            {"target": [_("未找到有效的高新技术企业证书，请核对证书编号或统一社会信用代码。")]}
        )
    return services_office.report_file(
        certificate=certificate,
        name=data["name"],
        phone=data["phone"],
        reason=data["reason"],
        evidence=data.get("evidence"),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, ReportForm(initial={"target": request.GET.get("certificate", "")[:30]}))
    filed = public_submission(
        request,
        refusal=rate_limited(request, REPORT_SCOPE),  # every POST counts
        make_form=ReportForm,
        page=partial(_page, request),
        submit=_file_report,
    )
    if isinstance(filed, HttpResponse):
        return filed
    # Post/redirect/get: a reload of the result page must not file the report twice.
    request.session[DONE_SESSION_KEY] = {
        "number": filed.tracking_number,
        "enterprise": filed.certificate.enterprise_name,
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
    result, status = tracking_lookup(
        form, find=_report_status, over_limit=lambda: rate_limited(request, TRACK_MISS_SCOPE)
    )
    return render(request, "audits/public_report_track.html", {"form": form, "result": result}, status=status)


def _report_status(number: str) -> dict[str, Any] | None:
    report = Report.objects.filter(tracking_number=number).select_related("certificate").first()
    if report is None:
        return None
    return {
        "tracking_number": report.tracking_number,
        "status": report.status,
        "status_label": report.get_status_display(),
        "finding": report.finding,
        "decided_at": report.decided_at,
        "created_at": report.created_at,
        "enterprise_name": report.certificate.enterprise_name,
    }
