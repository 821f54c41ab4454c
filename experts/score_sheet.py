"""Blank score sheets (专家评分表) for an on-site review meeting (现场评审会), as PDF.

One sheet per expert on one A4 page, pre-filled with the application, the enterprise, the field,
the year, the meeting's date and place, the expert's name and kind, and the indicators THIS expert
scores (technical: the first three, financial: growth) with the band the system computed, its
min–max points and the basis: the same bands the online form shows (experts.scoring), so a paper
sheet and the screen never disagree. Boxes for the points and the reasons, a comment box, the
signature and date lines. Rendered by core.pdf with ``templates/pdf/score_sheet.html``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import Application
from core.pdf import pdf_response, render_pdf
from experts.models import Draw, Review, ReviewStatus
from experts.scoring import WEIGHTS, indicator_bands, indicator_label, indicators_for_kind
from experts.selectors import review_facts
from experts.services.draws import SHANGHAI

TEMPLATE = "pdf/score_sheet.html"
DENSE_TEXT = 50  # characters of the enterprise name or the meeting place beyond which the boxes shrink


def sheet_reviews(draw: Draw) -> list[Review]:
    """The reviews a meeting prints sheets for: the panel as it stands (declined/absent ones left
    out), the chair first, then technical, then financial experts."""
    return list(
        Review.objects.filter(draw_id=draw.pk)
        .exclude(status=ReviewStatus.DECLINED)
        .select_related("expert")
        .order_by("-chair", "-kind", "pk")
    )


def score_sheets_context(draw: Draw, reviews: Sequence[Review]) -> dict[str, Any]:
    """Everything the template shows; the bands are computed once for the application."""
    application = (
        Application.objects.select_related("enterprise__district", "field__parent")
        .prefetch_related("fiscal_years", "ip_items", "conversions")
        .get(pk=draw.application_id)
    )
    bands = indicator_bands(review_facts(application))
    sheets = []
    for review in reviews:
        sheets.append(
            {
                "review": review,
                "expert_name": review.expert.name,
                "kind": review.get_kind_display(),
                "chair": review.chair,
                "rows": [
                    {
                        "code": code,
                        "label": indicator_label(code),
                        "weight": WEIGHTS[code],
                        "band": bands[code],
                    }
                    for code in indicators_for_kind(review.kind)
                ],
            }
        )
    return {
        "draw": draw,
        "application": application,
        "enterprise": application.enterprise,
        "field": application.field,
        "sheets": sheets,
        # Long texts wrap over several lines: the writing boxes shrink so each sheet stays one page.
        "dense": len(application.enterprise.name) > DENSE_TEXT or len(draw.meeting_place) > DENSE_TEXT,
        "generated_at": timezone.localtime(timezone.now(), SHANGHAI),
    }


def score_sheets_pdf(draw: Draw, reviews: Sequence[Review] | None = None) -> bytes:
    """The sheets of ``reviews`` (default: the whole panel) in one PDF, one sheet per page."""
    chosen = list(reviews) if reviews is not None else sheet_reviews(draw)
    return render_pdf(TEMPLATE, score_sheets_context(draw, chosen))


def score_sheets_download(draw: Draw, review: Review | None = None) -> HttpResponse:
    """The download response: all sheets of the draw, or one expert's sheet."""
    if review is None:
        name = _("专家评分表-申请%(id)s") % {"id": draw.application_id}
        ascii_name = f"score-sheets-{draw.application_id}.pdf"
        pdf = score_sheets_pdf(draw)
    else:
        name = _("专家评分表-申请%(id)s-%(expert)s") % {
            "id": draw.application_id,
            "expert": review.expert.name,
        }
        ascii_name = f"score-sheet-{draw.application_id}-{review.pk}.pdf"
        pdf = score_sheets_pdf(draw, [review])
    return pdf_response(pdf, f"{name}.pdf", ascii_filename=ascii_name)
