"""The dates of each application's four procedure stages, kept on the application for the dashboards.

A stage runs from the last entry into its first status before the first entry into its second status
(a resubmission restarts “submitted → accepted”); its length is the calendar days between the two
Beijing dates. The first entry into “filed” (the end of the filing stage) is what the 40-day limit of
第十条（3） is measured by.

`workflow.transition` folds every status change into these columns with `advance`, in the same UPDATE
that writes the status, so the dashboards aggregate one row per application instead of every
transition, and no extra query is spent. `rebuild` recomputes them from the transitions, for the
migration that introduced them and for rows written without the services (bulk loads, test data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from types import SimpleNamespace

from django.db import connections, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from certification import workflow


@dataclass(frozen=True)
class Stage:
    key: str  # the prefix of the application's three columns
    from_status: str
    to_status: str

    @property
    def started(self) -> str:
        return f"{self.key}_started_on"

    @property
    def ended(self) -> str:
        return f"{self.key}_ended_on"

    @property
    def days(self) -> str:
        return f"{self.key}_days"


# Each stage runs from entering one status of the procedure (workflow.py) to entering a later one.
_to = workflow.to_status
STAGES: tuple[Stage, ...] = (
    Stage("acceptance", _to("submit"), _to("accept")),
    Stage("review", _to("accept"), _to("review_complete")),
    Stage("filing", _to("review_complete"), _to("file")),
    Stage("approval", _to("file"), _to("approve")),
)
FIELDS: tuple[str, ...] = tuple(name for s in STAGES for name in (s.started, s.ended, s.days))
# The column of the first filing (the end of the filing stage).
FIRST_FILED_ON = next(s.ended for s in STAGES if s.to_status == _to("file"))
_STATUSES = frozenset(status for s in STAGES for status in (s.from_status, s.to_status))


def beijing_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value, timezone.get_default_timezone()).date()


def advance(row: object, to_status: str, at: dt.datetime) -> list[str]:
    """Fold one status change (they come in time order) into `row`'s stage dates.

    Returns the names of the columns it changed, for ``save(update_fields=…)``."""
    if to_status not in _STATUSES:
        return []
    day = beijing_date(at)
    changed: list[str] = []
    for stage in STAGES:
        if getattr(row, stage.ended) is not None:
            continue  # the stage is over: later entries into its statuses do not move it
        if to_status == stage.to_status:
            started = getattr(row, stage.started)
            setattr(row, stage.ended, day)
            setattr(row, stage.days, None if started is None else (day - started).days)
            changed += [stage.ended, stage.days]
        elif to_status == stage.from_status:
            setattr(row, stage.started, day)
            changed.append(stage.started)
    return changed


def fold(history: Iterable[tuple[str, dt.datetime]]) -> dict[str, dt.date | int | None]:
    """Pure: the stage columns of an application whose status changes are `history`, in time order."""

    row = SimpleNamespace(**dict.fromkeys(FIELDS))
    for status, at in history:
        advance(row, status, at)
    return {name: getattr(row, name) for name in FIELDS}


def rebuild(applications: QuerySet, batch_size: int = 2000) -> int:
    """Recompute the stage columns of `applications` from their transitions; returns how many have any.

    Works on the migration's historical models as well as on the real ones."""
    model: type[Model] = applications.model
    transition_model = model._meta.get_field("transitions").related_model
    using, done = applications.db, 0
    with transaction.atomic(using=using):
        applications.update(**dict.fromkeys(FIELDS))
        rows = (
            transition_model.objects.using(using)
            .filter(application__in=applications.values("pk"), to_status__in=_STATUSES)
            .order_by("application_id", "at", "id")
            .values_list("application_id", "to_status", "at")
        )
        batch: list[tuple[int, dict]] = []
        for application_id, changes in groupby(rows.iterator(chunk_size=10_000), key=itemgetter(0)):
            batch.append((application_id, fold((status, at) for _id, status, at in changes)))
            if len(batch) >= batch_size:
                _write(model, batch, using)
                done, batch = done + len(batch), []
        if batch:
            _write(model, batch, using)
            done += len(batch)
    return done


def _write(model: type[Model], batch: list[tuple[int, dict]], using: str) -> None:
    connection = connections[using]
    if connection.vendor != "postgresql":
        model.objects.using(using).bulk_update(
            [model(pk=pk, **values) for pk, values in batch], FIELDS, batch_size=100
        )
        return
    # ``bulk_update`` writes a CASE over the whole batch for every column, quadratic in the batch: at
    # 100,000 applications it takes minutes where one UPDATE … FROM (VALUES …) per batch takes seconds.
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name).column for name in FIELDS]
    casts = ["date" if name.endswith("_on") else "integer" for name in FIELDS]
    row = "(" + ", ".join(["%s::bigint", *(f"%s::{cast}" for cast in casts)]) + ")"
    sql = (
        f"UPDATE {quote(meta.db_table)} AS a SET "
        + ", ".join(f"{quote(c)} = v.{quote(c)}" for c in columns)
        + f" FROM (VALUES {', '.join([row] * len(batch))}) AS v(id, {', '.join(quote(c) for c in columns)})"
        + f" WHERE a.{quote(meta.pk.column)} = v.id"
    )
    params = [value for pk, values in batch for value in (pk, *(values[name] for name in FIELDS))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
