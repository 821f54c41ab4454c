"""The cadre help ledger's pages: thin views over cadres.services, what each may see from cadres.permissions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Role, User
from accounts.permissions import role_required
from cadres import excel, selectors, services
from cadres.forms import (
    AssessmentOpenForm,
    AssessmentScoreForm,
    AssignmentForm,
    DevelopmentForm,
    EntryForm,
    EvaluationForm,
    FinaliseForm,
    GoalForm,
    ImportForm,
    IndicatorFormSet,
    LedgerConfirmForm,
    LedgerSubmitForm,
    RecordForm,
    ReviewForm,
    SheetCreateForm,
    SurveyForm,
    TrainingForm,
)
from cadres.models import (
    ECONOMIC_FIELDS,
    SCIENCE_FIELDS,
    SURVEY_AREAS,
    AssessmentSheet,
    AssessmentStatus,
    CadreLevel,
    DevelopmentData,
    Half,
    HelpList,
    HelpListEntry,
    Training,
)
from cadres.permissions import assessments_visible_to, entries_visible_to, ledgers_visible_to
from certification.models import Enterprise
from core import charts
from core.web import Failure, domain_errors, flash_errors, form_errors
from core.xlsx import SheetError
from districts.models import District

PAGE_SIZE = 20
office_only = role_required(Role.MUNICIPAL)
LIST_ROLES = (Role.MUNICIPAL, Role.ORGANISATION, Role.CADRE, Role.DISTRICT)
READ_ROLES = (*LIST_ROLES, Role.ENTERPRISE)


def _entry(request: HttpRequest, pk: int) -> HelpListEntry:
    return get_object_or_404(entries_visible_to(request.user).select_related("enterprise__district"), pk=pk)


def _back(entry: HelpListEntry) -> HttpResponse:
    return redirect("cadres:detail", pk=entry.pk)


@role_required(*READ_ROLES)
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The list of helped enterprises each may see; an enterprise user goes to their own page."""
    visible = entries_visible_to(request.user)
    if request.user.role == Role.ENTERPRISE:
        entry = visible.first()
        if entry is None:
            raise Http404
        return _back(entry)
    rows = selectors.with_overdue(selectors.entry_list(visible, request.GET), timezone.localdate())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "cadres/list.html",
        {
            "page": page,
            "querystring": params.urlencode(),
            "q": request.GET.get("q", ""),
            "list_choice": request.GET.get("list", ""),
            "key": request.GET.get("key", ""),
            "district_code": request.GET.get("district", ""),
            "lists": HelpList.choices,
            "districts": District.objects.order_by("code") if request.user.role != Role.CADRE else [],
            "office": request.user.role == Role.MUNICIPAL,
            "can_export": request.user.role in (Role.MUNICIPAL, Role.ORGANISATION),
        },
    )


@office_only
@require_http_methods(["GET", "POST"])
def entry_add(request: HttpRequest) -> HttpResponse:
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enterprise = Enterprise.objects.filter(uscc=form.cleaned_data["uscc"].strip().upper()).first()
        if enterprise is None:
            form.add_error("uscc", _("该统一社会信用代码不是本平台注册的企业。"))
        else:
            with form_errors(form):
                entry = services.entry_add(
                    by=request.user,
                    enterprise=enterprise,
                    help_list=form.cleaned_data["help_list"],
                    is_key=form.cleaned_data["is_key"],
                    year_added=form.cleaned_data["year_added"],
                )
                messages.success(request, _("已将%(name)s列入帮扶名单。") % {"name": enterprise.name})
                return _back(entry)
    status = 400 if request.method == "POST" else 200
    return render(request, "cadres/form.html", {"form": form, "title": _("列入帮扶名单")}, status=status)


@office_only
@require_http_methods(["GET", "POST"])
def entry_import(request: HttpRequest) -> HttpResponse:
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
    context: dict[str, Any] = {"form": form, "reports": reports}
    if reports is not None:
        context["added"] = sum(r.ok for r in reports)
        context["refused"] = sum(not r.ok for r in reports)
    return render(request, "cadres/import.html", context, status=status)


