from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import Role
from accounts.permissions import role_required
from certification.applications import reapplication, services
from certification.applications.data import eligibility_input_for, rule_set_for
from certification.applications.input import parse_application, sections_from_self_assessment
from certification.applications.permissions import applications_visible_to
from certification.applications.selectors import fields_in_force, with_application_details
from certification.applications.steps import (
    STEP_BY_SLUG,
    STEPS,
    initial_values,
    input_errors,
    payload_from_post,
    row_count,
)
from certification.eligibility import pool
from certification.eligibility import views as sc
from certification.eligibility.engine import evaluate
from certification.eligibility.pool import MUNICIPAL_RULE_SET
from certification.eligibility.rules import evaluate_payload, field_codes_in_force
from certification.models import Acquisition, Application, IPKind, RDManagementItem
from core.web import domain_errors


def _own_application(request: HttpRequest, pk: int) -> Application:
    return get_object_or_404(with_application_details(applications_visible_to(request.user)), pk=pk)


def _saved_version(application: Application) -> str:
    """The version of the saved data a browser draft belongs to (static/js/application-form.js)."""
    return f"{application.updated_at.timestamp():.6f}"


def _eligibility(application: Application, viewer=None) -> dict:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from certification.disclosure import score_visible_to

    facts = eligibility_input_for(application)
    if viewer is not None and not score_visible_to(viewer, application):
        facts = replace(facts, composite_score=None)  # the experts' score is not final yet
    return evaluate(facts, rule_set_for(application), field_codes=field_codes_in_force()).as_dict()


@role_required(Role.ENTERPRISE)
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    enterprise = request.user.enterprise
    applications = enterprise.applications.select_related("field").order_by("-year")
    today = timezone.localdate()
    current_year = today.year
    certificate = reapplication.latest_certificate(enterprise.pk)
    expiry = reapplication.expiry_of(certificate, today) if certificate else None
    return render(
        request,
        "certification/home.html",
        {
            "expiry": expiry,
            "can_reapply": expiry is not None
            and expiry.in_window
            and reapplication.refusal(enterprise, today) is None,
            "enterprise": enterprise,
            "colleagues": enterprise.users.order_by("username"),
            "applications": applications,
            "pool_entry": pool.entry_for(enterprise),
            "has_current": any(a.year == current_year for a in applications),
            "current_year": current_year,
        },
    )


@role_required(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def self_assessment(request: HttpRequest) -> HttpResponse:
    """The enterprise saves its self-assessment and joins (or updates its place in) the candidate pool."""
    enterprise = request.user.enterprise
    entry = pool.entry_for(enterprise)
    context = {"pool_mode": True, "entry": entry}
    if request.method == "POST":
        payload, values = sc.payload_from_form(request.POST)
        values["registered_on"] = enterprise.registered_on.isoformat()
        values["registered_in_tianjin"] = True
        if "add_ip" in request.POST:  # one more IP row, nothing saved yet
            return render(
                request, "certification/self_check.html", {**context, **sc.page_context(values=values)}
            )
        with domain_errors() as failed:
            entry = pool.pool_join(enterprise=enterprise, by=request.user, payload=payload)
            messages.success(request, _("自我评价已保存，企业已进入备选库。"))
            return redirect("certification:self_assessment")
        return render(
            request,
            "certification/self_check.html",
            {**context, **sc.page_context(values=values, errors=failed.errors, submitted=True)},
            status=failed.status,
        )
    if entry:
        values, answer = sc.form_values_from_payload(entry.payload), entry.result
        if not translation.get_language().startswith("zh"):
            # The record is kept in Chinese; in another language the same data are checked again, on
            # the day the assessment was saved, for messages in that language.
            as_of = entry.payload.get("as_of") or timezone.localdate(entry.updated_at).isoformat()
            answer = (
                evaluate_payload({**entry.payload, "as_of": as_of, "rule_set": MUNICIPAL_RULE_SET})[0]
                or answer
            )
    else:
        values, answer = {**sc.initial_values(), "registered_on": enterprise.registered_on.isoformat()}, None
    page = sc.page_context(values=values, answer=answer, submitted=entry is not None)
    return render(request, "certification/self_check.html", {**context, **page})


@role_required(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest) -> HttpResponse:
    entry = pool.entry_for(request.user.enterprise)
    if request.method == "GET":
        return render(
            request,
            "certification/application_new.html",
            {"year": timezone.localdate().year, "pool_entry": entry},
        )
    # What the enterprise's saved self-assessment already answers (field, staff, years, IP) is filled in.
    data = sections_from_self_assessment(
        entry.payload if entry else {}, field_codes=field_codes_in_force(), today=timezone.localdate()
    )
    with domain_errors() as failed:
        application = services.application_create(
            enterprise=request.user.enterprise, by=request.user, data=data
        )
        messages.success(request, _("已创建 %(year)s 年度认定申请草稿。") % {"year": application.year})
        return redirect("certification:application_step", pk=application.pk, step=STEPS[0].slug)
    messages.info(request, failed.message)
    existing = request.user.enterprise.applications.filter(year=timezone.localdate().year).first()
    if existing is None:  # refused for another reason (a revocation this year): say so, no 500
        return redirect("certification:home")
    return redirect("certification:application_detail", pk=existing.pk)


class ReapplyForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "我确认以上一次申请的内容创建本年度申请草稿，并将更新财务数据、重新上传全部申报材料。"
        ),
        error_messages={"required": gettext_lazy("请勾选确认后再创建申请。")},
    )


