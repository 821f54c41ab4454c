"""Reads of the certificates' pages."""

from __future__ import annotations

from django.db.models import QuerySet

from certification import workflow
from certification.models import Application


def awaiting_certificate(district_id: int | None) -> QuerySet[Application]:
    """The district's applications the table lets the district certify (approved by the office), oldest
    approval first: the list the official issues certificates from."""
    return (
        Application.objects.filter(district_id=district_id, status__in=workflow.from_statuses("certify"))
        .select_related("enterprise", "field")
        .order_by("approval_ended_on", "pk")
    )
