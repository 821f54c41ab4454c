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
from core.uploads import stored_pdf_response
from core.web import form_errors
from districts.models import District
from listings import excel, selectors, services
from listings.forms import ActivityForm, EntryAddForm, EventForm, ImportForm, InstitutionForm, TargetForm
from listings.models import Activity, ActivityKind, Institution, ListKind, Stage, Target
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
    """The city's and the districts' yearly targets, set by the office."""
    form = TargetForm(request.POST or None, initial={"year": timezone.localdate().year})
    status = 200
    if request.method == "POST":
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
        {"form": form, "page": page, "districts": District.objects.order_by("code")},
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
        {"year": year, "rows": rows, "stages": [Stage(s).label for s in selectors.PROGRESS_STAGES]},
    )


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
            except excel.SheetError as exc:
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
