"""The district official's pages for an on-site review meeting (现场评审会) of one application.

The meeting page lists the panel with each expert's state, prints the blank sheets, takes one
signed sheet per expert (points per indicator with the computed band, reasons, comment, presence,
the scanned PDF, a confirmation) and replaces an absent expert from the alternates. Thin views:
they read the form and call one service of :mod:`experts.services.meetings`.

Who: the official of the application's district; the scanned sheet also opens for the municipal
office. Anyone else signed in — another district's official, an expert, the enterprise — gets a
404, never a hint; an anonymous visitor goes to the login page.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Role
from certification import workflow
from certification.applications.permissions import applications_visible_to
from certification.models import Application
from core.uploads import format_limit, stored_pdf_response
from core.web import domain_errors, flash_errors
from experts.models import Draw, Review, ReviewMode, ReviewStatus
from experts.review_result import panel_result
from experts.scoring import WEIGHTS, indicator_bands, indicator_label, indicators_for_kind
from experts.selectors import latest_draw, panel_reviews, review_facts, reviews_visible_to

# --- Who may open what (one place for every view of this module) ---------------------------------


def _meeting_of(request: HttpRequest, pk: int) -> tuple[Application, Draw]:
    """The application of the official's own district and its current draw, a meeting; else 404."""
    if request.user.role != Role.DISTRICT:
        raise Http404
    application = get_object_or_404(
        applications_visible_to(request.user)
        .select_related("enterprise__district", "field__parent", "rule_set")
        .prefetch_related("fiscal_years", "ip_items", "conversions"),
        pk=pk,
    )
    draw = latest_draw(application)
    if draw is None or draw.mode != ReviewMode.MEETING:
        raise Http404
    return application, draw


def _review_of(draw: Draw, review_pk: int) -> Review:
    return get_object_or_404(Review.objects.select_related("expert"), pk=review_pk, draw=draw)


def sheet_files_visible_to(user) -> QuerySet[Review]:  # type: ignore[no-untyped-def]
    """Scanned sheets: the district's own applications and the municipal office; nobody else
    (not even the expert: the sheet is the district's record of the meeting)."""
    if not getattr(user, "is_authenticated", False) or user.role not in (Role.DISTRICT, Role.MUNICIPAL):
        return Review.objects.none()
    return reviews_visible_to(user).exclude(sheet="")


# --- The meeting page ----------------------------------------------------------------------------


def _rows(
    application: Application,
    *,
    reviews: list[Review],
    failed: int | None,
    values: dict[str, str],
    reasons: dict[str, str],
    comment: str,
    present: bool,
    errors: dict[str, list[str]],
) -> list[dict[str, Any]]:
    bands = indicator_bands(review_facts(application))
    open_for_entry = application.status in workflow.from_statuses("review_complete")
    rows = []
    for review in reviews:
        mine = review.pk == failed
        indicators = []
        for code in indicators_for_kind(review.kind):
            indicators.append(
                {
                    "code": code,
                    "label": indicator_label(code),
                    "weight": WEIGHTS[code],
                    "band": bands[code],
                    "saved": getattr(review, code),
                    "saved_reason": (review.out_of_band_reasons or {}).get(code, ""),
                    "value": values.get(code, "") if mine else "",
                    "reason": reasons.get(code, "") if mine else "",
                    "errors": errors.get(f"scores.{code}", []) if mine else [],
                    "reason_errors": errors.get(f"reasons.{code}", []) if mine else [],
                }
            )
        known = {f"{p}.{k}" for p in ("scores", "reasons") for k in WEIGHTS} | {
            "comment",
            "present",
            "sheet",
            "confirm",
        }
        rows.append(
            {
                "review": review,
                "indicators": indicators,
                "can_enter": open_for_entry and review.status == ReviewStatus.ASSIGNED,
                "total": sum((i["saved"] for i in indicators), Decimal(0))
                if review.status == ReviewStatus.SUBMITTED
                else None,
                "failed": mine,
                "comment": comment if mine else "",
                "present": present if mine else True,
                "errors": errors if mine else {},
                "other_errors": [m for k, msgs in errors.items() if k not in known for m in msgs]
                if mine
                else [],
            }
        )
    return rows


