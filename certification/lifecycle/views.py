"""Browser pages after the certificate: the enterprise's certificates, monitoring reports and change
requests; the district's certificate list, missing reports, change handling and revocation; the old
public list of renames (now a redirect: renames are publicity notices, certification/publicity/).

Views parse input, call one service of `certification.lifecycle` (or `certificate_revoke`) and render.
What a user may open comes from `certificates_visible_to` / `changes_visible_to`; anything else is 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from certification.applications import reapplication
from certification.certificates.selectors import awaiting_certificate
from certification.certificates.services import certificate_revoke, certificate_status
from certification.eligibility import views as sc
from certification.lifecycle import services as lifecycle
from certification.models import (
    OPEN_CHANGE_STATUSES,
    Certificate,
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    MajorChangeKind,
    NoticeStatus,
    ReportKind,
)
from core.uploads import display_name, stored_pdf_response
from core.web import Failure, add_form_errors, domain_errors, form_errors

PAGE_SIZE = 25
TEMPLATES = "certification/lifecycle/"
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- Forms (shape only; the services decide the rules) ------------------------------------------


class MonitoringReportForm(forms.Form):
    # A select of the open periods; which periods are owed is the service's decision, not the form's.
    report = forms.CharField(
        label=gettext_lazy("报告期"),
        max_length=20,
        widget=forms.Select,
        error_messages={"required": gettext_lazy("请选择报告期。")},
    )
    revenue = forms.CharField(
        label=gettext_lazy("营业收入（元）"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    rd_expense = forms.CharField(
        label=gettext_lazy("研究开发费用（元）"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    staff_total = forms.CharField(
        label=gettext_lazy("职工总数"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    new_ip_count = forms.CharField(
        label=gettext_lazy("报告期内新增知识产权数"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("本企业承诺所填数据真实、准确。"),
        error_messages={"required": gettext_lazy("请确认所填数据真实、准确。")},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["report"].widget.choices = choices


CHANGE_KIND_CHOICES = [
    ("rename", gettext_lazy("更名")),
    *[
        (value, format_lazy(gettext_lazy("重大变化：{kind}"), kind=label))
        for value, label in MajorChangeKind.choices
    ],
]


class ChangeRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("变更类型"),
        choices=CHANGE_KIND_CHOICES,
        error_messages={
            "required": gettext_lazy("请选择变更类型。"),
            "invalid_choice": gettext_lazy("请选择变更类型。"),
        },
    )
    new_name = forms.CharField(
        label=gettext_lazy("新的企业名称（更名时填写）"), required=False, max_length=200
    )
    description = forms.CharField(
        label=gettext_lazy("变化情况说明（重大变化时填写）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    event_date = forms.DateField(
        label=gettext_lazy("变更发生日期（如工商变更登记日期）"),
        widget=DATE_INPUT,
        error_messages={
            "required": gettext_lazy("请填写变更发生日期。"),
            "invalid": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
        },
    )
    evidence = forms.FileField(
        label=gettext_lazy("证明材料（PDF）"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"required": gettext_lazy("请上传证明材料（PDF）。")},
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("本企业承诺所填信息和证明材料真实、有效。"),
        error_messages={"required": gettext_lazy("请确认所填信息和证明材料真实、有效。")},
    )


class PublishForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("公示开始日期"),
        widget=DATE_INPUT,
        error_messages={
            "required": gettext_lazy("请填写公示开始日期。"),
            "invalid": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
        },
    )


class RejectForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("不予更名的理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请填写不予更名的理由。")},
    )


class DecideForm(forms.Form):
    keep = forms.ChoiceField(
        label=gettext_lazy("复核结论"),
        widget=forms.RadioSelect,
        choices=[
            ("keep", gettext_lazy("仍符合认定条件，保留资格")),
            ("revoke", gettext_lazy("不再符合认定条件，撤销资格")),
        ],
        error_messages={"required": gettext_lazy("请选择复核结论。")},
    )
    note = forms.CharField(
        label=gettext_lazy("复核意见"),
        required=False,
        help_text=gettext_lazy("撤销资格时必填；核验结果有条件未满足而保留资格的，须写明理由。"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("我已核实证明材料，确认以上复核结论。"),
        error_messages={"required": gettext_lazy("请确认复核结论。")},
    )


REVOCATION_GROUNDS = [
    ("fraud", gettext_lazy("在申请认定过程中提供虚假信息（弄虚作假）")),
    ("accident", gettext_lazy("发生重大安全、质量事故")),
    ("environment", gettext_lazy("有严重环境违法行为")),
    ("missing_reports", gettext_lazy("两年未按时填报统计监测数据")),
    ("major_change", gettext_lazy("重大变化后不再符合认定条件")),
]


class RevokeForm(forms.Form):
    ground = forms.ChoiceField(
        label=gettext_lazy("撤销事由（参照国科发火〔2008〕172号）"),
        choices=REVOCATION_GROUNDS,
        error_messages={
            "required": gettext_lazy("请选择撤销事由。"),
            "invalid_choice": gettext_lazy("请选择撤销事由。"),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("事实与依据"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": gettext_lazy("请说明撤销的事实与依据。")},
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("我确认撤销该证书。撤销后证书查验显示“已撤销”，不能恢复。"),
        error_messages={"required": gettext_lazy("请勾选确认撤销。")},
    )


def _serve_evidence(change: ChangeRequest) -> HttpResponse:
    return stored_pdf_response(change.evidence, display_name(change.evidence_name))


STATUS_CLASSES = {"valid": "state-ready", "expired": "state-close", "revoked": "state-far"}


# --- Enterprise ---------------------------------------------------------------------------------


def _own_certificate(request: HttpRequest, pk: int) -> Certificate:
    return get_object_or_404(
        lifecycle.certificates_visible_to(request.user).select_related("enterprise"), pk=pk
    )


@role_required(Role.ENTERPRISE)
@require_safe
def enterprise_certificates(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    cards = []
    # 重新申请 is offered on the newest certificate only, when nothing refuses it (see reapplication.py).
    can_reapply = reapplication.refusal(request.user.enterprise, today) is None
    for index, certificate in enumerate(lifecycle.enterprise_certificates(request.user.enterprise_id)):
        status = certificate_status(certificate, today)
        expiry = reapplication.expiry_of(certificate, today)
        changes = list(certificate.change_requests.all())
        cards.append(
            {
                "certificate": certificate,
                "status": status,
                "status_label": lifecycle.status_label(status),
                "status_class": STATUS_CLASSES[status],
                "flags": lifecycle.flags_of(certificate),
                "versions": sorted(certificate.versions.all(), key=lambda v: v.version),
                "reports": lifecycle.report_schedule(
                    certificate, list(certificate.monitoring_reports.all()), today
                ),
                "changes": changes,
                "can_change": status == "valid"
                and not any(c.status in OPEN_CHANGE_STATUSES for c in changes),
                "expiry": expiry,
                "can_reapply": index == 0 and can_reapply and expiry.in_window,
            }
        )
    return render(
        request,
        TEMPLATES + "enterprise_certificates.html",
        {"enterprise": request.user.enterprise, "cards": cards},
    )


@role_required(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def monitoring_file(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _own_certificate(request, pk)
    today = timezone.localdate()
    rows = lifecycle.report_schedule(certificate, list(certificate.monitoring_reports.all()), today)
    open_rows = [r for r in rows if r.fileable and r.report is None]
    choices = [
        (
            r.period.key,
            _("%(label)s%(kind)s（%(due)s 前）")
            % {
                "label": r.period.label,
                "kind": ReportKind(r.period.kind).label,
                "due": r.period.due_on.isoformat(),
            },
        )
        for r in open_rows
    ]
    status = 200
    if request.method == "POST":
        form = MonitoringReportForm(request.POST, choices=choices)
        if form.is_valid():
            kind, _sep, period = form.cleaned_data["report"].partition(":")
            with form_errors(form) as failed:
                report = lifecycle.monitoring_report_file(
                    certificate=certificate,
                    by=request.user,
                    kind=kind,
                    period=period,
                    data={
                        k: form.cleaned_data[k]
                        for k in ("revenue", "rd_expense", "staff_total", "new_ip_count")
                    },
                )
                text = (
                    _("已填报%(label)s%(kind)s（逾期填报）。")
                    if report.late
                    else _("已填报%(label)s%(kind)s。")
                )
                period_obj = lifecycle.parse_period(report.kind, report.period)
                messages.success(
                    request,
                    text
                    % {
                        "label": period_obj.label if period_obj else report.period,
                        "kind": report.get_kind_display(),
                    },
                )
                return redirect("certification:certificates")
            status = failed.status
        else:
            status = 400
    else:
        wanted = request.GET.get("report", "")
        form = MonitoringReportForm(
            choices=choices, initial={"report": wanted if wanted in dict(choices) else ""}
        )
    return render(
        request,
        TEMPLATES + "monitoring_file.html",
        {"certificate": certificate, "form": form, "rows": rows, "has_open": bool(open_rows)},
        status=status,
    )


def _facts_from_post(post: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A major change's facts from the self-check's inputs on the change form (same names, same
    parsing), as the service's ``facts`` body, and the values to show again."""
    payload, values = sc.payload_from_form(post)
    return {k: v for k, v in payload.items() if k in lifecycle.FACT_KEYS}, values


