from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from certification import workflow
from certification.applications.data import eligibility_input_for, rule_set_for
from certification.applications.permissions import applications_visible_to
from certification.applications.selectors import (
    documents_for,
    duplicate_documents,
    same_file_kinds,
    with_application_details,
)
from certification.eligibility import pool
from certification.eligibility.engine import evaluate
from certification.eligibility.rules import field_codes_in_force, top_fields_in_force
from certification.models import (
    Application,
    ApplicationFiscalYear,
    ApplicationStatus,
    DocumentKind,
    PoolEntry,
    Readiness,
)
from core.search import name_or_code
from core.web import flash_errors
from districts import services
from districts.selectors import days_left, district_queue
from experts.models import ReviewMode, ReviewStatus


@role_required(Role.DISTRICT)
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    district = request.user.district
    enterprises = district.enterprises.order_by("-created_at", "name")
    query = request.GET.get("q", "").strip()
    if query:
        enterprises = enterprises.filter(name_or_code(query, names=("name",), codes=("uscc",)))
    page = Paginator(enterprises, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "districts/home.html",
        {
            "district": district,
            "page": page,
            "query": query,
            "pool_count": PoolEntry.objects.filter(enterprise__district=district).count(),
            "waiting": Application.objects.filter(
                district=district, status=ApplicationStatus.SUBMITTED
            ).count(),
        },
    )


@role_required(Role.DISTRICT)
@require_safe
def pool_list(request: HttpRequest) -> HttpResponse:
    """The district's candidate pool: readiness per condition and distance from passing."""
    filters = {
        "field_code": request.GET.get("field", ""),
        "readiness": request.GET.get("readiness", ""),
        "cultivation": request.GET.get("cultivation", ""),
        "query": request.GET.get("q", "").strip(),
    }
    entries = pool.district_pool(request.user.district_id, **filters)
    page = Paginator(entries, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "districts/pool.html",
        {
            "district": request.user.district,
            "page": page,
            "filters": filters,
            "querystring": params.urlencode(),
            "top_fields": top_fields_in_force(),
            "readiness_choices": Readiness.choices,
        },
    )


@require_POST
@role_required(Role.DISTRICT)
def contact_phone(request: HttpRequest) -> HttpResponse:
    """The working group's contact phone, shown in the home page's guide and on its publicity notices."""
    with flash_errors(request):
        district = services.district_set_phone(
            district=request.user.district, by=request.user, phone=request.POST.get("phone", "")
        )
        messages.success(request, _("联系电话已保存：%(phone)s") % {"phone": district.phone or "—"})
    return redirect("districts:home")


