"""The ledger's pages: the lists (office and districts), an entry with its stage events, the service
institutions, the targets and the progress against them. Thin: parse, call one service, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from certification.models import Enterprise
from core.pdf import pdf_response
from core.uploads import stored_pdf_response
from core.web import form_errors
from core.xlsx import SheetError
from districts.models import District
from listings import assessment as report_files
from listings import excel, selectors, services
from listings.forms import (
    ActivityForm,
    AssessmentForm,
    EntryAddForm,
    EventForm,
    ImportForm,
    InstitutionForm,
    PeriodTargetForm,
    TargetForm,
    assessment_form,
)
from listings.models import Activity, ActivityKind, Institution, ListKind, PeriodTarget, Stage, Target
from listings.permissions import entries_visible_to, events_visible_to, may_record

PAGE_SIZE = 25
office_only = role_required(Role.MUNICIPAL)
ledger_roles = role_required(Role.MUNICIPAL, Role.DISTRICT)


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2016 <= year <= 2100 else timezone.localdate().year


def _entry_filters(request: HttpRequest) -> dict[str, str]:
    return {
        "list_kind": request.GET.get("list", "") if request.GET.get("list", "") in ListKind.values else "",
        "stage": request.GET.get("stage", "") if request.GET.get("stage", "") in Stage.values else "",
        "district": request.GET.get("district", "")[:6],
        "q": request.GET.get("q", "")[:100],
    }


@ledger_roles
@require_safe
def entry_list(request: HttpRequest) -> HttpResponse:
    """The four lists and the reserve, filtered by list, stage, district and searched by name or USCC."""
    filters = _entry_filters(request)
    page = Paginator(selectors.entries_for(request.user, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "listings/entry_list.html",
        {
            "page": page,
            "filters": filters,
            "querystring": urlencode({k if k != "list_kind" else "list": v for k, v in filters.items() if v}),
            "lists": ListKind.choices,
            "stages": Stage.choices,
            "districts": District.objects.order_by("code") if request.user.role == Role.MUNICIPAL else [],
        },
    )


@office_only
@require_http_methods(["GET", "POST"])
def entry_add(request: HttpRequest) -> HttpResponse:
    form = EntryAddForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            enterprise = Enterprise.objects.filter(uscc=form.cleaned_data["uscc"].strip().upper()).first()
            if enterprise is None:
                form.add_error("uscc", _("未找到该统一社会信用代码的企业，企业须先在本系统注册。"))
            else:
                with form_errors(form) as failed:
                    entry = services.entry_add(
                        enterprise=enterprise,
                        stage=form.cleaned_data["stage"],
                        note=form.cleaned_data["note"],
                        by=request.user,
                    )
                    messages.success(
                        request,
                        _("已将“%(name)s”列入%(list)s。")
                        % {"name": enterprise.name, "list": entry.get_list_kind_display()},
                    )
                    return redirect("listings:entry_detail", pk=entry.pk)
                status = failed.status
    return render(request, "listings/entry_add.html", {"form": form}, status=status)


@ledger_roles
@require_http_methods(["GET", "POST"])
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An entry, its stage events and the form that records the next one (office or its district)."""
    entry = get_object_or_404(entries_visible_to(request.user).select_related("enterprise__district"), pk=pk)
    form = EventForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            with form_errors(form) as failed:
                services.event_record(entry=entry, by=request.user, **form.cleaned_data)
                messages.success(request, _("阶段已记录。"))
                return redirect("listings:entry_detail", pk=entry.pk)
            status = failed.status
    return render(
        request,
        "listings/entry_detail.html",
        {
            "entry": entry,
            "events": selectors.events_of(entry),
            "form": form,
            "may_record": may_record(request.user, entry),
            "activities": selectors.activities_attended(request.user, entry.enterprise_id)[:50],
            "history": entry.history.select_related("history_user").order_by("-history_date")[:20],
        },
        status=status,
    )


@ledger_roles
@require_safe
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(events_visible_to(request.user).exclude(evidence=""), pk=pk)
    return stored_pdf_response(event.evidence, f"evidence-{event.pk}.pdf")


@ledger_roles
@require_http_methods(["GET", "POST"])
def institutions(request: HttpRequest) -> HttpResponse:
    """服务机构单: every role of the ledger reads it, the office adds to it."""
    form = InstitutionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if request.user.role != Role.MUNICIPAL:
            messages.error(request, _("只有市工作小组办公室可以维护四单一库名单和目标。"))
            return redirect("listings:institutions")
        status = 400
        if form.is_valid():
            with form_errors(form) as failed:
                services.institution_add(by=request.user, **form.cleaned_data)
                messages.success(request, _("服务机构已添加。"))
                return redirect("listings:institutions")
            status = failed.status
    page = Paginator(Institution.objects.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "listings/institutions.html", {"form": form, "page": page}, status=status)