def _render(
    request: HttpRequest,
    application: Application,
    draw: Draw,
    *,
    failed: int | None = None,
    values: dict[str, str] | None = None,
    reasons: dict[str, str] | None = None,
    comment: str = "",
    present: bool = True,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    reviews = list(panel_reviews(application))
    result = panel_result(application)
    context = {
        "application": application,
        "draw": draw,
        "rows": _rows(
            application,
            reviews=reviews,
            failed=failed,
            values=values or {},
            reasons=reasons or {},
            comment=comment,
            present=present,
            errors=errors or {},
        ),
        "result": result,
        "open_for_entry": application.status in workflow.from_statuses("review_complete"),
        "limit": format_limit(settings.UPLOAD_MAX_BYTES),
    }
    return render(request, "experts/meeting.html", context, status=status)


@login_required
@require_safe
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    application, draw = _meeting_of(request, pk)
    return _render(request, application, draw)


@login_required
@require_safe
def meeting_sheets_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """All blank sheets of the panel in one PDF; ``?review=<id>`` prints one expert's sheet."""
    from experts.score_sheet import score_sheets_download

    _application, draw = _meeting_of(request, pk)
    review = None
    if request.GET.get("review"):
        try:
            review_pk = int(request.GET["review"])
        except ValueError:
            raise Http404 from None
        review = _review_of(draw, review_pk)
        if review.status == ReviewStatus.DECLINED:
            raise Http404
    return score_sheets_download(draw, review)


@login_required
@require_POST
def sheet_enter(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    from experts.services.meetings import sheet_enter as enter

    application, draw = _meeting_of(request, pk)
    review = _review_of(draw, review_pk)
    indicators = indicators_for_kind(review.kind)
    values = {k: request.POST.get(f"points_{k}", "").strip() for k in indicators}
    reasons = {k: request.POST.get(f"reason_{k}", "").strip() for k in indicators}
    comment = request.POST.get("comment", "")
    present = request.POST.get("present") == "1"
    again = {
        "failed": review.pk,
        "values": values,
        "reasons": reasons,
        "comment": comment,
        "present": present,
    }
    if request.POST.get("confirm") != "1":
        errors = {"confirm": [_("请勾选“已核对录入内容与专家签字的评分表一致”以确认录入。")]}
        return _render(request, application, draw, errors=errors, status=400, **again)
    with domain_errors() as failed:
        enter(
            review=review,
            by=request.user,
            scores={k: v for k, v in values.items() if v != ""},
            reasons=reasons,
            comment=comment,
            present=present,
            sheet_file=request.FILES.get("sheet"),
        )
        messages.success(request, _("已录入 %(name)s 的评分表，评分已锁定。") % {"name": review.expert.name})
        return redirect(reverse("districts:meeting", args=[application.pk]) + f"#review-{review.pk}")
    if failed.status == 409:  # the meeting as it is now, the message at the top
        application, draw = _meeting_of(request, pk)
        return _render(request, application, draw, errors={"state": [failed.message]}, status=409, **again)
    return _render(request, application, draw, errors=failed.errors, status=failed.status, **again)


@login_required
@require_POST
def sheet_absent(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    from experts.services.meetings import mark_absent

    application, draw = _meeting_of(request, pk)
    review = _review_of(draw, review_pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("请勾选确认该专家未到会。"))
        return redirect("districts:meeting", pk=application.pk)
    with flash_errors(request) as failed:
        replacement = mark_absent(review=review, by=request.user)
    if failed:
        return redirect("districts:meeting", pk=application.pk)
    if replacement is None:
        messages.warning(
            request,
            _("已登记 %(name)s 未到会。本次抽取已无可递补的候补专家，请联系市工作小组办公室。")
            % {"name": review.expert.name},
        )
    else:
        messages.success(
            request,
            _("已登记 %(name)s 未到会，由候补专家 %(other)s 递补。")
            % {"name": review.expert.name, "other": replacement.expert.name},
        )
    return redirect("districts:meeting", pk=application.pk)


@login_required
@require_http_methods(["GET", "HEAD"])
def sheet_file(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    """The scanned sheet as stored (district of the application and municipal office only)."""
    review = get_object_or_404(
        sheet_files_visible_to(request.user).select_related("expert"), pk=review_pk, application_id=pk
    )
    return stored_pdf_response(
        review.sheet, _("评分表-%(name)s-%(id)s.pdf") % {"name": review.expert.name, "id": review.pk}
    )
