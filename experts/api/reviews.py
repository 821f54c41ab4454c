"""``/api/v1/reviews/``: an expert's assignments, the review material and bands, submit / amend / decline.

Visibility is :func:`experts.selectors.reviews_visible_to` for every view (a review outside it is
a 404). Only the review's expert acts on it through the API; an expert must have signed this year's
pledge (第十三条) before the material (the detail) or any score goes through.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from core.errors import InvalidInput
from experts.models import Review
from experts.review_result import panel_for_viewer, visible_bands
from experts.scoring import indicators_for_kind
from experts.selectors import reviews_visible_to, with_review_details, with_review_summary

READER_ROLES = (Role.EXPERT, Role.DISTRICT, Role.MUNICIPAL)


# --- Input shapes (serializers check the shape only; experts.services.reviews decides) -------------


class SubmitBody(serializers.Serializer):
    scores = serializers.DictField(
        help_text='{"ip": "24.0", "conversion": "21.0", "rd_management": "14.0"} 或 {"growth": "12.0"}'
    )
    reasons = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=1000),
        required=False,
        default=dict,
        help_text="超出建议档次的理由",
    )
    comment = serializers.CharField(allow_blank=True, required=False, default="", max_length=5000)


class AmendBody(serializers.Serializer):
    indicator = serializers.ChoiceField(choices=["ip", "conversion", "rd_management", "growth"])
    points = serializers.CharField(max_length=10)
    reason = serializers.CharField(allow_blank=True, max_length=1000)


class DeclineBody(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=300)


class ReopenBody(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=1000)


class ReplaceBody(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=300)


# --- Output -------------------------------------------------------------------------------------------


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def scores_of(review: Review) -> dict[str, str | None]:
    return {k: _str(getattr(review, k)) for k in indicators_for_kind(review.kind)}


def review_summary(review: Review, *, pledged: bool = True) -> dict[str, Any]:
    """One assignment; before the expert's pledge (``pledged=False``) the enterprise is not named."""
    application = review.application
    return {
        "id": review.pk,
        "application": application.pk,
        "enterprise_name": application.enterprise.name if pledged else None,
        "year": application.year,
        "field": application.field.name if application.field_id else None,
        "kind": review.kind,
        "chair": review.chair,
        "status": review.status,
        "due_on": review.due_on,
        "submitted_at": review.submitted_at,
        "source": review.source,
        "scores": scores_of(review),
    }


def application_material(review: Review) -> dict[str, Any]:
    """The application as the expert needs it to score: read-only facts and links to the documents."""
    app = review.application
    return {
        "id": app.pk,
        "enterprise_name": app.enterprise.name,
        "uscc": app.enterprise.uscc,
        "district": app.enterprise.district.name,
        "field": (
            {
                "code": app.field.code,
                "name": app.field.name,
                "parent": app.field.parent.name if app.field.parent_id else None,
            }
            if app.field_id
            else None
        ),
        "year": app.year,
        "status": app.status,
        "main_products": app.main_products,
        "core_technology": app.core_technology,
        "staff": {"total": app.staff_total, "tech_college": app.staff_tech_college, "rd": app.staff_rd},
        "fiscal_years": [
            {
                "year": fy.year,
                "sales_revenue": _str(fy.sales_revenue),
                "total_revenue": _str(fy.total_revenue),
                "hightech_revenue": _str(fy.hightech_revenue),
                "rd_expense": _str(fy.rd_expense),
                "rd_expense_domestic": _str(fy.rd_expense_domestic),
                "total_assets": _str(fy.total_assets),
            }
            for fy in app.fiscal_years.all()
        ],
        "ip": [
            {
                "kind": item.kind,
                "title": item.title,
                "number": item.number,
                "acquired_on": item.acquired_on,
                "acquisition": item.acquisition,
                "licence_years": item.licence_years,
            }
            for item in app.ip_items.all()
        ],
        "conversions": [{"year": c.year, "title": c.title} for c in app.conversions.all()],
        "rd_management": list(app.rd_management or []),
        "products": [
            {"name": p.name, "technology": p.technology, "revenue": _str(p.revenue)}
            for p in app.products.all()
        ],
        "documents": [
            {
                "id": d.pk,
                "kind": d.kind,
                "name": d.original_name,
                "download_url": reverse("document_download", args=[d.pk]),
            }
            for d in app.documents.all()
        ],
        "form_pdf_url": reverse("certification:application_form_pdf", args=[app.pk]),
    }


