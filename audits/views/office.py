"""The municipal office's pages: dashboards, targets, history, reports (read-only) and supervision checks.

Included under /municipal/ in the `audits` namespace (audits/urls/office.py). Views parse input, call
one service or selector and render; every write is in :mod:`audits.services.office`.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from audits import history, pages
from audits.dashboard import CITY_ANCHORS, NATIONAL_ANCHORS
from audits.forms.office import (
    CheckResultForm,
    HistorySearchForm,
    RandomSpotCheckForm,
    ScheduleForm,
    year_from,
)
from audits.models import CheckStatus, Report, SpotCheckDraw, SupervisionCheck, Target
from audits.services import office as services_office
from certification.models import Certificate
from core.web import domain_errors, form_errors
from districts.models import District

office_only = role_required(Role.MUNICIPAL)
NS = "audits"


# --- Dashboards ---------------------------------------------------------------------------------


@office_only
@require_safe
def city_dashboard(request: HttpRequest) -> HttpResponse:
    return pages.render_dashboard(request, None, ns=NS)


@office_only
@require_safe
def district_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    district = get_object_or_404(District, code=code)
    return pages.render_dashboard(request, district, ns=NS)


# --- Targets ------------------------------------------------------------------------------------


def _int_or_none(value: str) -> int | None:
    value = value.strip().replace(",", "")
    return int(value) if value.isdigit() else None


@office_only
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    """Each district's targets for one year on one page; a row left blank sets nothing."""
    year = year_from(request.POST.get("year") or request.GET.get("year"))
    districts = list(District.objects.order_by("code"))
    current = {t.district_id: t for t in Target.objects.filter(year=year).select_related("set_by")}
    values: dict[int, dict[str, str]] = {}
    row_errors: dict[int, list[str]] = {}
    status = 200
    if request.method == "POST":
        changes = []
        for d in districts:
            raw = {
                "certified": request.POST.get(f"certified-{d.code}", "").strip(),
                "pool": request.POST.get(f"pool-{d.code}", "").strip(),
            }
            values[d.pk] = raw
            if not raw["certified"] and not raw["pool"]:
                continue
            certified, pool = _int_or_none(raw["certified"]), _int_or_none(raw["pool"])
            if certified is None or pool is None:
                row_errors[d.pk] = [_("请同时填写认定目标和备选库目标（非负整数）。")]
                continue
            changes.append((d, certified, pool))
        if not row_errors:
            with domain_errors() as failed:
                with transaction.atomic():  # all rows or none
                    for d, certified, pool in changes:
                        services_office.target_set(
                            by=request.user,
                            year=year,
                            district=d,
                            certified_target=certified,
                            pool_target=pool,
                        )
                messages.success(request, _("已保存 %(year)s 年度目标。") % {"year": year})
                return redirect(f"{request.path}?year={year}")
            row_errors[d.pk] = [p for problems in failed.errors.values() for p in problems]
        status = 400
    rows = []
    for d in districts:
        target = current.get(d.pk)
        value = values.get(d.pk) or {
            "certified": str(target.certified_target) if target else "",
            "pool": str(target.pool_target) if target else "",
        }
        rows.append({"district": d, "target": target, "value": value, "errors": row_errors.get(d.pk, [])})
    return render(
        request,
        "audits/targets.html",
        {
            "year": year,
            "rows": rows,
            "years": list(range(year_from(None) + 1, 2014, -1)),
            "certified_total": sum(t.certified_target for t in current.values()),
            "pool_total": sum(t.pool_target for t in current.values()),
            "anchor": CITY_ANCHORS.get(year),
            "national_anchor": NATIONAL_ANCHORS.get(year),
            "anchors": sorted(CITY_ANCHORS.items()),
        },
        status=status,
    )


# --- History ------------------------------------------------------------------------------------


@office_only
@require_safe
def history_application(request: HttpRequest, pk: int) -> HttpResponse:
    return pages.history_timeline(request, pk, ns=NS)