@role_required(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def change_new(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = _own_certificate(request, pk)
    status = 200
    facts_values: dict[str, Any] | None = None
    facts_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = ChangeRequestForm(request.POST, request.FILES)
        facts, facts_values = _facts_from_post(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            with domain_errors() as failed:
                if data["kind"] == ChangeKind.RENAME:
                    change = lifecycle.rename_request(
                        certificate=certificate,
                        by=request.user,
                        new_name=data["new_name"],
                        evidence=data["evidence"],
                        event_date=data["event_date"],
                    )
                else:
                    change = lifecycle.major_change_report(
                        certificate=certificate,
                        by=request.user,
                        kind=data["kind"],
                        description=data["description"],
                        evidence=data["evidence"],
                        event_date=data["event_date"],
                        facts=facts,
                    )
                if change.kind == ChangeKind.RENAME:
                    messages.success(request, _("更名申请已提交，区工作小组审核后将公示 10 个工作日。"))
                else:
                    messages.success(request, _("重大变化已报告，证书交由区工作小组复核。"))
                return redirect("certification:certificates")
            status = failed.status
            if failed.status == 409:
                form.add_error(None, failed.message)
            # The form's own fields (and "facts": none entered) on the form, the facts' paths beside
            # their inputs.
            on_form = {k: v for k, v in failed.errors.items() if k in form.fields or k == "facts"}
            add_form_errors(form, on_form)
            facts_errors = {k: v for k, v in failed.errors.items() if k not in on_form}
        else:
            status = 400
    else:
        kind = request.GET.get("kind", "rename")
        form = ChangeRequestForm(initial={"kind": kind if kind in dict(CHANGE_KIND_CHOICES) else "rename"})
    return render(
        request,
        TEMPLATES + "change_new.html",
        {
            "certificate": certificate,
            "form": form,
            "facts": sc.facts_form(values=facts_values, errors=facts_errors),
            "facts_error_count": sum(len(m) for m in facts_errors.values()),
        },
        status=status,
    )


@role_required(Role.ENTERPRISE)
@require_safe
def enterprise_change_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    return _serve_evidence(get_object_or_404(lifecycle.changes_visible_to(request.user), pk=pk))


# --- District -----------------------------------------------------------------------------------


@role_required(Role.DISTRICT)
@require_safe
def district_certificates(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = {"query": request.GET.get("q", "").strip()[:100], "status": request.GET.get("status", "")}
    if filters["status"] not in lifecycle.CERTIFICATE_FILTERS:
        filters["status"] = ""
    qs = lifecycle.district_certificates(
        request.user.district_id, query=filters["query"], status=filters["status"], today=today
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for certificate in page.object_list:
        status = certificate_status(certificate, today)
        rows.append(
            {
                "certificate": certificate,
                "status": status,
                "status_label": lifecycle.status_label(status),
                "status_class": STATUS_CLASSES[status],
                "flags": lifecycle.flags_of(certificate),
            }
        )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        TEMPLATES + "district_certificates.html",
        {
            "district": request.user.district,
            "awaiting": list(awaiting_certificate(request.user.district_id)),
            "page": page,
            "rows": rows,
            "filters": filters,
            "querystring": params.urlencode(),
            "status_choices": [
                ("valid", _("有效")),
                ("expired", _("已过期")),
                ("revoked", _("已撤销")),
                ("flagged", _("待撤销提示")),
            ],
        },
    )


@role_required(Role.DISTRICT)
@require_safe
def monitoring_missing(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = lifecycle.missing_reports(request.user.district_id, today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        TEMPLATES + "district_missing.html",
        {
            "district": request.user.district,
            "page": page,
            "today": today,
            "limit": lifecycle.MISSING_ANNUAL_LIMIT,
        },
    )


@role_required(Role.DISTRICT)
@require_safe
def district_changes(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    qs = (
        lifecycle.changes_visible_to(request.user)
        .select_related("certificate")
        .prefetch_related("publicity_entries__notice")
    )
    if status == "open":
        qs = qs.filter(status__in=OPEN_CHANGE_STATUSES)
    elif status in ChangeStatus.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    page = Paginator(qs.order_by("-requested_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        TEMPLATES + "district_changes.html",
        {
            "district": request.user.district,
            "page": page,
            "status": status,
            "statuses": ChangeStatus.choices,
            "querystring": params.urlencode(),
        },
    )


def _district_change(request: HttpRequest, pk: int) -> ChangeRequest:
    return get_object_or_404(
        lifecycle.changes_visible_to(request.user).select_related(
            "certificate__enterprise", "requested_by", "decided_by", "published_by"
        ),
        pk=pk,
    )


def _render_change(
    request: HttpRequest, change: ChangeRequest, *, status: int = 200, **forms_: Any
) -> HttpResponse:
    today = timezone.localdate()
    notice = change.notice
    context = {
        "change": change,
        "certificate": change.certificate,
        "certificate_status": lifecycle.status_label(certificate_status(change.certificate, today)),
        "flags": lifecycle.flags_of(change.certificate),
        "today": today,
        "notice": notice,
        "can_complete": change.status == ChangeStatus.IN_PUBLICITY
        and notice is not None
        and notice.status == NoticeStatus.OPEN
        and today > notice.end,
        "awaiting_finding": change.status == ChangeStatus.IN_PUBLICITY
        and notice is not None
        and notice.status == NoticeStatus.CLOSED,
        "publish_form": forms_.get("publish_form") or PublishForm(initial={"start": today}),
        "reject_form": forms_.get("reject_form") or RejectForm(),
        "decide_form": forms_.get("decide_form") or DecideForm(),
        "errors": forms_.get("errors", []),
        "check": sc.verdict(change.check_result) if change.check_result else None,
        "facts": sc.form_values_from_payload(change.facts) if change.facts else None,
    }
    return render(request, TEMPLATES + "district_change_detail.html", context, status=status)


def _change_refused(
    request: HttpRequest, pk: int, change: ChangeRequest, failed: Failure, **bound: forms.Form
) -> HttpResponse:
    """The change page again after the service refused a decision: the form with its complaints
    (400), or the change as it now stands with the conflict (409)."""
    if failed.status == 400:
        for form in bound.values():
            add_form_errors(form, failed.errors)
        return _render_change(request, change, status=400, **bound)
    return _render_change(request, _district_change(request, pk), status=409, errors=[failed.message])


@role_required(Role.DISTRICT)
@require_safe
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_change(request, _district_change(request, pk))


@require_POST
@role_required(Role.DISTRICT)
def change_publish(request: HttpRequest, pk: int) -> HttpResponse:
    change = _district_change(request, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _render_change(request, change, status=400, publish_form=form)
    with domain_errors() as failed:
        change = lifecycle.rename_publish(change=change, by=request.user, start=form.cleaned_data["start"])
    if failed:
        return _change_refused(request, pk, change, failed, publish_form=form)
    messages.success(
        request,
        _("更名公示已发布，公示期 %(start)s 至 %(end)s。")
        % {"start": change.notice.start.isoformat(), "end": change.notice.end.isoformat()},
    )
    return redirect("districts:change_detail", pk=change.pk)


@require_POST
@role_required(Role.DISTRICT)
def change_complete(request: HttpRequest, pk: int) -> HttpResponse:
    change = _district_change(request, pk)
    with domain_errors() as failed:
        change = lifecycle.rename_complete(change=change, by=request.user)
    if failed:
        return _change_refused(request, pk, change, failed)
    if change.status == ChangeStatus.APPROVED:
        messages.success(
            request,
            _("已换发证书：%(number)s，企业名称变更为“%(name)s”，编号和有效期不变。")
            % {"number": change.certificate.number, "name": change.new_name},
        )
    elif change.status == ChangeStatus.IN_PUBLICITY:
        messages.warning(request, _("公示已结束，尚有异议待核实：核实后才能确定是否换发证书。"))
    else:
        messages.warning(request, _("更名未通过：%(note)s") % {"note": change.note})
    return redirect("districts:change_detail", pk=change.pk)


@require_POST
@role_required(Role.DISTRICT)
def change_reject(request: HttpRequest, pk: int) -> HttpResponse:
    change = _district_change(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _render_change(request, change, status=400, reject_form=form)
    with domain_errors() as failed:
        lifecycle.rename_reject(change=change, by=request.user, note=form.cleaned_data["note"])
    if failed:
        return _change_refused(request, pk, change, failed, reject_form=form)
    messages.success(request, _("已退回该更名申请。"))
    return redirect("districts:change_detail", pk=change.pk)


@require_POST
@role_required(Role.DISTRICT)
def change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    change = _district_change(request, pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _render_change(request, change, status=400, decide_form=form)
    keep = form.cleaned_data["keep"] == "keep"
    with domain_errors() as failed:
        lifecycle.major_change_decide(
            change=change, by=request.user, keep=keep, note=form.cleaned_data["note"]
        )
    if failed:
        return _change_refused(request, pk, change, failed, decide_form=form)
    messages.success(request, _("复核完成：保留市级高企资格。") if keep else _("复核完成：已撤销该证书。"))
    return redirect("districts:change_detail", pk=change.pk)


@role_required(Role.DISTRICT)
@require_safe
def district_change_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    return _serve_evidence(_district_change(request, pk))


@role_required(Role.DISTRICT)
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = get_object_or_404(
        lifecycle.certificates_visible_to(request.user).select_related("enterprise"), pk=pk
    )
    today = timezone.localdate()
    status = 200
    if request.method == "POST":
        form = RevokeForm(request.POST)
        if form.is_valid():
            ground = dict(REVOCATION_GROUNDS)[form.cleaned_data["ground"]]
            with form_errors(form) as failed:
                certificate_revoke(
                    certificate=certificate,
                    by=request.user,
                    reason=f"{ground}：{form.cleaned_data['reason'].strip()}",
                )
                messages.success(request, _("证书 %(number)s 已撤销。") % {"number": certificate.number})
                return redirect("districts:certificates")
            status = failed.status
        else:
            status = 400
        certificate.refresh_from_db()
    else:
        initial = {}
        if lifecycle.MISSING_ANNUAL_FLAG in lifecycle.flags_of(certificate):
            initial["ground"] = "missing_reports"
        form = RevokeForm(initial=initial)
    cert_status = certificate_status(certificate, today)
    reports = lifecycle.report_schedule(certificate, list(certificate.monitoring_reports.all()), today)
    return render(
        request,
        TEMPLATES + "district_revoke.html",
        {
            "certificate": certificate,
            "status_label": lifecycle.status_label(cert_status),
            "revoked": cert_status == "revoked",
            "flags": lifecycle.flags_of(certificate),
            "missing": [r for r in reports if r.state == "overdue"],
            "form": form,
        },
        status=status,
    )


# --- Public -------------------------------------------------------------------------------------


@require_safe
def rename_notices(request: HttpRequest) -> HttpResponse:
    """The old public list of renames (bookmarked addresses): renames are now publicity notices."""
    return redirect(reverse("publicity_list") + "?kind=rename")
