"""Rows for the office's tests, built directly (the services that normally write them are tested elsewhere)."""

from __future__ import annotations

import datetime as dt
import itertools
from contextlib import contextmanager
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from simple_history.models import HistoricalRecords

from certification.applications import stage_dates
from certification.certificates.services import certificate_number, valid_until
from certification.models import (
    Application,
    ApplicationTransition,
    Certificate,
    PoolEntry,
)
from tests.factories import ApplicationFactory, EnterpriseFactory, district, field

BJ = ZoneInfo("Asia/Shanghai")
_serial = itertools.count(1)


def at(text: str) -> dt.datetime:
    """'2026-03-01 10:00' in Beijing time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=BJ)


def application(
    code: str = "120116",
    *,
    status: str = "submitted",
    year: int = 2026,
    field_code: str | None = "0101",
    **kw,
) -> Application:
    enterprise = kw.pop("enterprise", None) or EnterpriseFactory(district=district(code))
    return ApplicationFactory(
        enterprise=enterprise,
        status=status,
        year=year,
        field=field(field_code) if field_code else None,
        **kw,
    )


def transitions(app: Application, steps: list[tuple[str, str]], by=None) -> list[ApplicationTransition]:  # type: ignore[no-untyped-def]
    """A chain of status changes at the given Beijing times; `at` is auto_now_add, so it is set afterwards,
    and the application's stage dates are then recomputed from the chain, as a bulk load would."""
    rows, previous = [], "draft"
    for status, when in steps:
        row = ApplicationTransition.objects.create(
            application=app, from_status=previous, to_status=status, by=by
        )
        ApplicationTransition.objects.filter(pk=row.pk).update(at=at(when))
        previous = status
        rows.append(row)
    stage_dates.rebuild(Application.objects.filter(pk=app.pk))
    return rows


def certificate(app: Application, issued_on: dt.date, by, revoked: bool = False) -> Certificate:  # type: ignore[no-untyped-def]
    district_ = app.enterprise.district
    return Certificate.objects.create(
        number=certificate_number(issued_on.year, district_.code, next(_serial)),
        application=app,
        enterprise=app.enterprise,
        district=district_,
        enterprise_name=app.enterprise.name,
        uscc=app.enterprise.uscc,
        field_name=app.field.name if app.field_id else "",
        issued_on=issued_on,
        valid_until=valid_until(issued_on),
        issued_by=by,
        revoked_at=at(f"{issued_on.isoformat()} 12:00") if revoked else None,
    )


def pool_entry(
    code: str = "120116", *, readiness: str = "ready", cultivation: bool = False, field_code: str = "0101"
) -> PoolEntry:
    failed = {"ready": 0, "close": 1, "far": 3}[readiness]
    return PoolEntry.objects.create(
        enterprise=EnterpriseFactory(district=district(code)),
        field=field(field_code),
        payload={},
        result={"conditions": []},
        national_result={"conditions": []},
        eligible=failed == 0,
        failed_count=failed,
        national_failed_count=failed,
        readiness=readiness,
        cultivation=cultivation,
    )


@contextmanager
def acting_as(user):  # type: ignore[no-untyped-def]
    """What the history middleware does for a request: simple-history records `user` as the actor."""
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        del HistoricalRecords.context.request