@office_only
@require_safe
def history_search(request: HttpRequest) -> HttpResponse:
    form = HistorySearchForm(request.GET or None)
    page = querystring = None
    rows: list[history.SearchRow] = []
    if form.is_bound and form.is_valid():
        filters = history.SearchFilters(**form.cleaned_data)
        page, querystring = pages.paginate(request, history.history_search(filters))
        rows = history.search_rows(page.object_list)
    return render(
        request,
        "audits/history_search.html",
        {"form": form, "page": page, "rows": rows, "querystring": querystring},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


# --- Reports (read-only for the office) ----------------------------------------------------------


@office_only
@require_safe
def reports(request: HttpRequest) -> HttpResponse:
    return pages.reports_list(request, Report.objects.all(), ns=NS, with_district=True)


@office_only
@require_safe
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        Report.objects.select_related("district", "certificate", "enterprise", "decided_by"), pk=pk
    )
    return render(request, "audits/report_detail.html", {"report": report, "form": None, "ns": NS})


@office_only
@require_safe
def report_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    return pages.evidence_response(get_object_or_404(Report, pk=pk))


# --- Supervision checks ---------------------------------------------------------------------------


def _supervision_page(
    request: HttpRequest,
    *,
    schedule: ScheduleForm | None = None,
    random_form: RandomSpotCheckForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    response = pages.checks_list(
        request,
        SupervisionCheck.objects.all(),
        ns=NS,
        with_district=True,
        extra={
            "schedule_form": schedule or ScheduleForm(initial={"scheduled_on": today}),
            "random_form": random_form
            or RandomSpotCheckForm(initial={"year": today.year, "count": 10, "scheduled_on": today}),
            "draws": SpotCheckDraw.objects.select_related("created_by")[:5],
            "office": True,
        },
    )
    response.status_code = status
    return response


@office_only
@require_safe
def supervision(request: HttpRequest) -> HttpResponse:
    return _supervision_page(request)


@office_only
@require_POST
def supervision_new(request: HttpRequest) -> HttpResponse:
    form = ScheduleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        district = District.objects.get(code=data["district"])
        certificate = None
        if data["certificate"]:
            certificate = Certificate.objects.filter(number=data["certificate"].strip().upper()).first()
            if certificate is None:
                form.add_error("certificate", _("证书编号不存在。"))
        if form.is_valid():
            with form_errors(form):
                check = services_office.check_schedule(
                    by=request.user,
                    kind=data["kind"],
                    district=district,
                    scheduled_on=data["scheduled_on"],
                    subject=data["subject"],
                    certificate=certificate,
                )
                messages.success(request, _("已安排检查。"))
                return redirect("audits:supervision_detail", pk=check.pk)
    return _supervision_page(request, schedule=form, status=400)


@office_only
@require_POST
def supervision_random(request: HttpRequest) -> HttpResponse:
    form = RandomSpotCheckForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with form_errors(form):
            draw = services_office.check_random_spot_checks(
                by=request.user,
                year=data["year"],
                count=data["count"],
                seed=data["seed"] or "",
                scheduled_on=data["scheduled_on"],
            )
            messages.success(request, _("已随机抽取 %(n)s 家企业并安排抽查。") % {"n": len(draw.chosen_ids)})
            return redirect("audits:spot_check_draw", pk=draw.pk)
    return _supervision_page(request, random_form=form, status=400)


@office_only
@require_http_methods(["GET", "POST"])
def supervision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(
        SupervisionCheck.objects.select_related("district", "certificate", "draw", "created_by", "done_by"),
        pk=pk,
    )
    form = CheckResultForm(request.POST or None) if check.status == CheckStatus.PLANNED else None
    status = 200
    if request.method == "POST":
        if form is None:
            status = 409
            messages.error(request, _("该检查已记录结果。"))
        elif form.is_valid():
            with form_errors(form, conflict_request=request) as failed:
                services_office.check_record_result(
                    check=check,
                    by=request.user,
                    result=form.cleaned_data["result"],
                    findings=form.cleaned_data["findings"],
                )
                messages.success(request, _("已记录检查结果。"))
                return redirect("audits:supervision_detail", pk=check.pk)
            status = failed.status
        else:
            status = 400
    return render(
        request,
        "audits/supervision_detail.html",
        {"check": check, "form": form, "ns": NS, "office": True},
        status=status,
    )


@office_only
@require_safe
def spot_check_draw(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_object_or_404(SpotCheckDraw.objects.select_related("created_by"), pk=pk)
    checks = list(draw.checks.select_related("district", "certificate").order_by("id"))
    replay = services_office.spot_check_replay(draw)
    return render(
        request,
        "audits/spot_check_draw.html",
        {
            "draw": draw,
            "checks": sorted(checks, key=lambda c: draw.chosen_ids.index(c.certificate_id)),
            "replay_matches": replay == list(draw.chosen_ids),
            "eligible_count": len(draw.eligible_ids),
        },
    )