def review_detail(review: Review, viewer) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    panel = panel_for_viewer(review, viewer)
    data = review_summary(review)
    data.update(
        {
            "application": application_material(review),
            "bands": {k: band.as_dict() for k, band in visible_bands(review).items()},
            "out_of_band_reasons": dict(review.out_of_band_reasons or {}),
            "comment": review.comment,
            "amendments": [
                {
                    "indicator": a.indicator,
                    "old_points": _str(a.old_points),
                    "new_points": _str(a.new_points),
                    "reason": a.reason,
                    "by": a.by.display_name,
                    "at": a.at,
                }
                for a in review.amendments.all()
            ],
            "panel_complete": panel["complete"],
            "panel": [
                {k: (_str_points(v) if k in ("scores", "total") else v) for k, v in row.items()}
                for row in panel["members"]
            ],
            "result": (
                {
                    "composite_score": _str(review.application.composite_score),
                    "review_passed": review.application.review_passed,
                    "score_spread_flag": review.application.score_spread_flag,
                }
                # An expert never sees the panel's composite or pass/fail (only the district and office).
                if panel["complete"] and getattr(viewer, "role", None) != Role.EXPERT
                else None
            ),
        }
    )
    return data


def _str_points(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _str(v) for k, v in value.items()}
    return _str(value)


# --- Views ----------------------------------------------------------------------------------------------


def _require_reader(request: Request) -> None:
    if request.user.role not in READER_ROLES:
        raise PermissionDenied(_("只有评审专家、区县工作小组和市工作小组办公室可以查看专家评审。"))


def _own_review(request: Request, pk: int) -> Review:
    """The review for an action: visible (else 404), the caller's own (else 403), pledge signed (else 403)."""
    from experts.permissions import require_pledge

    review = get_object_or_404(reviews_visible_to(request.user).select_related("expert"), pk=pk)
    if review.expert.user_id != request.user.pk:
        raise PermissionDenied(_("只有被抽取的专家本人可以评分。"))
    require_pledge(request.user)
    return review


