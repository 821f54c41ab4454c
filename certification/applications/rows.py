"""The list sections of an application (fiscal years, IP, conversions, products) as new rows.

Saving the form (``certification.applications.services``) and re-applying (``certification.applications.reapplication``) both
write these rows for an application: from parsed input there, from the last application's rows here.
The columns that make up each row are listed once, below.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models

from certification.models import Application, ApplicationFiscalYear, Conversion, HighTechProduct, IPItem

ROW_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    ApplicationFiscalYear: (
        "year",
        "sales_revenue",
        "total_revenue",
        "hightech_revenue",
        "rd_expense",
        "rd_expense_domestic",
        "total_assets",
    ),
    IPItem: ("kind", "title", "number", "acquired_on", "acquisition", "licence_years"),
    Conversion: ("year", "title"),
    HighTechProduct: ("name", "technology", "revenue"),
}

M = TypeVar("M", bound=models.Model)


def _value(source: Any, name: str) -> Any:
    """``name`` from a row, a mapping, or a tuple of them (the first part that has it)."""
    for part in source if isinstance(source, tuple) else (source,):
        if isinstance(part, Mapping):
            if name in part:
                return part[name]
        elif hasattr(part, name):
            return getattr(part, name)
    raise KeyError(name)


def rows_for(model: type[M], application: Application, sources: Iterable[Any]) -> list[M]:
    """Unsaved ``model`` rows of ``application``, one per source, with the columns of ``ROW_FIELDS``."""
    names = ROW_FIELDS[model]
    return [model(application=application, **{n: _value(s, n) for n in names}) for s in sources]