@office_only
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    """The city's and the districts' yearly targets and the city's period targets, set by the office."""
    posted_period = request.method == "POST" and request.POST.get("form") == "period"
    form = TargetForm(
        request.POST if request.method == "POST" and not posted_period else None,
        initial={"year": timezone.localdate().year},
    )
    period_form = PeriodTargetForm(request.POST if posted_period else None, prefix="period")
    status = 200
    if posted_period:
        status = 400
        if period_form.is_valid():
            with form_errors(period_form) as failed:
                services.period_target_set(by=request.user, **period_form.cleaned_data)
                messages.success(request, _("阶段目标已保存。"))
                return redirect("listings:targets")
            status = failed.status
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            code = data.pop("district")
            district = District.objects.filter(code=code).first() if code else None
            if code and district is None:
                form.add_error("district", _("请选择区。"))
            else:
                with form_errors(form) as failed:
                    services.target_set(by=request.user, district=district, **data)
                    messages.success(request, _("目标已保存。"))
                    return redirect("listings:targets")
                status = failed.status
    page = Paginator(
        Target.objects.select_related("district").order_by("-year", "district__code"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "listings/targets.html",
        {
            "form": form,
            "period_form": period_form,
            "periods": PeriodTarget.objects.order_by("-start_year")[:PAGE_SIZE],
            "page": page,
            "districts": District.objects.order_by("code"),
        },
        status=status,
    )


@ledger_roles
@require_safe
def progress(request: HttpRequest) -> HttpResponse:
    """Each district's stage events of the year against its target (a district sees its own row)."""
    year = _year(request)
    districts = District.objects.order_by("code")
    if request.user.role == Role.DISTRICT:
        districts = districts.filter(pk=request.user.district_id)
    rows = selectors.progress(year, districts=districts)
    if request.user.role == Role.DISTRICT:
        rows = rows[:-1]
    return render(
        request,
        "listings/progress.html",
        {
            "year": year,
            "rows": rows,
            "stages": [Stage(s).label for s in selectors.PROGRESS_STAGES],
            # The city's cumulative progress against the period target: the office's view of the city.
            "period": selectors.period_progress(year) if request.user.role == Role.MUNICIPAL else None,
        },
    )


def _assessment(request: HttpRequest) -> tuple[AssessmentForm, selectors.Assessment | None]:
    """The report the query asks for (this year's current half without one); a bad year or half is
    a form error and no report. The office sees every district and the city, a district its own row."""
    form = assessment_form(request.GET)
    if not form.is_valid():
        return form, None
    return form, selectors.assessment_for(request.user, form.cleaned_data["year"], form.cleaned_data["half"])


@ledger_roles
@require_safe
def assessment(request: HttpRequest) -> HttpResponse:
    """半年考核: each district's counts in the half and the year against its targets (四、加强监督考核（二）)."""
    form, report = _assessment(request)
    return render(
        request,
        "listings/assessment.html",
        {
            "form": form,
            "report": report,
            "stages": [Stage(s).label for s in selectors.PROGRESS_STAGES],
            "querystring": urlencode({"year": report.year, "half": report.half}) if report else "",
        },
        status=200 if report else 400,
    )


@ledger_roles
@require_safe
def assessment_pdf(request: HttpRequest) -> HttpResponse:
    _form, report = _assessment(request)
    if report is None:
        return assessment(request)
    return pdf_response(report_files.report_pdf(report), report_files.filename(report, "pdf"))


@ledger_roles
@require_safe
def assessment_xlsx(request: HttpRequest) -> HttpResponse:
    _form, report = _assessment(request)
    if report is None:
        return assessment(request)
    response = HttpResponse(report_files.report_xlsx(report), content_type=report_files.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{report_files.filename(report, "xlsx")}"'
    response["Cache-Control"] = "private, no-store"
    return response


@office_only
@require_http_methods(["GET", "POST"])
def entry_import(request: HttpRequest) -> HttpResponse:
    """Excel import of the lists: every row checked, all of them added or none (listings/excel.py)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    reports = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                reports = excel.import_entries(by=request.user, data=form.cleaned_data["sheet"].read())
            except SheetError as exc:
                form.add_error("sheet", exc.message)
            else:
                status = 200 if all(r.ok for r in reports) else 400
    context: dict[str, object] = {"form": form, "reports": reports}
    if reports is not None:
        context["added"] = sum(r.ok for r in reports)
        context["refused"] = sum(bool(r.problems) for r in reports)
    return render(request, "listings/import.html", context, status=status)


@ledger_roles
@require_safe
def entry_export(request: HttpRequest) -> HttpResponse:
    """The lists as .xlsx, with the list page's filters (a district exports its own entries)."""
    entries = selectors.entries_for(request.user, **_entry_filters(request))
    response = HttpResponse(
        excel.export_entries(entries.iterator(chunk_size=500)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="listings-{stamp}.xlsx"'
    return response


@ledger_roles
@require_safe
def activities(request: HttpRequest) -> HttpResponse:
    """The year's trainings and roadshows, counted against the 实施方案's 12 and 3 a year."""
    year = _year(request)
    kind = request.GET.get("kind", "") if request.GET.get("kind", "") in ActivityKind.values else ""
    page = Paginator(selectors.activities_for(request.user, year=year, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "listings/activities.html",
        {
            "page": page,
            "year": year,
            "kind": kind,
            "kinds": ActivityKind.choices,
            "counts": selectors.activity_counts(request.user, year=year),
            "querystring": urlencode({k: v for k, v in {"year": year, "kind": kind}.items() if v}),
        },
    )


@ledger_roles
@require_http_methods(["GET", "POST"])
def activity_add(request: HttpRequest) -> HttpResponse:
    """The office records a city activity, a district's working group one of its district."""
    form = ActivityForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            with form_errors(form) as failed:
                activity = services.activity_record(by=request.user, **form.service_kwargs())
                messages.success(request, _("活动已记录。"))
                return redirect("listings:activity_detail", pk=activity.pk)
            status = failed.status
    return render(request, "listings/activity_add.html", {"form": form}, status=status)


@ledger_roles
@require_safe
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        activity = selectors.activity_detail(request.user, pk)
    except Activity.DoesNotExist:
        raise Http404 from None
    return render(request, "listings/activity_detail.html", {"activity": activity})
