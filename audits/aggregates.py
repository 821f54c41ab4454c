"""A median aggregate for the ORM: PostgreSQL's ``percentile_cont``, and the same on SQLite.

SQLite (the embedded default of ``make run``) has no median; `register_sqlite_median` adds one,
computed by Python's ``statistics.median``, to every SQLite connection as it opens — as Django itself
adds ``STDDEV_POP`` and the like."""

from __future__ import annotations

import statistics

from django.db.models import Aggregate, FloatField


class Median(Aggregate):
    """The median of the non-null values (the mean of the two middle ones for an even count)."""

    function = "PORTAL_MEDIAN"
    name = "Median"
    output_field = FloatField()
    allow_distinct = False

    def as_postgresql(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return self.as_sql(
            compiler,
            connection,
            template="percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)",
            **extra_context,
        )


class _SQLiteMedian:
    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return float(statistics.median(self.values)) if self.values else None


def register_sqlite_median(sender, connection, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """`connection_created` receiver."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(Median.function, 1, _SQLiteMedian)
