"""Figures and fragments served from the cache for as long as the rows they show are unchanged.

Every domain model keeps its history (django-simple-history): each save and delete writes a history
row, numbered in order. ``fingerprint(models)`` reads the newest of those numbers for each model in one
query (a backward scan of each primary key index), so a key that holds it changes with the next write
that could change what is shown, and a rolled-back write leaves the key as it was.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models


def fingerprint(tracked: Iterable[type[models.Model]]) -> str:
    """The newest history row of each model of `tracked`, as one string (0 for none yet)."""
    qn = connection.ops.quote_name
    parts = []
    for model in tracked:
        history = model.history.model  # type: ignore[attr-defined]
        parts.append(f"(SELECT MAX({qn(history._meta.pk.column)}) FROM {qn(history._meta.db_table)})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return "-".join(str(value or 0) for value in row)