@require_POST
@role_required(Role.DISTRICT)
def pool_cultivation(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(PoolEntry, pk=pk, enterprise__district_id=request.user.district_id)
    mark = request.POST.get("cultivation") == "1"
    pool.pool_mark_cultivation(
        entry=entry, by=request.user, cultivation=mark, note=request.POST.get("note", "")
    )
    messages.success(
        request,
        (_("已将“%(name)s”列为重点培育。") if mark else _("已取消“%(name)s”的重点培育。"))
        % {"name": entry.enterprise.name},
    )
    return redirect(
        request.POST.get("next")
        if str(request.POST.get("next", "")).startswith("/district/")
        else "districts:pool"
    )


# --- Intake: the queue, the completeness check, acceptance, the draw and the opinion -------------

QUEUE_PAGE_SIZE = 25
# 第十条: the 40 days run from 受理 to the filing; a refusal (not recommended, objection upheld) stops them.
CLOCK_STATUSES = frozenset(workflow.CLOCK_STATUSES)


@role_required(Role.DISTRICT)
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    filters = {
        "query": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", ""),
        "field_code": request.GET.get("field", ""),
        "sort": request.GET.get("sort", "deadline"),
    }
    page = Paginator(district_queue(request.user.district_id, **filters), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    rows = []
    for a in page.object_list:
        left = days_left(a.review_deadline, today) if a.status in CLOCK_STATUSES else None
        rows.append({"app": a, "days_left": left, "overdue": -left if left is not None and left < 0 else 0})
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "districts/queue.html",
        {
            "district": request.user.district,
            "page": page,
            "rows": rows,
            "filters": filters,
            "querystring": params.urlencode(),
            "statuses": [(v, ApplicationStatus(v).label) for v in workflow.SUBMITTED_STATUSES],
            "top_fields": top_fields_in_force(),
        },
    )


def _district_application(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(
        with_application_details(applications_visible_to(request.user)).select_related("opinion_by"), pk=pk
    )


FISCAL_FIGURES = (
    "sales_revenue",
    "total_revenue",
    "hightech_revenue",
    "rd_expense",
    "rd_expense_domestic",
    "total_assets",
)


def _fiscal_rows(application: Application) -> list[tuple[str, list]]:
    """The fiscal years' figures as rows (one per figure, one column per year): three year columns fit
    the page where seven figure columns did not."""
    years = list(application.fiscal_years.all())
    if not years:
        return []
    return [
        (ApplicationFiscalYear._meta.get_field(name).verbose_name, [getattr(fy, name) for fy in years])
        for name in FISCAL_FIGURES
    ]


def _staff_shares(application: Application) -> dict[str, str | None]:
    """The staff counts as shares of the total (one decimal), as the conditions read them."""
    total = application.staff_total

    def share(n: int | None) -> str | None:
        return f"{n * 100 / total:.1f}" if total and n is not None else None

    return {"college": share(application.staff_tech_college), "rd": share(application.staff_rd)}


@role_required(Role.DISTRICT)
@require_safe
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from certification.workflow import REVIEW_STATUSES
    from experts.draw_record import excluded_rows, replacement_rows
    from experts.review_result import panel_result
    from experts.selectors import score_history

    application = _district_application(request, pk)
    documents = list(documents_for(application))
    duplicates = duplicate_documents(application, request.user)
    same_file = same_file_kinds(documents)
    draws = list(application.draws.order_by("-created_at"))
    transitions = list(application.transitions.all())
    left = days_left(application.review_deadline) if application.status in CLOCK_STATUSES else None
    result = panel_result(application) if draws else None
    today = timezone.localdate()
    # An online expert past the scoring deadline may be replaced from the alternates (the overdue notice).
    replaceable = (
        {
            r["review_id"]
            for r in result["experts"]
            if r["status"] == ReviewStatus.ASSIGNED and r["due_on"] is not None and r["due_on"] < today
        }
        if result
        and draws[0].mode == ReviewMode.ONLINE
        and application.status in workflow.from_statuses("review_complete")
        else set()
    )
    return render(
        request,
        "districts/application_detail.html",
        {
            "application": application,
            "eligibility": evaluate(
                eligibility_input_for(application),
                rule_set_for(application),
                field_codes=field_codes_in_force(),
            ).as_dict(),
            "documents": [
                {
                    "doc": d,
                    "duplicates": duplicates.visible.get(d.pk, []),
                    "duplicates_hidden": duplicates.hidden.get(d.pk, 0),
                    "same_file_as": same_file.get(d.pk, []),
                }
                for d in documents
            ],
            "same_file_count": len(same_file),
            "fiscal_years": list(application.fiscal_years.all()),
            "fiscal_rows": _fiscal_rows(application),
            "staff_shares": _staff_shares(application),
            "has_duplicates": bool(duplicates),
            "document_kinds": DocumentKind.choices,
            "uploaded_kinds": {d.kind for d in documents},
            "draw": draws[0] if draws else None,
            "excluded": excluded_rows(draws[0]) if draws else [],
            "score_history": score_history(application) if draws else [],
            "can_reopen": application.status in REVIEW_STATUSES and application.opinion_at is None,
            "result": result,
            "replaceable": replaceable,
            "replacements": replacement_rows(draws[0]) if draws else [],
            "transitions": transitions,
            "certificate": getattr(application, "certificate", None)
            if application.status == ApplicationStatus.CERTIFIED
            else None,
            "days_left": left,
            "overdue_days": -left if left is not None and left < 0 else 0,
            "filing_return": services.last_filing_return(application)
            if application.status == ApplicationStatus.FILING_RETURNED
            else None,
            "first_filed_late": application.filing_ended_on is not None
            and application.review_deadline is not None
            and application.filing_ended_on > application.review_deadline,
            "review_modes": ReviewMode.choices,
            "indicator_keys": ("ip", "conversion", "rd_management", "growth"),
        },
    )


def _act(request: HttpRequest, pk: int, action, success: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    application = _district_application(request, pk)
    with flash_errors(request):
        action(application)
        messages.success(request, success)
    return redirect("districts:application_detail", pk=pk)


@require_POST
@role_required(Role.DISTRICT)
def application_return(request: HttpRequest, pk: int) -> HttpResponse:
    reasons = [line for line in request.POST.get("reasons", "").splitlines() if line.strip()]
    return _act(
        request,
        pk,
        lambda app: services.application_return(
            application=app,
            by=request.user,
            reasons=reasons,
            missing_documents=request.POST.getlist("missing_documents"),
            note=request.POST.get("note", ""),
        ),
        _("已退回企业补正，企业将看到全部缺少的项目。"),
    )


@require_POST
@role_required(Role.DISTRICT)
def application_accept(request: HttpRequest, pk: int) -> HttpResponse:
    if request.POST.get("confirm") != "1":
        messages.error(request, _("请勾选确认后再受理。"))
        return redirect("districts:application_detail", pk=pk)
    return _act(
        request,
        pk,
        lambda app: services.application_accept(application=app, by=request.user),
        _("已受理，40 日办理时限开始计算。"),
    )


@require_POST
@role_required(Role.DISTRICT)
def application_draw(request: HttpRequest, pk: int) -> HttpResponse:
    from experts.services.draws import DrawError
    from experts.services.meetings import draw_and_notify

    mode = request.POST.get("mode", ReviewMode.ONLINE)
    meeting_date = (
        parse_date(request.POST.get("meeting_date", "") or "") if mode == ReviewMode.MEETING else None
    )
    application = _district_application(request, pk)
    if request.POST.get("confirm") != "1":  # the draw cannot be undone: confirmed first
        messages.error(request, _("请勾选确认后再抽取评审专家。"))
        return redirect("districts:application_detail", pk=pk)
    if mode not in ReviewMode.values or (mode == ReviewMode.MEETING and meeting_date is None):
        messages.error(request, _("现场评审会须填写日期和地点。"))
        return redirect("districts:application_detail", pk=pk)
    with flash_errors(request):
        try:
            draw_and_notify(
                application=application,
                by=request.user,
                mode=mode,
                meeting_date=meeting_date,
                meeting_place=request.POST.get("meeting_place", "").strip(),
            )
        except (
            DrawError
        ) as exc:  # the pool cannot meet the rules: the message names the rule and the shortage
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已随机抽取评审专家，专家将收到评审任务。"))
    return redirect("districts:application_detail", pk=pk)


@require_POST
@role_required(Role.DISTRICT)
def application_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    recommend = request.POST.get("recommend")
    if recommend not in ("1", "0"):
        messages.error(request, _("请选择推荐或不予推荐。"))
        return redirect("districts:application_detail", pk=pk)
    return _act(
        request,
        pk,
        lambda app: services.application_opinion(
            application=app, by=request.user, recommend=recommend == "1", note=request.POST.get("note", "")
        ),
        _("已记录区县工作小组意见。"),
    )


# --- After the office returned a filing (报备退回): file again, or back to review or publicity ------

FILING_RETURN_ACTIONS = {
    "refile": (services.filing_return_refile, gettext_lazy("已更正后重新报备，等待市工作小组办公室审核。")),
    "review": (
        services.filing_return_back_to_review,
        gettext_lazy("已退回评审环节：请重新提出区县意见（必要时先重新开放专家评分）。"),
    ),
    "publicity": (
        services.filing_return_back_to_publicity,
        gettext_lazy("已退回公示环节：请在“公示”页面重新发布公示。"),
    ),
}


def _filing_return_action(request: HttpRequest, pk: int, way: str) -> HttpResponse:
    _district_application(request, pk)  # another district's application is a 404 before anything else
    if request.POST.get("confirm") != "1":
        messages.error(request, _("请勾选确认后再提交。"))
        return redirect("districts:application_detail", pk=pk)
    action, success = FILING_RETURN_ACTIONS[way]
    return _act(
        request,
        pk,
        lambda app: action(application=app, by=request.user, reason=request.POST.get("reason", "")),
        str(success),
    )


@require_POST
@role_required(Role.DISTRICT)
def filing_return_refile(request: HttpRequest, pk: int) -> HttpResponse:
    return _filing_return_action(request, pk, "refile")


@require_POST
@role_required(Role.DISTRICT)
def filing_return_back_to_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _filing_return_action(request, pk, "review")


@require_POST
@role_required(Role.DISTRICT)
def filing_return_back_to_publicity(request: HttpRequest, pk: int) -> HttpResponse:
    return _filing_return_action(request, pk, "publicity")