@role_required(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def application_reapply(request: HttpRequest) -> HttpResponse:
    """重新申请: confirm, then one service call copies the last application into this year's draft."""
    enterprise = request.user.enterprise
    today = timezone.localdate()
    form = ReapplyForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        with domain_errors() as failed:
            application = reapplication.application_reapply(
                enterprise=enterprise, by=request.user, today=today
            )
            messages.success(
                request,
                _("已创建 %(year)s 年度认定申请草稿，内容复制自上一次申请。请更新各部分并重新上传申报材料。")
                % {"year": application.year},
            )
            return redirect("certification:application_detail", pk=application.pk)
        existing = enterprise.applications.filter(year=today.year).first()
        if existing is not None:  # a second click, another tab: go to the draft already there
            messages.info(request, failed.message)
            return redirect("certification:application_detail", pk=existing.pk)
        form.add_error(None, failed.message)
        status = failed.status
    elif form.is_bound:
        status = 400
    certificate = reapplication.latest_certificate(enterprise.pk)
    refusal = reapplication.refusal(enterprise, today)
    return render(
        request,
        "certification/application_reapply.html",
        {
            "form": form,
            "year": today.year,
            "expiry": reapplication.expiry_of(certificate, today) if certificate else None,
            "source": reapplication.last_application(enterprise.pk),
            "refusal": refusal.message if refusal else "",
        },
        status=status,
    )


@role_required(Role.ENTERPRISE)
@require_safe
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from certification.applications.progress import progress
    from certification.disclosure import history_for, score_visible_to

    application = _own_application(request, pk)
    transitions = list(application.transitions.all())
    return render(
        request,
        "certification/application_detail.html",
        {
            "application": application,
            # Experts appear as 评审专家组; no score before the district's opinion (certification.disclosure).
            "history": history_for(application, request.user, transitions),
            "score_visible": score_visible_to(request.user, application),
            "last_transition": transitions[-1] if transitions else None,
            "progress": progress(application, transitions),
            "steps": STEPS,
            "eligibility": _eligibility(application, request.user),
            "documents": application.documents.order_by("kind", "uploaded_at"),
        },
    )


@role_required(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def application_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    application = _own_application(request, pk)
    current = STEP_BY_SLUG.get(step)
    if current is None:
        return redirect("certification:application_step", pk=pk, step=STEPS[0].slug)
    autosave = request.headers.get("X-Autosave") == "1"
    errors: dict[str, list[str]] = {}
    values = initial_values(application, current)
    if request.method == "POST":
        payload, renames = payload_from_post(current, request.POST, request.POST.getlist)
        data, parse_errors = parse_application(
            payload, field_codes=field_codes_in_force(), today=timezone.localdate()
        )
        errors = input_errors(parse_errors, renames)
        if not errors:
            with domain_errors() as failed:
                services.application_update(
                    application=application, by=request.user, data=data, step=current.slug
                )
            if failed:
                if autosave:
                    return JsonResponse(
                        {"saved": False, "detail": failed.message, "status": failed.state},
                        status=failed.status,
                    )
                messages.error(request, failed.message)
                return redirect("certification:application_detail", pk=pk)
        if autosave:
            application = _own_application(request, pk)
            return JsonResponse(
                {
                    "saved": not errors,
                    "errors": errors,
                    "version": _saved_version(application),
                    "eligibility": _eligibility(application) if not errors else None,
                },
                status=200 if not errors else 400,
            )
        if not errors:
            messages.success(request, _("“%(title)s”已保存。") % {"title": current.title})
            index = STEPS.index(current)
            if "next" in request.POST and index + 1 < len(STEPS):
                return redirect("certification:application_step", pk=pk, step=STEPS[index + 1].slug)
            if "next" in request.POST:
                return redirect("certification:application_documents", pk=pk)
            if "previous" in request.POST and index > 0:
                return redirect("certification:application_step", pk=pk, step=STEPS[index - 1].slug)
            return redirect("certification:application_step", pk=pk, step=current.slug)
        # Keep what was typed; errors are shown next to the inputs.
        values = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        values["rd_management"] = request.POST.getlist("rd_management")
        application = _own_application(request, pk)
    index = STEPS.index(current)
    return render(
        request,
        "certification/application_step.html",
        {
            "application": application,
            "steps": STEPS,
            "step": current,
            "previous_step": STEPS[index - 1] if index > 0 else None,
            "next_step": STEPS[index + 1] if index + 1 < len(STEPS) else None,
            "values": values,
            "errors": errors,
            "rows": range(row_count(application, current, values)),
            "eligibility": _eligibility(application),
            "field_choices": [
                (f.code, f"{f.code} {f.label}" if f.parent_id is None else f"　{f.code} {f.label}")
                for f in fields_in_force()
            ],
            "ip_kinds": IPKind.choices,
            "acquisitions": Acquisition.choices,
            "rd_items": RDManagementItem.choices,
            "readonly": not application.is_editable,
            "autosave_url": reverse("certification:application_step", args=[pk, current.slug]),
            "saved_version": _saved_version(application),
        },
        status=400 if errors else 200,
    )


@role_required(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    check = services.submission_check(application)
    if request.method == "POST":
        with domain_errors() as failed:
            services.application_submit(
                application=application,
                by=request.user,
                acknowledge_failures=request.POST.get("acknowledge") == "1",
            )
            return redirect("certification:application_submitted", pk=pk)
        if failed.status == 409:
            messages.error(request, failed.message)
            return redirect("certification:application_detail", pk=pk)
        return render(
            request,
            "certification/application_submit.html",
            {**_answers(application, check), "problems": failed.errors},
            status=failed.status,
        )
    return render(request, "certification/application_submit.html", _answers(application, check))


def _answers(application: Application, check: services.SubmissionCheck) -> dict:
    """The check-your-answers page: every step's saved answers, the materials, the eligibility result."""
    from certification.applications.pdf import application_form_context
    from certification.applications.views.documents import document_rows

    answers = application_form_context(application)
    documents = list(answers["application"].documents.order_by("kind", "uploaded_at"))
    return {
        "application": application,
        "check": check,
        "steps": STEPS,
        "answers": answers,
        "document_rows": document_rows(documents),
    }


@role_required(Role.ENTERPRISE)
@require_safe
def application_submitted(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation after submitting: the reference number, the receipt, what happens next."""
    from certification.applications.pdf import submission_receipt, submitted_time

    application = _own_application(request, pk)
    if application.is_editable or submitted_time(application) is None:
        return redirect("certification:application_detail", pk=pk)  # nothing submitted (again) yet
    return render(request, "certification/application_submitted.html", submission_receipt(application))