@role_required(Role.MUNICIPAL, Role.ORGANISATION)
@require_safe
def entry_export(request: HttpRequest) -> HttpResponse:
    entries = selectors.entry_list(entries_visible_to(request.user), request.GET)
    response = HttpResponse(
        excel.export_entries(entries),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="help-list-{stamp}.xlsx"'
    return response


def _development_charts(rows: list[DevelopmentData]) -> dict[str, Any]:
    labels = [f"{d.year} {d.get_half_display()}" for d in rows]
    fields = DevelopmentData._meta

    def series(names: tuple[str, ...]) -> list[charts.Series]:
        return [
            charts.Series(str(fields.get_field(n).verbose_name), [float(getattr(d, n)) for d in rows])
            for n in names
        ]

    money = ("revenue", "profit", "tax", "rd_spending")
    counts = ("patents", "invention_patents", "rd_staff", "new_products")
    return {
        "economic": charts.line_chart(
            title=_("经济发展指标（万元）"), labels=labels, series=series(money), unit=_("万元")
        ),
        "science": charts.line_chart(title=_("科技创新指标"), labels=labels, series=series(counts)),
    }


@role_required(*READ_ROLES)
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(entries_visible_to(request.user).values_list("pk", flat=True), pk=pk)
    entry = selectors.entry_detail(HelpListEntry.objects.all(), pk)
    rows = list(entry.development.all())
    fields = DevelopmentData._meta
    survey = getattr(entry, "survey", None)
    return render(
        request,
        "cadres/detail.html",
        {
            "entry": entry,
            "survey_rows": [
                (SurveyForm.base_fields[n].label, getattr(survey, n, ""))
                for n in (*SURVEY_AREAS, "bottlenecks")
            ],
            "survey": survey,
            "columns": [(n, fields.get_field(n).verbose_name) for n in (*ECONOMIC_FIELDS, *SCIENCE_FIELDS)],
            "table": [
                (
                    f"{d.year} {d.get_half_display()}",
                    [getattr(d, n) for n in (*ECONOMIC_FIELDS, *SCIENCE_FIELDS)],
                )
                for d in rows
            ],
            "charts": _development_charts(rows) if rows else None,
            "is_cadre": services.is_cadre_of(request.user, entry),
            "is_owner": request.user.role == Role.ENTERPRISE,
            "office": request.user.role == Role.MUNICIPAL,
            "can_assign": request.user.role in (Role.MUNICIPAL, Role.ORGANISATION),
            "confirm_form": LedgerConfirmForm() if request.user.role == Role.ENTERPRISE else None,
        },
    )


@office_only
@require_POST
def entry_remove(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    with domain_errors() as failed:
        services.entry_remove(by=request.user, entry=entry)
        messages.success(request, _("已将%(name)s移出帮扶名单。") % {"name": entry.enterprise.name})
        return redirect("cadres:home")
    messages.error(request, failed.message)
    return _back(entry)


def _form_page(
    request: HttpRequest, entry: HelpListEntry, form: Any, title: str, status: int = 200
) -> HttpResponse:
    return render(request, "cadres/form.html", {"form": form, "entry": entry, "title": title}, status=status)


@role_required(Role.MUNICIPAL, Role.ORGANISATION)
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    form = AssignmentForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with form_errors(form, conflict_request=request):
            services.assignment_set(by=request.user, entry=entry, **form.cleaned_data)
            messages.success(request, _("已指派帮扶干部，结对期限两年。"))
            return _back(entry)
    return _form_page(request, entry, form, _("指派帮扶干部"), 400 if request.method == "POST" else 200)


@role_required(Role.CADRE)
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    current = getattr(entry, "survey", None)
    initial = {n: getattr(current, n) for n in (*SURVEY_AREAS, "bottlenecks")} if current else None
    form = SurveyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with form_errors(form, field_map={"__all__": None}):
            services.survey_save(by=request.user, entry=entry, data=form.cleaned_data)
            messages.success(request, _("已保存需求调查。"))
            return _back(entry)
    return _form_page(request, entry, form, _("需求调查"), 400 if request.method == "POST" else 200)


@role_required(Role.CADRE)
@require_http_methods(["GET", "POST"])
def goal(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.goal_set(by=request.user, entry=entry, **form.cleaned_data)
            messages.success(request, _("已保存帮扶目标。"))
            return _back(entry)
    return _form_page(request, entry, form, _("一企一策目标"), 400 if request.method == "POST" else 200)


@role_required(Role.CADRE)
@require_http_methods(["GET", "POST"])
def record_add(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    form = RecordForm(request.POST or None, initial={"helped_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.record_add(by=request.user, entry=entry, data=form.cleaned_data)
            messages.success(request, _("已添加帮扶记录。"))
            return _back(entry)
    return _form_page(request, entry, form, _("添加帮扶记录"), 400 if request.method == "POST" else 200)


@role_required(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def development(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    today = timezone.localdate()
    form = DevelopmentForm(request.POST or None, initial={"year": today.year, "half": "h1"})
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("year", "half")}
        with form_errors(form):
            services.development_save(
                by=request.user,
                entry=entry,
                year=form.cleaned_data["year"],
                half=form.cleaned_data["half"],
                values=values,
            )
            messages.success(request, _("已保存企业发展数据。"))
            return _back(entry)
    return _form_page(request, entry, form, _("填报企业发展数据"), 400 if request.method == "POST" else 200)


@role_required(Role.CADRE)
@require_http_methods(["GET", "POST"])
def ledger_submit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    today = timezone.localdate()
    form = LedgerSubmitForm(request.POST or None, initial={"year": today.year, "half": "h1"})
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.ledger_submit(by=request.user, entry=entry, **form.cleaned_data)
            messages.success(request, _("已提交半年帮扶台账，等待企业确认。"))
            return _back(entry)
    return _form_page(request, entry, form, _("提交半年帮扶台账"), 400 if request.method == "POST" else 200)


@role_required(Role.ORGANISATION, Role.MUNICIPAL)
@require_safe
def ledgers(request: HttpRequest) -> HttpResponse:
    """The district organisation department's ledgers to review (区县审核), the municipal level's to file (市级备案)."""
    who = "office" if services.may_file(request.user) else "district"
    qs = selectors.ledger_queue(ledgers_visible_to(request.user), selectors.QUEUE_STATUS[who])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cadres/ledgers.html", {"page": page, "who": who})


@role_required(Role.ORGANISATION)
@require_POST
def ledger_review(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = get_object_or_404(ledgers_visible_to(request.user).select_related("entry__enterprise"), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核结果。"))
        return redirect("cadres:ledgers")
    with domain_errors() as failed:
        services.ledger_review(
            by=request.user,
            ledger=ledger,
            approve=form.cleaned_data["decision"] == "pass",
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("已审核台账。"))
        return redirect("cadres:ledgers")
    _report(request, failed)
    return redirect("cadres:ledgers")


@role_required(Role.MUNICIPAL, Role.ORGANISATION)
@require_POST
def ledger_file(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = get_object_or_404(ledgers_visible_to(request.user), pk=pk)
    with domain_errors() as failed:
        services.ledger_file(by=request.user, ledger=ledger)
        messages.success(request, _("已备案台账。"))
        return redirect("cadres:ledgers")
    _report(request, failed)
    return redirect("cadres:ledgers")


def _report(request: HttpRequest, failed: Failure) -> None:
    """A refused action of a list's row form: its reasons as messages above the list."""
    if failed.message:
        messages.error(request, failed.message)
    for problems in failed.errors.values():
        for problem in problems:
            messages.error(request, problem)


@role_required(Role.MUNICIPAL, Role.ORGANISATION)
@require_http_methods(["GET", "POST"])
def training(request: HttpRequest) -> HttpResponse:
    """The year's training sessions and lectures against the target of 24 (实施方案 二(二)5), and a form to add one."""
    raw = request.GET.get("year", "")
    year = (
        int(raw)
        if raw.isascii() and raw.isdigit() and 2015 <= int(raw) <= 2100
        else timezone.localdate().year
    )
    form = TrainingForm(request.POST or None, initial={"held_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            with form_errors(form):
                done = services.training_add(by=request.user, data=form.cleaned_data)
                messages.success(request, _("已记录培训。"))
                return redirect(f"{request.path}?year={done.held_on.year}")
    qs = Training.objects.filter(held_on__year=year).select_related("recorded_by")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cadres/training.html",
        {
            "page": page,
            "querystring": f"year={year}",
            "year": year,
            "count": page.paginator.count,
            "target": services.TRAINING_TARGET,
            "form": form,
        },
        status=status,
    )


@role_required(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise evaluates its cadre for a period (once)."""
    entry = _entry(request, pk)
    services.require_owner(request.user, entry)
    cadres = User.objects.filter(cadre_assignments__entry=entry).distinct().order_by("username")
    today = timezone.localdate()
    form = EvaluationForm(request.POST or None, cadres=cadres, initial={"year": today.year, "half": "h1"})
    if request.method == "POST" and form.is_valid():
        with form_errors(form, field_map={"__all__": None}):
            services.evaluation_add(by=request.user, entry=entry, **form.cleaned_data)
            messages.success(request, _("已提交对帮扶干部的评价。"))
            return _back(entry)
    return _form_page(request, entry, form, _("评价帮扶干部"), 400 if request.method == "POST" else 200)


# --- The assessment of cadres (组织部门考核) -------------------------------------------------------------

ASSESSMENT_READERS = (Role.ORGANISATION, Role.MUNICIPAL)


def _period(request: HttpRequest) -> tuple[int, str]:
    raw = request.GET.get("year", "")
    year = (
        int(raw)
        if raw.isascii() and raw.isdigit() and 2015 <= int(raw) <= 2100
        else timezone.localdate().year
    )
    half = request.GET.get("half", "")
    return year, half if half in Half.values else Half.FIRST


def _ranking_rows(request: HttpRequest) -> tuple[int, str, str, Any]:
    year, half = _period(request)
    level = request.GET.get("level", "")
    level = level if level in CadreLevel.values else ""
    qs = selectors.ranking(assessments_visible_to(request.user), year=year, half=half, level=level)
    return year, half, level, qs


@role_required(*ASSESSMENT_READERS)
@require_safe
def assessments(request: HttpRequest) -> HttpResponse:
    """考核排名: the period's finalised assessments ranked by total (ties share a rank), and the drafts."""
    year, half, level, qs = _ranking_rows(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    drafts = Paginator(
        selectors.assessment_drafts(assessments_visible_to(request.user), year=year, half=half), PAGE_SIZE
    ).get_page(request.GET.get("drafts"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "cadres/assessments.html",
        {
            "page": page,
            "drafts": drafts,
            "querystring": params.urlencode(),
            "year": year,
            "half": half,
            "level": level,
            "halves": Half.choices,
            "levels": CadreLevel.choices,
            "can_assess": request.user.role == Role.ORGANISATION,
            "sheet": AssessmentSheet.objects.filter(year=year).first(),
        },
    )


@role_required(*ASSESSMENT_READERS)
@require_safe
def assessment_export(request: HttpRequest) -> HttpResponse:
    """The ranking as .xlsx for commendation (考核意见 四), with the same filters as the page."""
    year, half, level, qs = _ranking_rows(request)
    sheet = AssessmentSheet.objects.filter(year=year).first()
    indicators = list(sheet.indicators.all()) if sheet else []
    rows = qs.prefetch_related("scores")
    response = HttpResponse(
        excel.export_ranking(indicators, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="assessment-{year}-{half}.xlsx"'
    return response


@role_required(Role.ORGANISATION)
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest) -> HttpResponse:
    year, half = _period(request)
    form = AssessmentOpenForm(request.POST or None, initial={"year": year, "half": half})
    if request.method == "POST" and form.is_valid():
        with form_errors(form, field_map={"__all__": None}):
            done = services.assessment_open(by=request.user, **form.cleaned_data)
            messages.success(request, _("已建立考核草稿，自动计算的指标已从台账填入。"))
            return redirect("cadres:assessment", pk=done.pk)
    return render(
        request,
        "cadres/form.html",
        {"form": form, "title": _("考核帮扶干部")},
        status=400 if request.method == "POST" else 200,
    )


@role_required(*ASSESSMENT_READERS)
@require_http_methods(["GET", "POST"])
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One assessment: its scores; the organisation department scores a draft's hand-scored indicators."""
    visible = assessments_visible_to(request.user)
    get_object_or_404(visible.values_list("pk", flat=True), pk=pk)
    assessment = selectors.assessment_detail(visible, pk)
    lines = list(assessment.scores.all())
    manual = [s.indicator for s in lines if s.indicator.is_manual]
    editable = request.user.role == Role.ORGANISATION and assessment.status == AssessmentStatus.DRAFT
    if request.method == "POST" and not editable:
        if request.user.role != Role.ORGANISATION:
            raise PermissionDenied
        messages.error(request, _("已定稿的考核不能修改。"))
        return redirect("cadres:assessment", pk=pk)
    initial = {f"score_{s.indicator_id}": s.score for s in lines if s.indicator.is_manual}
    form = AssessmentScoreForm(
        request.POST or None, indicators=manual, initial={**initial, "note": assessment.note}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            scores = {name[6:]: v for name, v in form.cleaned_data.items() if name.startswith("score_")}
            with form_errors(form, field_map={"scores": None}, conflict_request=request):
                services.assessment_score(
                    by=request.user, assessment=assessment, scores=scores, note=form.cleaned_data["note"]
                )
                messages.success(request, _("已保存考核得分。"))
                return redirect("cadres:assessment", pk=pk)
    return render(
        request,
        "cadres/assessment.html",
        {
            "assessment": assessment,
            "lines": lines,
            "form": form if editable else None,
            "finalise_form": FinaliseForm() if editable else None,
            "unscored": [s.indicator.name for s in lines if s.score is None],
        },
        status=status,
    )


@role_required(Role.ORGANISATION)
@require_POST
def assessment_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(assessments_visible_to(request.user), pk=pk)
    form = FinaliseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请勾选确认后再定稿。"))
        return redirect("cadres:assessment", pk=pk)
    with flash_errors(request) as failed:
        services.assessment_finalise(by=request.user, assessment=assessment)
        messages.success(request, _("考核已定稿。"))
    if failed:
        return redirect("cadres:assessment", pk=pk)
    return redirect(f"{reverse('cadres:assessments')}?year={assessment.year}&half={assessment.half}")


def _sheet_keeper(user: User) -> bool:
    return user.role == Role.MUNICIPAL or (user.role == Role.ORGANISATION and not user.district_id)


@role_required(*ASSESSMENT_READERS)
@require_http_methods(["GET", "POST"])
def sheets(request: HttpRequest) -> HttpResponse:
    """The years' scoring sheets, and a form to create one (a copy of the previous year's)."""
    form = SheetCreateForm(request.POST or None, initial={"year": timezone.localdate().year})
    status = 200
    if request.method == "POST":
        if not _sheet_keeper(request.user):
            raise PermissionDenied
        status = 400
        if form.is_valid():
            with form_errors(form):
                sheet = services.sheet_create(by=request.user, year=form.cleaned_data["year"])
                messages.success(request, _("已创建 %(year)s 年度考核评分表。") % {"year": sheet.year})
                return redirect("cadres:sheet", pk=sheet.pk)
    qs = AssessmentSheet.objects.annotate(
        indicator_count=Count("indicators", distinct=True),
        assessment_count=Count("assessments", distinct=True),
    ).order_by("-year")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cadres/sheets.html",
        {"page": page, "form": form if _sheet_keeper(request.user) else None},
        status=status,
    )


@role_required(*ASSESSMENT_READERS)
@require_http_methods(["GET", "POST"])
def sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """A sheet's indicators; the office or the municipal organisation department edits an unused one."""
    current = get_object_or_404(AssessmentSheet, pk=pk)
    indicators = list(current.indicators.all())
    in_use = current.assessments.exists()
    editable = _sheet_keeper(request.user) and not in_use
    if request.method == "POST" and not editable:
        if not _sheet_keeper(request.user):
            raise PermissionDenied
        messages.error(request, _("该评分表已用于考核，不能修改；请为下一年度另建评分表。"))
        return redirect("cadres:sheet", pk=pk)
    initial = [
        {"name": i.name, "max_score": i.max_score, "source": i.source, "full_at": i.full_at or ""}
        for i in indicators
    ]
    formset = IndicatorFormSet(request.POST or None, initial=initial, prefix="ind")
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        status = 400
        if formset.is_valid():
            rows = [
                f.cleaned_data
                for f in formset.forms
                if any(f.cleaned_data.get(k) for k in ("name", "max_score", "source"))
            ]
            with domain_errors() as failed:
                services.sheet_save(by=request.user, sheet=current, rows=rows)
                messages.success(request, _("已保存考核评分表。"))
                return redirect("cadres:sheet", pk=pk)
            errors = [p for problems in failed.errors.values() for p in problems] + (
                [failed.message] if failed.message else []
            )
        else:
            errors = [_("表格数据不完整，请重新提交。")]
    return render(
        request,
        "cadres/sheet.html",
        {
            "sheet": current,
            "indicators": indicators,
            "total": sum(i.max_score for i in indicators),
            "formset": formset if editable else None,
            "errors": errors,
            "in_use": in_use,
        },
        status=status,
    )


@role_required(Role.ENTERPRISE)
@require_POST
def ledger_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """企业确认: the enterprise confirms its half-year ledger (or returns it to the cadre) from its page."""
    ledger = get_object_or_404(ledgers_visible_to(request.user).select_related("entry__enterprise"), pk=pk)
    form = LedgerConfirmForm(request.POST)
    if not form.is_valid():
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, problem)
        return _back(ledger.entry)
    with domain_errors() as failed:
        services.ledger_confirm(
            by=request.user,
            ledger=ledger,
            approve=form.cleaned_data["decision"] == "pass",
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("已确认半年帮扶台账。"))
        return _back(ledger.entry)
    _report(request, failed)
    return _back(ledger.entry)
