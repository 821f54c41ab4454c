"""The district working group's browser pages for publicity, objections and filing (第十条（4）（5）).

Thin views: each write is one service call (certification.publicity, districts.services); a notice,
objection or filing outside the official's district is a 404 through the same querysets as the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from certification import workflow
from certification.models import (
    Application,
    EntryOutcome,
    NoticeStatus,
    ObjectionStatus,
    PublicityNotice,
)
from certification.publicity import services as publicity
from certification.publicity.api.views import objections_visible_to
from core.uploads import stored_pdf_response
from core.web import domain_errors, form_errors
from districts import services
from districts.selectors import filings_visible_to

PAGE_SIZE = 25
# A selection must see every candidate at once (a choice cannot span pages); the set is one
# district's applications waiting for this step, so it is bounded — the cap only guards the page.
SELECTION_CAP = 300


def notices_of(user: Any) -> QuerySet[PublicityNotice]:
    return PublicityNotice.objects.filter(district_id=user.district_id).select_related("district")


# --- Notices ----------------------------------------------------------------------------------


@role_required(Role.DISTRICT)
@require_safe
def publicity_list(request: HttpRequest) -> HttpResponse:
    notices = (
        notices_of(request.user)
        .annotate(
            entry_count=Count("entries", distinct=True),
            open_objections=Count(
                "entries__objections",
                filter=Q(entries__objections__status=ObjectionStatus.OPEN),
                distinct=True,
            ),
        )
        .order_by("-start", "-id")
    )
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "districts/publicity_list.html",
        {
            "district": request.user.district,
            "page": page,
            "today": timezone.localdate(),
            "recommended_count": _recommended(request.user).count(),
            "passed_count": _publicity_passed(request.user).count(),
        },
    )


def _recommended(user: Any) -> QuerySet[Application]:
    return (
        Application.objects.filter(
            district_id=user.district_id, status__in=workflow.from_statuses("publicise")
        )
        .select_related("enterprise", "field")
        .order_by("enterprise__name", "pk")
    )


class PublishForm(forms.Form):
    applications = forms.TypedMultipleChoiceField(
        label=gettext_lazy("拟推荐的申请"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("请至少选择一件拟推荐的申请。"),
            "invalid_choice": gettext_lazy("所选申请已不在拟推荐名单中，请刷新页面后重新选择。"),
        },
    )
    start = forms.DateField(
        label=gettext_lazy("公示开始日期"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={
            "required": gettext_lazy("请填写公示开始日期。"),
            "invalid": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
        },
        help_text=gettext_lazy(
            "不能早于今天。公示期为 10 个工作日，按市工作小组办公室维护的工作日历计算（节假日和调休上班日均计入考虑）。"
        ),
    )
    title = forms.CharField(
        label=gettext_lazy("公示标题（可不填）"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("不填写则为“××区 ××年度市级高新技术企业拟认定名单公示”。"),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("确认发布：名单将在门户向社会公开，所选申请进入公示，发布后不能撤回。"),
        error_messages={"required": gettext_lazy("请勾选确认后再发布。")},
    )

    def __init__(self, *args: Any, candidates: list[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = [(a.pk, a.enterprise.name) for a in candidates]


@role_required(Role.DISTRICT)
@require_http_methods(["GET", "POST"])
def publicity_new(request: HttpRequest) -> HttpResponse:
    candidates = list(_recommended(request.user)[:SELECTION_CAP])
    today = timezone.localdate()
    form = PublishForm(request.POST or None, candidates=candidates, initial={"start": today})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            with form_errors(form) as failed:
                notice = publicity.publicity_publish(
                    by=request.user,
                    application_ids=form.cleaned_data["applications"],
                    start=form.cleaned_data["start"],
                    title=form.cleaned_data["title"],
                )
                messages.success(
                    request,
                    _("已发布公示：%(start)s 至 %(end)s，共 10 个工作日，%(n)s 家企业。%(mark)s")
                    % {
                        "start": notice.start.isoformat(),
                        "end": notice.end.isoformat(),
                        "n": len(form.cleaned_data["applications"]),
                        "mark": ""
                        if notice.end_confirmed
                        else _("截止日期未按官方日历确认，官方安排公布后将重新计算。"),
                    },
                )
                return redirect("districts:notice_detail", pk=notice.pk)
            status = failed.status
    selected = {str(v) for v in (form["applications"].value() or [])}
    return render(
        request,
        "districts/publicity_new.html",
        {
            "district": request.user.district,
            "form": form,
            "candidates": candidates,
            "selected": selected,
            "capped": len(candidates) >= SELECTION_CAP,
            "period_from_today": publicity.publicity_period(today),
        },
        status=status,
    )


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("核实结论"),
        widget=forms.RadioSelect(attrs={"class": "radios"}),
        choices=[
            ("dismissed", gettext_lazy("异议不成立：该企业继续认定程序")),
            ("upheld", gettext_lazy("异议成立：该企业本次不予认定")),
        ],
        error_messages={"required": gettext_lazy("请选择异议成立或不成立。")},
    )
    finding = forms.CharField(
        label=gettext_lazy("核实情况及结论"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("请填写核实结论。")},
        help_text=gettext_lazy("提出人可凭查询编号看到此结论，请勿写入提出人的身份信息。"),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("已核实，确认提交。提交后不能修改。"),
        error_messages={"required": gettext_lazy("请勾选确认后再提交核实结论。")},
    )


def _render_notice(
    request: HttpRequest,
    notice: PublicityNotice,
    *,
    status: int = 200,
    bound: tuple[int, ResolveForm] | None = None,
    close_error: str = "",
) -> HttpResponse:
    today = timezone.localdate()
    entries = list(
        notice.entries.select_related("application__enterprise", "application__field", "change")
        .annotate(
            objection_count=Count("objections"),
            open_objection_count=Count("objections", filter=Q(objections__status=ObjectionStatus.OPEN)),
        )
        .order_by("id")  # Meta.ordering does not apply to a query with aggregates
    )
    objections = (
        objections_visible_to(request.user).filter(entry__notice=notice).order_by("-created_at", "-id")
    )
    page = Paginator(objections, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for objection in page.object_list:
        form = None
        if objection.status == ObjectionStatus.OPEN:
            form = bound[1] if bound and bound[0] == objection.pk else ResolveForm(prefix=f"o{objection.pk}")
        rows.append({"objection": objection, "form": form})
    closable = notice.status == NoticeStatus.OPEN and today > notice.end
    return render(
        request,
        "districts/notice_detail.html",
        {
            "notice": notice,
            "entries": entries,
            "page": page,
            "rows": rows,
            "today": today,
            "closable": closable,
            "close_error": close_error,
            "awaiting": sum(1 for e in entries if e.outcome == EntryOutcome.AWAITING_FINDING),
            "first_close_day": notice.end + dt.timedelta(days=1),
        },
        status=status,
    )


@role_required(Role.DISTRICT)
@require_safe
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(notices_of(request.user).select_related("created_by", "closed_by"), pk=pk)
    return _render_notice(request, notice)


@role_required(Role.DISTRICT)
@require_POST
def notice_close(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(notices_of(request.user).select_related("created_by", "closed_by"), pk=pk)
    if request.POST.get("confirm") != "1":
        return _render_notice(request, notice, status=400, close_error=_("请勾选确认后再结束公示。"))
    with domain_errors() as failed:
        notice, closed_now = publicity.notice_close(notice=notice, by=request.user)
    if failed:
        return _render_notice(request, notice, status=failed.status, close_error=failed.message)
    if closed_now:
        outcomes = dict(
            notice.entries.order_by().values("outcome").annotate(n=Count("id")).values_list("outcome", "n")
        )
        messages.success(
            request,
            _("公示已结束：%(passed)s 家公示通过，%(waiting)s 家异议待核实，%(upheld)s 家异议成立。")
            % {
                "passed": outcomes.get(EntryOutcome.PASSED, 0),
                "waiting": outcomes.get(EntryOutcome.AWAITING_FINDING, 0),
                "upheld": outcomes.get(EntryOutcome.OBJECTION_UPHELD, 0),
            },
        )
    else:
        messages.info(request, _("该公示已经结束。"))
    return redirect("districts:notice_detail", pk=notice.pk)


@role_required(Role.DISTRICT)
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(objections_visible_to(request.user), pk=pk)
    notice = get_object_or_404(
        notices_of(request.user).select_related("created_by", "closed_by"), pk=objection.entry.notice_id
    )
    form = ResolveForm(request.POST, prefix=f"o{objection.pk}")
    if not form.is_valid():
        return _render_notice(request, notice, status=400, bound=(objection.pk, form))
    with form_errors(form, conflict_request=request) as failed:
        publicity.objection_resolve(
            objection=objection,
            by=request.user,
            upheld=form.cleaned_data["decision"] == "upheld",
            finding=form.cleaned_data["finding"],
        )
        messages.success(request, _("已记录对异议 %(n)s 的核实结论。") % {"n": objection.tracking_number})
        return redirect(reverse("districts:notice_detail", args=[notice.pk]) + f"#objection-{objection.pk}")
    # A conflict is a flash message over the page as it is now; invalid input stays on the form.
    bound = (objection.pk, form) if failed.status == 400 else None
    return _render_notice(request, notice, status=failed.status, bound=bound)


@role_required(Role.DISTRICT, Role.MUNICIPAL)
@require_safe
def objection_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The objector's evidence, for the district that verifies it and the municipal office only."""
    objection = get_object_or_404(objections_visible_to(request.user).exclude(evidence=""), pk=pk)
    return stored_pdf_response(
        objection.evidence, _("异议证明材料-%(n)s.pdf") % {"n": objection.tracking_number}
    )


