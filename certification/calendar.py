"""The working calendar in force (the municipal office's data), for services that compute due dates.

Each process keeps the calendar in memory and rebuilds it when the shared cache says it changed,
so a year entered on one web node is used by every node and worker at once.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from certification.workdays import Calendar, Period, add_working_days

VERSION_KEY = "working-calendar-version"
_memo: dict[str, object] = {"version": None, "calendar": None}
MIN_YEAR, MAX_YEAR = 2004, 2100


def _build() -> Calendar:
    from certification.models import CalendarDay, CalendarYear

    overrides = dict(CalendarDay.objects.values_list("date", "working"))
    official = frozenset(CalendarYear.objects.filter(official=True).values_list("year", flat=True))
    return Calendar(overrides=overrides, official_years=official)


def working_calendar() -> Calendar:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    if _memo["calendar"] is None or _memo["version"] != version:
        _memo["calendar"] = _build()
        _memo["version"] = version
    return _memo["calendar"]  # type: ignore[return-value]


def invalidate() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def working_days_from(start: dt.date, count: int) -> Period:
    return add_working_days(working_calendar(), start, count)


# --- Entering a newly announced year --------------------------------------------------------------

_LINE = re.compile(
    r"^(?P<start>\d{4}-\d{1,2}-\d{1,2})\s*(?:(?:至|到|~|～|—|–|-{1,2})\s*(?P<end>\d{4}-\d{1,2}-\d{1,2}))?"
    r"\s*(?P<kind>休|班)\s*(?P<note>.*)$"
)


@dataclass(frozen=True)
class ScheduleEntry:
    date: dt.date
    working: bool
    note: str


def parse_schedule(year: int, text: str) -> tuple[list[ScheduleEntry], list[str]]:
    """Lines such as "2027-02-05 至 2027-02-13 休 春节" and "2027-02-14 班" → entries, errors (Chinese)."""
    entries: dict[dt.date, ScheduleEntry] = {}
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if not m:
            errors.append(
                _("第 %(n)s 行格式不对：“%(line)s”。应为“2027-02-05 至 2027-02-13 休”或“2027-02-14 班”。")
                % {"n": number, "line": line[:60]}
            )
            continue
        try:
            start = dt.date.fromisoformat("-".join(f"{int(p):02d}" for p in m["start"].split("-")))
            end = (
                dt.date.fromisoformat("-".join(f"{int(p):02d}" for p in m["end"].split("-")))
                if m["end"]
                else start
            )
        except ValueError:
            errors.append(_("第 %(n)s 行有不存在的日期。") % {"n": number})
            continue
        if start.year != year or end.year != year:
            errors.append(_("第 %(n)s 行的日期不在 %(year)s 年内。") % {"n": number, "year": year})
            continue
        if end < start or (end - start).days > 31:
            errors.append(_("第 %(n)s 行的日期范围无效（结束早于开始或超过 31 天）。") % {"n": number})
            continue
        day = start
        while day <= end:
            if day in entries and entries[day].working != (m["kind"] == "班"):
                errors.append(_("%(day)s 同时被标为上班和休息。") % {"day": day.isoformat()})
            entries[day] = ScheduleEntry(date=day, working=m["kind"] == "班", note=m["note"].strip()[:40])
            day += dt.timedelta(days=1)
    if not entries and not errors:
        errors.append(_("没有填写任何放假或调休安排。"))
    return sorted(entries.values(), key=lambda e: e.date), errors


@dataclass(frozen=True)
class MovedPeriod:
    what: str
    object_id: int
    old_end: dt.date
    new_end: dt.date


def calendar_enter_year(*, year: int, text: str, by) -> list[MovedPeriod]:  # type: ignore[no-untyped-def]
    """Store the official schedule of a year and recompute every open period that depends on it."""
    from certification.models import CalendarDay, CalendarYear
    from core.errors import InvalidInput

    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput({"year": [_("年度应在 %(a)s 至 %(b)s 之间。") % {"a": MIN_YEAR, "b": MAX_YEAR}]})
    entries, errors = parse_schedule(year, text)
    if errors:
        raise InvalidInput({"text": errors})
    with transaction.atomic():
        CalendarYear.objects.select_for_update().filter(year=year).first()
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(date=e.date, working=e.working, note=e.note)
            for e in entries
            if e.working == (e.date.weekday() >= 5)  # only days that differ from the weekday rule
        )
        CalendarYear.objects.update_or_create(
            year=year, defaults={"official": True, "source": "office", "entered_by": by}
        )
        transaction.on_commit(invalidate)
        moved = recompute_open_periods()
        notify_moved(moved, year)
    return moved


def notify_moved(moved: list[MovedPeriod], year: int) -> None:
    """Tell whoever is responsible for a moved end: the district's officials for a publicity notice or
    a rename in publicity (the one who published it included), the expert for a review. In the
    caller's transaction: nothing is sent if the calendar entry rolls back."""
    from django.urls import reverse

    from accounts.models import Role, User
    from certification.models import PublicityNotice
    from certification.models_lifecycle import ChangeRequest
    from experts.models import Review
    from notifications.services import notify

    ids: dict[str, list[int]] = {}
    for m in moved:
        ids.setdefault(m.what, []).append(m.object_id)
    notices = PublicityNotice.objects.in_bulk(ids.get("notice", []))
    changes = ChangeRequest.objects.select_related("certificate").in_bulk(ids.get("rename", []))
    reviews = Review.objects.select_related("expert__user", "application__enterprise").in_bulk(
        ids.get("review", [])
    )
    districts = {n.district_id for n in notices.values()}
    districts |= {c.certificate.district_id for c in changes.values()}
    officials: dict[int, list[User]] = {}
    for user in User.objects.filter(role=Role.DISTRICT, district_id__in=districts, is_active=True):
        officials.setdefault(user.district_id, []).append(user)
    for m in moved:
        context = {"year": year, "old_end": m.old_end.isoformat(), "new_end": m.new_end.isoformat()}
        if m.what == "notice" and m.object_id in notices:
            notice = notices[m.object_id]
            users = [notice.created_by, *officials.get(notice.district_id, [])]
            url = reverse("districts:notice_detail", args=[notice.pk])
            context.update(what="notice", title=notice.title)
        elif m.what == "rename" and m.object_id in changes:
            change = changes[m.object_id]
            users = officials.get(change.certificate.district_id, [])
            url = reverse("districts:change_detail", args=[change.pk])
            context.update(what="rename", title=change.new_name)
        elif m.what == "review" and m.object_id in reviews:
            review = reviews[m.object_id]
            users = [review.expert.user] if review.expert.user_id else []
            url = reverse("experts:review_detail", args=[review.pk])
            context.update(what="review", title=str(review.application))
        else:
            continue
        notify(users=users, kind="period_moved", url=url, context=context)


def recompute_open_periods() -> list[MovedPeriod]:
    """Every open period counted in working days, recomputed on the current calendar."""
    from certification.lifecycle import recompute_rename_notice_ends
    from certification.publicity import recompute_notice_ends
    from experts.models import Review, ReviewStatus

    calendar = _build()
    moved: list[MovedPeriod] = [
        MovedPeriod("notice", pk, old, new) for pk, old, new in recompute_notice_ends(calendar)
    ]
    moved += [MovedPeriod("rename", pk, old, new) for pk, old, new in recompute_rename_notice_ends(calendar)]
    reviews = Review.objects.filter(status=ReviewStatus.ASSIGNED, due_on__isnull=False).select_related("draw")
    for review in reviews:
        start = review.draw.created_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
        new_end = add_working_days(calendar, start, 10).end
        if new_end != review.due_on:
            moved.append(MovedPeriod("review", review.pk, review.due_on, new_end))
            review.due_on = new_end
            review.save(update_fields=["due_on"])
    return moved