def _body(request: Request, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    try:
        data = request.data
    except ParseError as exc:  # the parser's message names the problem without echoing the input
        raise InvalidInput({"non_field_errors": [str(exc.detail)]}) from None
    body = serializer_class(data=data if isinstance(data, dict) else {})
    if not body.is_valid():
        raise InvalidInput({k: [str(e) for e in v] for k, v in body.errors.items()})
    return body.validated_data


def _detail_response(request: Request, pk: int) -> Response:
    review = with_review_details(Review.objects.filter(pk=pk)).get()
    return Response(review_detail(review, request.user))


class ReviewListView(ListAPIView):
    @extend_schema(
        parameters=[OpenApiParameter("application", int, description="只看某件申请的评审（区县、市办）")],
        responses={200: OpenApiTypes.OBJECT},
        operation_id="reviews_list",
        summary="专家评审列表（专家：本人的评审任务；区县：本区申请的评审；市办：全部）",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        _require_reader(request)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        qs = with_review_summary(reviews_visible_to(self.request.user)).order_by("-draw__created_at", "-id")
        application = self.request.query_params.get("application", "")
        if application.isdigit():
            qs = qs.filter(application_id=int(application))
        elif application:
            qs = qs.none()
        return qs

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # the project paginates every list
        from experts.permissions import material_open_to

        pledged = material_open_to(request.user)
        return self.get_paginated_response([review_summary(r, pledged=pledged) for r in page])


class ReviewDetailView(APIView):
    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        operation_id="reviews_retrieve",
        summary="评审详情：申请材料、建议档次、本人评分、评审组",
    )
    def get(self, request: Request, pk: int) -> Response:
        from experts.permissions import require_pledge

        # Any review outside the caller's view is a 404 (the enterprise never sees one).
        get_object_or_404(reviews_visible_to(request.user), pk=pk)
        require_pledge(request.user)  # experts only; a no-op for the district and the office
        return _detail_response(request, pk)


class ReviewSubmitView(APIView):
    @extend_schema(request=SubmitBody, responses={200: OpenApiTypes.OBJECT}, summary="提交评分（提交后锁定）")
    def post(self, request: Request, pk: int) -> Response:
        from experts.services.reviews import review_submit

        review = _own_review(request, pk)
        body = _body(request, SubmitBody)
        review_submit(
            review=review,
            by=request.user,
            scores=body["scores"],
            reasons=body.get("reasons") or {},
            comment=body.get("comment", ""),
        )
        return _detail_response(request, pk)


class ReviewAmendView(APIView):
    @extend_schema(
        request=AmendBody, responses={200: OpenApiTypes.OBJECT}, summary="修正已提交的评分（须说明理由）"
    )
    def post(self, request: Request, pk: int) -> Response:
        from experts.services.reviews import review_amend

        review = _own_review(request, pk)
        body = _body(request, AmendBody)
        review_amend(
            review=review,
            by=request.user,
            indicator=body["indicator"],
            points=body["points"],
            reason=body["reason"],
        )
        return _detail_response(request, pk)


class ReviewReopenView(APIView):
    @extend_schema(
        request=ReopenBody,
        responses={200: OpenApiTypes.OBJECT},
        summary="区县重新开放一名专家已提交的评分（须说明理由；区县意见提出前）",
    )
    def post(self, request: Request, pk: int) -> Response:
        from experts.services.reviews import review_reopen

        review = get_object_or_404(reviews_visible_to(request.user).select_related("expert"), pk=pk)
        if request.user.role != Role.DISTRICT:
            raise PermissionDenied(_("只有本区工作小组可以重新开放专家评分。"))
        body = _body(request, ReopenBody)
        review_reopen(review=review, by=request.user, reason=body["reason"])
        return _detail_response(request, pk)


class ReviewReplaceView(APIView):
    @extend_schema(
        request=ReplaceBody,
        responses={200: OpenApiTypes.OBJECT},
        summary="区县更换逾期未评分的在线评审专家（由候补专家递补，须说明理由）",
        description=(
            'Answers {"replaced": the review that left the panel, "replacement": the alternate\'s review}. '
            "403 for anyone but the application's district; 400 without a reason; 409 when the review is "
            "not overdue, already scored or reopened, the draw is a meeting, the application is no longer "
            "under review, or no alternate is left (nothing changes)."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        from experts.services.reviews import review_replace_overdue

        review = get_object_or_404(reviews_visible_to(request.user).select_related("expert"), pk=pk)
        if request.user.role != Role.DISTRICT:
            raise PermissionDenied(_("只有本区工作小组可以更换评审专家。"))
        body = _body(request, ReplaceBody)
        replacement = review_replace_overdue(review=review, by=request.user, reason=body["reason"])
        rows = with_review_summary(Review.objects.filter(pk__in=[review.pk, replacement.pk])).in_bulk()
        replaced = review_summary(rows[review.pk])
        replaced.update({"declined_reason": rows[review.pk].declined_reason, "replaced_by": replacement.pk})
        return Response({"replaced": replaced, "replacement": review_summary(rows[replacement.pk])})


class ReviewDeclineView(APIView):
    @extend_schema(request=DeclineBody, responses={200: OpenApiTypes.OBJECT}, summary="回避：由候补专家递补")
    def post(self, request: Request, pk: int) -> Response:
        from experts.services.reviews import review_decline

        review = get_object_or_404(reviews_visible_to(request.user).select_related("expert"), pk=pk)
        if review.expert.user_id != request.user.pk:
            raise PermissionDenied(_("只有被抽取的专家本人可以回避。"))
        body = _body(request, DeclineBody)
        replacement = review_decline(review=review, by=request.user, reason=body["reason"])
        # The declining expert learns nothing about who replaces them.
        return Response({"id": review.pk, "status": "declined", "replaced": replacement is not None})