# --- Filing -----------------------------------------------------------------------------------


def _publicity_passed(user: Any) -> QuerySet[Application]:
    return (
        Application.objects.filter(district_id=user.district_id, status__in=workflow.from_statuses("file"))
        .select_related("enterprise", "field")
        .order_by("enterprise__name", "pk")
    )


class FilingForm(forms.Form):
    applications = forms.TypedMultipleChoiceField(
        label=gettext_lazy("公示通过的申请"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("请选择要报备的申请。"),
            "invalid_choice": gettext_lazy("所选申请已不是“公示通过”状态，请刷新页面后重新选择。"),
        },
    )
    confirm = forms.BooleanField(
        error_messages={"required": gettext_lazy("请勾选“以区人民政府名义报备”后再提交。")}
    )

    def __init__(self, *args: Any, candidates: list[Application], government: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = [(a.pk, a.enterprise.name) for a in candidates]
        self.fields["confirm"].label = _(
            "以区人民政府名义报备：以%(gov)s名义将所选申请报市工作小组办公室审核，提交后不能撤回。"
        ) % {"gov": government}


def _government(user: Any) -> str:
    return user.district.government_name or user.district.name


def _render_filings(
    request: HttpRequest,
    form: FilingForm | None = None,
    candidates: list[Application] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    if candidates is None:
        candidates = list(_publicity_passed(request.user)[:SELECTION_CAP])
    if form is None:
        form = FilingForm(candidates=candidates, government=_government(request.user))
    filings = filings_visible_to(request.user).select_related("created_by").order_by("-created_at", "-id")
    page = Paginator(filings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "districts/filings.html",
        {
            "district": request.user.district,
            "government": _government(request.user),
            "form": form,
            "candidates": candidates,
            "selected": {str(v) for v in (form["applications"].value() or [])},
            "capped": len(candidates) >= SELECTION_CAP,
            "page": page,
        },
        status=status,
    )


@role_required(Role.DISTRICT)
@require_safe
def filings(request: HttpRequest) -> HttpResponse:
    return _render_filings(request)


@role_required(Role.DISTRICT)
@require_POST
def filing_new(request: HttpRequest) -> HttpResponse:
    candidates = list(_publicity_passed(request.user)[:SELECTION_CAP])
    form = FilingForm(request.POST, candidates=candidates, government=_government(request.user))
    if not form.is_valid():
        return _render_filings(request, form, candidates, status=400)
    with form_errors(form) as failed:
        filing = services.filing_create(by=request.user, application_ids=form.cleaned_data["applications"])
        messages.success(
            request,
            _("已以%(gov)s名义报备 %(n)s 件申请（报备编号 %(id)s），等待市工作小组办公室审核。")
            % {
                "gov": _government(request.user),
                "n": len(form.cleaned_data["applications"]),
                "id": filing.pk,
            },
        )
        return redirect("districts:filings")
    return _render_filings(request, form, candidates, status=failed.status)


@role_required(Role.DISTRICT)
@require_safe
def filing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The package as filed: scores, draw records, objections and findings, audit reports, document hashes."""
    from districts.filing_package import entries_without_packages, with_package_html

    filing = get_object_or_404(
        filings_visible_to(request.user).prefetch_related(None).select_related("created_by"), pk=pk
    )
    entries = with_package_html(filing, list(entries_without_packages(filing)))
    return render(
        request,
        "districts/filing_detail.html",
        {
            "filing": filing,
            "government": _government(request.user),
            "entries": entries,
            "late_count": sum(1 for e in entries if e.late),
        },
    )


@role_required(Role.DISTRICT)
@require_safe
def filing_letter(request: HttpRequest, pk: int) -> HttpResponse:
    from districts.filing_package import filing_letter_download

    filing = get_object_or_404(filings_visible_to(request.user).prefetch_related(None), pk=pk)
    return filing_letter_download(filing)
