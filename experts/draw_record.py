"""The draw record (专家抽取记录) as a PDF: ``draw_record_pdf(draw)``, for the API and any browser view.

Rendered by core.pdf with ``templates/pdf/draw_record.html``: the application, the
enterprise, the field, the date, the seed, the algorithm version, the rules, the panel (names, kind,
chair, employer), the alternates, the excluded candidates with their reasons, the count of eligible
experts and a signature line for the official.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.pdf import pdf_response, render_pdf
from experts.models import Draw, Expert, ExpertKind, Review, ReviewStatus
from experts.services.draws import SHANGHAI, reason_text

TEMPLATE = "pdf/draw_record.html"


def _share(value: Any) -> str:
    return format((Decimal(str(value)) * 100).normalize(), "f") + "%"


def draw_record_context(draw: Draw) -> dict[str, Any]:
    """Everything the template shows, read in three queries (draw with its joins, the experts)."""
    draw = Draw.objects.select_related(
        "application__enterprise__district", "application__field__parent", "created_by"
    ).get(pk=draw.pk)
    application = draw.application
    ids = {p["expert_id"] for p in draw.panel} | {p["expert_id"] for p in draw.alternates}
    ids |= {e["id"] for e in draw.excluded}
    experts = {e.pk: e for e in Expert.objects.filter(pk__in=ids)}
    kind_labels = dict(ExpertKind.choices)

    def row(expert_id: int, kind: str, **extra: Any) -> dict[str, Any]:
        expert = experts.get(expert_id)
        return {
            "id": expert_id,
            "name": expert.name if expert else "—",
            "title": expert.title if expert else "",
            "employer": expert.employer if expert else "",
            "kind": kind_labels.get(kind, kind),
            **extra,
        }

    request = draw.rules.get("request", {})
    rules = request.get("rules", {})
    # The alternates drawn per kind; fewer than the rules ask for when too few experts were eligible
    # (the sample takes every eligible one): the record says so rather than promise what it lacks.
    drawn = {
        kind: sum(1 for p in draw.alternates if p["kind"] == kind)
        for kind in (ExpertKind.TECHNICAL, ExpertKind.FINANCIAL)
    }
    asked = {
        ExpertKind.TECHNICAL: rules.get("alternates_technical"),
        ExpertKind.FINANCIAL: rules.get("alternates_financial"),
    }
    short = [
        {"kind": kind_labels[kind], "drawn": drawn[kind]}
        for kind in drawn
        if asked[kind] is not None and drawn[kind] < int(asked[kind])
    ]
    pool = draw.rules.get("pool", {})
    composition = draw.rules.get("composition", {})
    return {
        "draw": draw,
        "application": application,
        "enterprise": application.enterprise,
        "field": application.field,
        "created_at": timezone.localtime(draw.created_at, SHANGHAI),
        "created_by": draw.created_by.display_name,
        "rule_set": draw.rules.get("rule_set", ""),
        "rules": {
            "min_panel": rules.get("min_panel"),
            "share": _share(rules.get("min_technical_share", "0")),
            "min_financial": rules.get("min_financial"),
            "alternates_technical": rules.get("alternates_technical"),
            "alternates_financial": rules.get("alternates_financial"),
            "alternates_drawn_technical": drawn[ExpertKind.TECHNICAL],
            "alternates_drawn_financial": drawn[ExpertKind.FINANCIAL],
            "alternates_short": short,
            "technical": composition.get("technical"),
            "financial": composition.get("financial"),
        },
        "pool": {
            "size": pool.get("size"),
            "eligible": len(draw.eligible_ids),
            "eligible_technical": sum(1 for e in draw.eligible_ids if e["kind"] == ExpertKind.TECHNICAL),
            "eligible_financial": sum(1 for e in draw.eligible_ids if e["kind"] == ExpertKind.FINANCIAL),
            "off_field": pool.get("off_field_technical", 0),
        },
        "panel": [row(p["expert_id"], p["kind"], chair=p.get("chair", False)) for p in draw.panel],
        "alternates": [row(p["expert_id"], p["kind"]) for p in draw.alternates],
        "excluded": [
            row(e["id"], e.get("kind", ""), reason=reason_text(e["reason"], e.get("details")))
            for e in draw.excluded
        ],
        "replacements": replacement_rows(draw),
        "mode": draw.get_mode_display(),
        "generated_at": timezone.localtime(timezone.now(), SHANGHAI),
    }


def excluded_rows(draw: Draw) -> list[dict[str, Any]]:
    """回避及排除的专家 of a draw for a page: ``[{"id", "name", "kind", "employer", "reason"}]`` (one query)."""
    experts = {e.pk: e for e in Expert.objects.filter(pk__in=[e["id"] for e in draw.excluded or []])}
    kind_labels = dict(ExpertKind.choices)
    rows = []
    for e in draw.excluded or []:
        expert = experts.get(e["id"])
        rows.append(
            {
                "id": e["id"],
                "name": expert.name if expert else "—",
                "kind": kind_labels.get(e.get("kind", ""), e.get("kind", "")),
                "employer": expert.employer if expert else "",
                "reason": reason_text(e.get("reason", ""), e.get("details")),
            }
        )
    return rows


def replacement_rows(draw: Draw) -> list[dict[str, Any]]:
    """专家更换记录 of a draw (page and PDF): every review that left the panel, in the order it left,
    with the cause, the reason, who and when, the due date it had and the alternate who took its place
    (None when no alternate was left). One query."""
    reviews = (
        Review.objects.filter(draw=draw, status=ReviewStatus.DECLINED)
        .select_related("expert", "declined_by", "replaced_by__expert")
        .order_by(F("declined_at").asc(nulls_first=True), "pk")
    )
    return [
        {
            "review_id": r.pk,
            "expert_id": r.expert_id,
            "name": r.expert.name,
            "kind": r.get_kind_display(),
            "cause": r.get_decline_cause_display() if r.decline_cause else _("专家回避"),
            "reason": _(r.declined_reason) if r.declined_reason else "—",
            "due_on": r.due_on,
            "at": timezone.localtime(r.declined_at, SHANGHAI) if r.declined_at else None,
            "by": r.declined_by.display_name if r.declined_by_id else "",
            "replacement": r.replaced_by.expert.name if r.replaced_by_id else None,
            "replacement_id": r.replaced_by.expert_id if r.replaced_by_id else None,
        }
        for r in reviews
    ]


def draw_record_pdf(draw: Draw) -> bytes:
    """The draw record as PDF bytes."""
    return render_pdf(TEMPLATE, draw_record_context(draw))


def draw_record_filename(draw: Draw) -> tuple[str, str]:
    """(UTF-8 name, ASCII fallback), e.g. "专家抽取记录-12.pdf"."""
    name = _("专家抽取记录-%(id)s") % {"id": draw.pk}
    return f"{name}.pdf", f"draw-record-{draw.pk}.pdf"


def draw_record_download(draw: Draw) -> HttpResponse:
    """The download response of the draw record (API and browser views alike)."""
    filename, ascii_filename = draw_record_filename(draw)
    return pdf_response(draw_record_pdf(draw), filename, ascii_filename=ascii_filename)
