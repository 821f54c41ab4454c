from __future__ import annotations

from django.db.models import QuerySet

from certification.models import Catalogue, Field


def catalogue_in_force() -> Catalogue:
    return Catalogue.objects.get(in_force=True)


def fields_in_force() -> QuerySet[Field]:
    return Field.objects.filter(catalogue__in_force=True).select_related("parent").order_by("code")
