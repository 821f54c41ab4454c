"""The search box of the lists: a name, or part of a credit code or certificate number."""

from __future__ import annotations

from django.db.models import Q

from core.uscc import could_be_part_of_code


def name_or_code(query: str, *, names: tuple[str, ...], codes: tuple[str, ...] = ()) -> Q:
    """Rows whose name fields contain `query` in any case, or whose code fields contain it upper-cased.

    The codes are searched only when the query could be part of one (digits and the code's letters):
    a Chinese query then puts a single condition to the database, which can use the name's trigram
    index, instead of an OR over the codes that read every row (docs/databases.md)."""
    condition = Q()
    for name in names:
        condition |= Q(**{f"{name}__icontains": query})
    if could_be_part_of_code(query):
        for code in codes:
            condition |= Q(**{f"{code}__icontains": query.upper()})
    return condition
