"""Browser pages of certificates: public verification, the PDF download, batch printing for a district.

- ``/verify/`` and ``/verify/<number>/`` are public. Every lookup counts against the same per-address
  limit as ``GET /api/v1/certificates/verify/{number}/`` (``VerifyRateThrottle``: same rate, same
  counter), so the page is no way around the API's limit. An unknown number is a plain 404 page.
- ``/certificates/<number>/pdf/``: whoever may see the certificate (``certificates_visible_to``) gets
  it; anyone else a 404, an anonymous visitor the login page.
- ``/district/certificates/issue/``: a district official issues the certificates of approved applications
  (one from the application's page, several from the certificates page), after a confirmation; a batch
  goes on to the batch print with the new certificates chosen.
- ``/district/certificates/batch/…``: a district official prints a batch of the district's
  certificates as one PDF, rendered by a Celery task (certification/certificates/tasks.py); the progress
  page refreshes itself with ``<meta http-equiv="refresh">`` (no script) until the file is ready.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from certification.certificates import services as certificates
from certification.certificates.api.views import VerifyRateThrottle, verification
from certification.certificates.pdf import certificate_download
from certification.certificates.tasks import BATCH_MAX, batch_file_name, batch_job, batch_start
from certification.models import Certificate
from core.pdf import pdf_response
from core.web import flash_errors

VERIFY_SCOPE = "verify"  # the API view's throttle_scope: one counter for the page and the API
STATUS_LABELS = {
    "valid": gettext_lazy("有效"),
    "expired": gettext_lazy("已过期"),
    "revoked": gettext_lazy("已撤销"),
}


# --- Public verification ---------------------------------------------------------------------


class _AddressThrottle(VerifyRateThrottle):
    """``VerifyRateThrottle`` keyed by client address even for a signed-in visitor.

    The API view authenticates no one, so its counter is per address; the page uses the same key.
    """

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@dataclass(frozen=True)
class _Scope:
    throttle_scope: str


def _over_limit(request: HttpRequest) -> int | None:
    """Count this lookup; the minutes to wait when the address is over the limit, else None."""
    throttle = _AddressThrottle()
    if throttle.allow_request(request, _Scope(VERIFY_SCOPE)):  # type: ignore[arg-type]
        return None
    return max(1, math.ceil((throttle.wait() or 60) / 60))


class VerifyForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("证书编号"),
        max_length=40,
        error_messages={"required": gettext_lazy("请输入证书编号。")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "class": "mono", "placeholder": "TJ20261201160001"}
        ),
    )

    def clean_number(self) -> str:
        number = certificates.parse_number("".join(self.cleaned_data["number"].split()))
        if number is None:
            raise forms.ValidationError(
                _("证书编号由“TJ”、四位年份、六位区划代码和四位序号组成，例如 TJ20261201160001。")
            )
        return number


def _verify_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, "public/certificate_verify.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_safe
def certificate_verify_form(request: HttpRequest) -> HttpResponse:
    """``/verify/``: enter a number; a well-formed one goes to its result page (where the lookup counts)."""
    form = VerifyForm(request.GET if "number" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("certificate_verify_page", number=form.cleaned_data["number"])
    return _verify_page(request, {"form": form}, status=400 if form.is_bound else 200)


@never_cache
@require_safe
def certificate_verify_page(request: HttpRequest, number: str) -> HttpResponse:
    """``/verify/<number>/``: valid / expired / revoked with the dates; an unknown number reveals nothing."""
    wait = _over_limit(request)
    if wait is not None:
        return _verify_page(
            request, {"form": VerifyForm(), "limited": True, "wait_minutes": wait}, status=429
        )
    answer = verification(number)
    if answer is None:
        return _verify_page(request, {"form": VerifyForm(), "not_found": True}, status=404)
    result = {
        **answer,
        "issued_on": dt.date.fromisoformat(answer["issued_on"]),
        "valid_until": dt.date.fromisoformat(answer["valid_until"]),
        "status_label": STATUS_LABELS[answer["status"]],
    }
    return _verify_page(request, {"form": VerifyForm(initial={"number": answer["number"]}), "result": result})


# --- Download --------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """``/certificates/<number>/pdf/`` (``?version=N`` for an older issued form, watermarked 已作废)."""
    return certificate_download(request.user, number, request.GET.get("version"))


# --- Issue ------------------------------------------------------------------------------------


@require_POST
@role_required(Role.DISTRICT)
def certificate_issue(request: HttpRequest) -> HttpResponse:
    """Issue the certificates of the chosen approved applications (certificates.certificate_issue, all or
    none). From the application's page (``from=application``) back to it; from the certificates page on
    to the batch print with the new certificates chosen."""
    raw = request.POST.getlist("applications")
    ids = [int(v) for v in raw if v.isdigit()]
    if len(ids) != len(raw):
        ids = []  # the service names the problem: choose the applications to certify
    single = request.POST.get("from") == "application" and len(ids) == 1
    back = (
        redirect("districts:application_detail", pk=ids[0]) if single else redirect("districts:certificates")
    )
    if request.POST.get("confirm") != "1":
        messages.error(request, _("请勾选确认后再颁发证书。"))
        return back
    with flash_errors(request) as failed:
        issued = certificates.certificate_issue(by=request.user, application_ids=ids)
    if failed:
        return back
    if single:
        messages.success(
            request,
            _("已颁发证书 %(number)s，企业可在门户网站查看和下载。") % {"number": issued[0].number},
        )
        return back
    messages.success(
        request,
        _("已颁发 %(n)s 份证书（%(numbers)s），已在下方选中，可生成打印文件。")
        % {"n": len(issued), "numbers": "、".join(c.number for c in issued)},
    )
    query = urlencode([("year", issued[0].issued_on.year), *(("chosen", c.pk) for c in issued)], doseq=True)
    return redirect(f"{reverse('certificate_batch')}?{query}")


# --- Batch printing --------------------------------------------------------------------------


def _district_certificates(user: Any):  # type: ignore[no-untyped-def]
    # Revoked certificates are not printed for hand-out.
    return Certificate.objects.filter(district_id=user.district_id, revoked_at__isnull=True)


@never_cache
@role_required(Role.DISTRICT)
@require_http_methods(["GET", "POST"])
def certificate_batch(request: HttpRequest) -> HttpResponse:
    """Choose the district's certificates (by issue year) and start one batch print."""
    qs = _district_certificates(request.user)
    years = sorted({d.year for d in qs.dates("issued_on", "year")}, reverse=True)
    error = ""
    if request.method == "POST":
        raw = request.POST.getlist("certificates")
        ids = [int(v) for v in raw if v.isdigit()]
        chosen = list(qs.filter(pk__in=ids).values_list("pk", flat=True))
        if not chosen or len(chosen) != len(set(raw)):
            error = _("请选择本区的证书（可多选）。")
        elif len(chosen) > BATCH_MAX:
            error = _("一次最多打印 %(n)s 份证书，请按年度分批打印。") % {"n": BATCH_MAX}
        else:
            job_id = batch_start(by=request.user, certificate_ids=chosen)
            return redirect("certificate_batch_status", job_id=job_id)
    year_raw = request.GET.get("year") or request.POST.get("year") or ""
    year = int(year_raw) if year_raw.isdigit() else (years[0] if years else None)
    rows = list(qs.filter(issued_on__year=year).order_by("number")) if year else []
    # Just issued (``?chosen=``): only those are ticked; otherwise the whole year is.
    chosen = {int(v) for v in request.GET.getlist("chosen") if v.isdigit()}
    if request.method == "POST":
        chosen = {int(v) for v in request.POST.getlist("certificates") if v.isdigit()}
    chosen = {c.pk for c in rows if c.pk in chosen} or {c.pk for c in rows}
    return render(
        request,
        "districts/certificate_batch.html",
        {
            "years": years,
            "year": year,
            "rows": rows,
            "chosen": chosen,
            "error": error,
            "batch_max": BATCH_MAX,
        },
        status=400 if error else 200,
    )


