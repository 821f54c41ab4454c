"""What the office's and the districts' pages share: the dashboard page, report and check lists, downloads."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from audits import history
from audits.dashboard import Dashboard, cached_dashboard
from audits.forms.office import CheckFilterForm, year_from
from audits.models import CheckStatus, Report, ReportStatus, SupervisionCheck
from certification.applications.permissions import applications_visible_to
from core import charts
from core.uploads import stored_pdf_response
from districts.models import District
from listings.selectors import office_summary

PAGE_SIZE = 25


def month_labels() -> list[str]:
    return [_("%(m)s月") % {"m": m} for m in range(1, 13)]


OPEN_CHECKS_SHOWN = 10


def dashboard_charts(dash: Dashboard) -> dict[str, Any]:
    """The SVG charts of a dashboard; each page shows the same numbers in a table beside the chart."""
    total = dash.total
    where = total.district.name if total.district else _("全市")
    target_series = []
    if total.certified_target is not None:
        target_series.append(charts.Series(_("年度目标"), [total.certified_target] * 12))
    if dash.anchor is not None:
        target_series.append(charts.Series(_("政策目标（全市）"), [dash.anchor] * 12))
    out: dict[str, Any] = {
        "certified": charts.line_chart(
            title=_("%(where)s %(year)s 年累计认定企业数与目标") % {"where": where, "year": dash.year},
            labels=month_labels(),
            series=[charts.Series(_("累计认定"), total.cumulative), *target_series],
            unit=_("家"),
        ),
        "pipeline": charts.bar_chart(
            title=_("%(year)s 年度申请各状态数量") % {"year": dash.year},
            labels=[label for _s, label, _n in total.pipeline_rows()],
            series=[charts.Series(_("申请数"), [n for _s, _l, n in total.pipeline_rows()])],
            unit=_("件"),
        ),
        "stages": charts.bar_chart(
            title=_("各环节办理天数（中位数）"),
            labels=[s.label for s in total.stages],
            series=[charts.Series(_("中位天数"), [s.median for s in total.stages])],
            unit=_("天"),
            label_width=190,
        ),
        "timely": charts.bar_chart(
            title=_("报备是否在 40 日期限内"),
            labels=[_("期限内报备"), _("超期报备")],
            series=[charts.Series(_("申请数"), [total.filed_on_time, total.filed - total.filed_on_time])],
            unit=_("件"),
        ),
        "fields": charts.bar_chart(
            title=_("按技术领域：申请与已发证"),
            labels=[name for name, _n, _c in dash.field_rows(total)],
            series=[
                charts.Series(_("申请数"), [n for _name, n, _c in dash.field_rows(total)]),
                charts.Series(_("已发证"), [c for _name, _n, c in dash.field_rows(total)]),
            ],
            unit=_("件"),
        ),
        "readiness": charts.bar_chart(
            title=_("备选库企业成熟度"),
            labels=[label for _r, label, _n in total.readiness_rows()],
            series=[charts.Series(_("企业数"), [n for _r, _l, n in total.readiness_rows()])],
            unit=_("家"),
        ),
    }
    if dash.is_city:
        out["districts"] = charts.bar_chart(
            title=_("%(year)s 年各区认定企业数与目标") % {"year": dash.year},
            labels=[s.district.name for s in dash.districts if s.district],
            series=[
                charts.Series(_("已认定"), [s.certified for s in dash.districts]),
                charts.Series(_("目标"), [s.certified_target for s in dash.districts]),
            ],
            unit=_("家"),
            label_width=90,
        )
    return out


def open_checks(district: District | None) -> QuerySet[SupervisionCheck]:
    qs = SupervisionCheck.objects.filter(status=CheckStatus.PLANNED).select_related("district", "certificate")
    if district is not None:
        qs = qs.filter(district=district)
    return qs.order_by("scheduled_on", "id")


def render_dashboard(
    request: HttpRequest, district: District | None, *, ns: str, template: str = "audits/dashboard.html"
) -> HttpResponse:
    year = year_from(request.GET.get("year"))
    dash = cached_dashboard(year, district)
    return render(
        request,
        template,
        {
            "dash": dash,
            "total": dash.total,
            "charts": dashboard_charts(dash),
            "field_rows": dash.field_rows(dash.total),
            "open_checks": list(open_checks(district)[:OPEN_CHECKS_SHOWN]),
            "year": year,
            "years": list(range(year_from(None) + 1, 2014, -1)),
            "ns": ns,
            # The office's city dashboard only: the "四单一库" ledger against the year's and the period's
            # targets and the districts furthest behind (three queries, listings.selectors.office_summary).
            "listings": office_summary(year) if district is None and ns == "audits" else None,
            "month_rows": list(
                zip(month_labels(), dash.total.certified_by_month, dash.total.cumulative, strict=True)
            ),
        },
    )


def paginate(request: HttpRequest, qs: Any) -> tuple[Any, str]:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


def reports_list(request: HttpRequest, qs: QuerySet[Report], *, ns: str, with_district: bool) -> HttpResponse:
    status = request.GET.get("status", "")
    if status in ReportStatus.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    code = request.GET.get("district", "") if with_district else ""
    if code:
        qs = qs.filter(district__code=code)
    page, querystring = paginate(
        request, qs.select_related("district", "certificate").order_by("-created_at", "-id")
    )
    return render(
        request,
        "audits/reports.html",
        {
            "page": page,
            "querystring": querystring,
            "status": status,
            "statuses": ReportStatus.choices,
            "district_code": code,
            "districts": District.objects.order_by("code") if with_district else [],
            "ns": ns,
        },
    )


def checks_list(
    request: HttpRequest,
    qs: QuerySet[SupervisionCheck],
    *,
    ns: str,
    with_district: bool,
    extra: dict | None = None,
) -> HttpResponse:
    form = CheckFilterForm(request.GET or None, with_district=with_district)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("status"):
            qs = qs.filter(status=data["status"])
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if with_district and data.get("district"):
            qs = qs.filter(district__code=data["district"])
    page, querystring = paginate(
        request, qs.select_related("district", "certificate", "draw").order_by("status", "scheduled_on", "id")
    )
    return render(
        request,
        "audits/supervision.html",
        {"filter_form": form, "page": page, "querystring": querystring, "ns": ns, **(extra or {})},
    )


def evidence_response(report: Report) -> HttpResponse:
    if not report.evidence:
        raise Http404
    return stored_pdf_response(report.evidence, _("举报证明材料-%(n)s.pdf") % {"n": report.tracking_number})


def history_timeline(request: HttpRequest, pk: int, *, ns: str) -> HttpResponse:
    """One application's timeline, for whoever may see the application (its district, the office)."""
    application = get_object_or_404(
        applications_visible_to(request.user).select_related("enterprise__district", "field"), pk=pk
    )
    return render(
        request,
        "audits/history_timeline.html",
        {"application": application, "events": history.application_timeline(application), "ns": ns},
    )