def _own_job(request: HttpRequest, job_id: str) -> dict[str, Any]:
    """The job if it belongs to the official's district (any official of it may follow it), else 404."""
    state = batch_job(job_id)
    if state is None or state.get("district_id") != request.user.district_id:
        raise Http404
    return state


@never_cache
@role_required(Role.DISTRICT)
@require_safe
def certificate_batch_status(request: HttpRequest, job_id: str) -> HttpResponse:
    state = _own_job(request, job_id)
    running = state["state"] in ("queued", "running")
    percent = int(state["done"] * 100 / state["total"]) if state["total"] else 0
    return render(
        request,
        "districts/certificate_batch_status.html",
        {
            "job_id": job_id,
            "job": state,
            "running": running,
            "percent": percent,
        },
    )


@never_cache
@role_required(Role.DISTRICT)
@require_safe
def certificate_batch_download(request: HttpRequest, job_id: str) -> HttpResponse:
    state = _own_job(request, job_id)
    name = state.get("file") or batch_file_name(job_id)
    if state["state"] != "done" or not default_storage.exists(name):
        raise Http404
    with default_storage.open(name, "rb") as handle:
        pdf = handle.read()
    filename = _("高新技术企业证书批量打印-%(date)s-%(n)s份.pdf") % {
        "date": timezone.localdate().isoformat(),
        "n": state["total"],
    }
    return pdf_response(pdf, filename, ascii_filename=f"certificates-{job_id[:8]}.pdf")
