"""What happened to an application, and who did it: the timeline of one application and the office's search.

The timeline reads each source once (a fixed number of queries whatever the application's size):
status changes (`ApplicationTransition`), edits of the application and of its data rows (simple-history
diffs between consecutive records), uploads and removals of materials, expert draws, submitted and
declined reviews, score amendments, objections, the certificate (issue, rename, revocation) and
reports (举报) about it, and the notifications its clocks sent (``notifications.Notification`` rows tied
to a deadline of the application or of one of its reviews).

The search runs over the simple-history tables of Application, Document, Review, ScoreAmendment,
Objection, Certificate and ApplicationTransition as one SQL ``UNION ALL`` ordered by time. A UNION,
not a merge in Python: the database sorts and pages the whole history (an exact total, page 400 costs
what page 1 costs), whereas a merge must fetch ``page × size`` rows from every table to be sure of
one page. Each part projects the same seven columns; the page's people and enterprises are then read
in two queries.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as django_apps
from django.db import models
from django.db.models import BigIntegerField, CharField, F, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audits.models import Report
from certification.models import (
    Application,
    ApplicationFiscalYear,
    ApplicationStatus,
    ApplicationTransition,
    Certificate,
    Conversion,
    Document,
    HighTechProduct,
    IPItem,
    Objection,
)
from experts.models import Draw, Expert, Review, ReviewStatus, ScoreAmendment, ScoreReopening

TEXT_MAX = 300
_STATUS_LABELS = dict(ApplicationStatus.choices)


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Event:
    at: dt.datetime
    kind: str
    title: str
    who_id: int | None = None
    who_text: str = ""
    changes: list[Change] = field(default_factory=list)
    note: str = ""
    who: str = ""

    @property
    def kind_label(self) -> str:
        return str(EVENT_KINDS.get(self.kind, self.kind))


EVENT_KINDS = {
    "status": gettext_lazy("状态变更"),
    "edit": gettext_lazy("修改"),
    "upload": gettext_lazy("上传材料"),
    "draw": gettext_lazy("专家抽取"),
    "score": gettext_lazy("专家评分"),
    "amendment": gettext_lazy("评分修正"),
    "objection": gettext_lazy("公示异议"),
    "certificate": gettext_lazy("证书"),
    "report": gettext_lazy("举报"),
    "notification": gettext_lazy("通知"),
}


# --- Showing a value ---------------------------------------------------------------------------


def _display(model: type[models.Model], name: str, value: Any, related: dict[tuple[Any, Any], str]) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        return related.get((model_field.related_model, value), f"#{value}")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"


def _label(model: type[models.Model], name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


class _Related:
    """Foreign keys met in diffs, read per related model in one query each, once every source is read."""

    def __init__(self) -> None:
        self.wanted: dict[Any, set[Any]] = defaultdict(set)

    def want(self, model: type[models.Model], names: Iterable[str], *records: Any) -> None:
        for name in names:
            model_field = model._meta.get_field(name)
            if model_field.is_relation:
                for record in records:
                    value = getattr(record, model_field.attname, None)
                    if value is not None:
                        self.wanted[model_field.related_model].add(value)

    def load(self, users: dict[int, User]) -> dict[tuple[Any, Any], str]:
        out: dict[tuple[Any, Any], str] = {}
        for related_model, ids in self.wanted.items():
            if related_model is User:
                rows = {pk: users[pk] for pk in ids if pk in users}
                missing = ids - rows.keys()
                if missing:
                    rows.update(User.objects.in_bulk(missing))
            else:
                rows = related_model.objects.in_bulk(ids)
            for pk, obj in rows.items():
                out[(related_model, pk)] = getattr(obj, "display_name", None) or str(obj)
        return out


# --- Edits: diffs between consecutive historical records -----------------------------------------

# Written by the status machine or the clock; the transition events show them.
_NOT_EDITS = {"status", "submitted_at", "accepted_at", "review_deadline", "current_step"}


@dataclass
class _Diff:
    record: Any
    model: type[models.Model]
    kind: str  # "+", "~", "-"
    names: list[str]
    old: Any = None


def _diffs(records: Iterable[Any], model: type[models.Model], exclude: set[str] = frozenset()) -> list[_Diff]:  # type: ignore[assignment]
    """Each record against the previous record of the same object; records must come oldest first."""
    previous: dict[Any, Any] = {}
    order = {f.name: i for i, f in enumerate(model._meta.fields)}
    out: list[_Diff] = []
    for record in records:
        old = previous.get(record.id)
        previous[record.id] = record
        if record.history_type == "+" or old is None:
            out.append(_Diff(record, model, "+", []))
        elif record.history_type == "-":
            out.append(_Diff(record, model, "-", []))
        else:
            delta = record.diff_against(old, excluded_fields=exclude)
            names = sorted(delta.changed_fields, key=lambda n: order.get(n, 999))
            if names:
                out.append(_Diff(record, model, "~", names, old))
    return out


def _changes(diff: _Diff, related: dict[tuple[Any, Any], str]) -> list[Change]:
    return [
        Change(
            label=_label(diff.model, name),
            old=_display(
                diff.model, name, getattr(diff.old, diff.model._meta.get_field(name).attname), related
            ),
            new=_display(
                diff.model, name, getattr(diff.record, diff.model._meta.get_field(name).attname), related
            ),
        )
        for name in diff.names
    ]


# --- The timeline ------------------------------------------------------------------------------

_CHILD_MODELS: tuple[type[models.Model], ...] = (ApplicationFiscalYear, IPItem, Conversion, HighTechProduct)
_REVIEW_POINTS = ("ip", "conversion", "rd_management", "growth")


def _submission_events(
    rows: QuerySet, *, kind: str, received: Callable[[Any], str], decided: Callable[[Any], str]
) -> list[Event]:
    """A public real-name submission's events: its arrival (from 公众: the submitter's identity is not
    part of the timeline) and, once decided, the decision with its finding."""
    events = []
    for row in rows.order_by("created_at", "id"):
        events.append(Event(at=row.created_at, kind=kind, title=received(row), who_text=_("公众")))
        if row.decided_at is not None:  # set by the decision only
            events.append(
                Event(
                    at=row.decided_at,
                    kind=kind,
                    title=decided(row),
                    who_id=row.decided_by_id,
                    note=row.finding,
                )
            )
    return events


def application_timeline(application: Application) -> list[Event]:
    """Everything that happened to `application`, oldest first, with who and when (a fixed number of queries)."""
    events: list[Event] = []
    related = _Related()
    pending: list[tuple[Event, _Diff]] = []  # edits whose foreign keys are resolved at the end

    # Edits of the application itself.
    for diff in _diffs(
        application.history.order_by("history_date", "history_id"), Application, exclude=_NOT_EDITS
    ):
        record = diff.record
        event = Event(at=record.history_date, kind="edit", title="", who_id=record.history_user_id)
        if diff.kind == "+":
            event.title = _("创建申请")
        else:
            event.title = _("修改申请信息")
            related.want(Application, diff.names, record, diff.old)
            pending.append((event, diff))
        events.append(event)

    # Edits of its data rows (fiscal years, IP, conversions, products).
    for model in _CHILD_MODELS:
        records = model.history.filter(application_id=application.pk).order_by("history_date", "history_id")
        name = str(model._meta.verbose_name)
        for diff in _diffs(records, model):
            record = diff.record
            event = Event(at=record.history_date, kind="edit", title="", who_id=record.history_user_id)
            shown = str(record.instance) if diff.kind != "-" else ""
            if diff.kind == "+":
                event.title = _("新增%(what)s：%(name)s") % {"what": name, "name": shown}
            elif diff.kind == "-":
                event.title = _("删除%(what)s") % {"what": name}
            else:
                event.title = _("修改%(what)s：%(name)s") % {"what": name, "name": shown}
                related.want(model, diff.names, record, diff.old)
                pending.append((event, diff))
            events.append(event)

    # Status changes.
    for t in ApplicationTransition.objects.filter(application=application).order_by("at", "id"):
        events.append(
            Event(
                at=t.at,
                kind="status",
                title=_("%(from)s → %(to)s")
                % {
                    "from": _STATUS_LABELS.get(t.from_status, "—"),
                    "to": _STATUS_LABELS.get(t.to_status, t.to_status),
                },
                who_id=t.by_id,
                who_text="" if t.by_id else _("系统"),
                note=t.note,
            )
        )

    # Uploads and removals of materials.
    for record in Document.history.filter(application_id=application.pk).order_by(
        "history_date", "history_id"
    ):
        if record.history_type == "~":
            continue
        title = (
            _("上传：%(kind)s（%(name)s）")
            if record.history_type == "+"
            else _("删除材料：%(kind)s（%(name)s）")
        ) % {"kind": record.get_kind_display(), "name": record.original_name}
        events.append(
            Event(
                at=record.history_date,
                kind="upload",
                title=title,
                who_id=record.history_user_id
                or (record.uploaded_by_id if record.history_type == "+" else None),
                note=f"SHA-256 {record.sha256}",
            )
        )

    # Expert draws.
    for draw in Draw.objects.filter(application=application).order_by("created_at", "id"):
        events.append(
            Event(
                at=draw.created_at,
                kind="draw",
                title=_("抽取专家：评审组 %(panel)s 人，候补 %(alt)s 人")
                % {"panel": len(draw.panel or []), "alt": len(draw.alternates or [])},
                who_id=draw.created_by_id,
                note=_("随机种子 %(seed)s，算法 %(version)s")
                % {"seed": draw.seed, "version": draw.algorithm_version},
            )
        )

    # Reviews: submitted scores and declines (each against the review's previous record).
    review_records = list(
        Review.history.filter(application_id=application.pk).order_by("history_date", "history_id")
    )
    experts = Expert.objects.in_bulk({r.expert_id for r in review_records}) if review_records else {}
    previous: dict[int, Any] = {}
    for record in review_records:
        old = previous.get(record.id)
        previous[record.id] = record
        became = record.status if old is None or old.status != record.status else None
        expert = experts.get(record.expert_id)
        expert_name = expert.name if expert else f"#{record.expert_id}"
        who = record.history_user_id or record.entered_by_id or (expert.user_id if expert else None)
        if became == ReviewStatus.SUBMITTED:
            points = "；".join(
                f"{_label(Review, p)} {getattr(record, p)}"
                for p in _REVIEW_POINTS
                if getattr(record, p) is not None
            )
            events.append(
                Event(
                    at=record.submitted_at or record.history_date,
                    kind="score",
                    title=_("%(expert)s 提交评分（%(source)s）")
                    % {"expert": expert_name, "source": record.get_source_display()},
                    who_id=who,
                    note=points,
                )
            )
        elif became == ReviewStatus.DECLINED:
            events.append(
                Event(
                    at=record.history_date,
                    kind="score",
                    title=_("%(expert)s 回避") % {"expert": expert_name},
                    who_id=who,
                    note=record.declined_reason,
                )
            )

    # Scores the district reopened (the expert then submits again: the amendments below).
    for reopening in ScoreReopening.objects.filter(review__application_id=application.pk).select_related(
        "review__expert"
    ):
        events.append(
            Event(
                at=reopening.at,
                kind="amendment",
                title=_("重新开放 %(expert)s 的评分") % {"expert": reopening.review.expert.name},
                who_id=reopening.by_id,
                note=reopening.reason,
            )
        )

    # Score amendments (after a reopening they name who reopened).
    for amendment in ScoreAmendment.objects.filter(review__application_id=application.pk).select_related(
        "review__expert", "reopening__by"
    ):
        title = _("修正 %(expert)s 的评分") % {"expert": amendment.review.expert.name}
        if amendment.reopening_id:
            title += _("（%(by)s 重新开放）") % {"by": amendment.reopening.by.display_name}
        events.append(
            Event(
                at=amendment.at,
                kind="amendment",
                title=title,
                who_id=amendment.by_id,
                changes=[
                    Change(
                        label=amendment.indicator,
                        old="—" if amendment.old_points is None else str(amendment.old_points),
                        new=str(amendment.new_points),
                    )
                ],
                note=amendment.reason,
            )
        )

    # Objections (the objector's identity is not part of the timeline).
    events += _submission_events(
        Objection.objects.filter(entry__application_id=application.pk),
        kind="objection",
        received=lambda o: _("收到实名异议 %(number)s") % {"number": o.tracking_number},
        decided=lambda o: (
            _("异议 %(number)s 核实：%(status)s")
            % {"number": o.tracking_number, "status": o.get_status_display()}
        ),
    )

    # The certificate: issue, reissue under a new name, flags and revocation.
    for diff in _diffs(
        Certificate.history.filter(application_id=application.pk).order_by("history_date", "history_id"),
        Certificate,
    ):
        record = diff.record
        event = Event(at=record.history_date, kind="certificate", title="", who_id=record.history_user_id)
        if diff.kind == "+":
            event.title = _("发证：%(number)s，有效期至 %(until)s") % {
                "number": record.number,
                "until": record.valid_until.isoformat(),
            }
            event.who_id = event.who_id or record.issued_by_id
        elif diff.kind == "-":
            event.title = _("证书记录删除")
        else:
            event.title = (
                _("撤销证书 %(number)s") if "revoked_at" in diff.names else _("证书 %(number)s 变更")
            ) % {"number": record.number}
            related.want(Certificate, diff.names, record, diff.old)
            pending.append((event, diff))
        events.append(event)

    # Reports (举报) about the certificate (the reporter's identity is not part of the timeline).
    events += _submission_events(
        Report.objects.filter(certificate__application_id=application.pk),
        kind="report",
        received=lambda r: _("收到举报 %(number)s") % {"number": r.tracking_number},
        decided=lambda r: (
            _("举报 %(number)s 核查：%(status)s%(revoked)s")
            % {
                "number": r.tracking_number,
                "status": r.get_status_display(),
                "revoked": _("，撤销证书") if r.certificate_revoked else "",
            }
        ),
    )

    # Notifications sent by the application's clocks (and its experts' scoring clocks).
    events.extend(_notifications(application, {r.id for r in review_records}))

    # Who: every user in one query; then the foreign keys shown in diffs.
    user_ids = {e.who_id for e in events if e.who_id}
    users = User.objects.in_bulk(user_ids) if user_ids else {}
    names = related.load(users)
    for event, diff in pending:
        event.changes = _changes(diff, names)
    for event in events:
        if event.who_id and event.who_id in users:
            user = users[event.who_id]
            role = user.get_role_display() if user.role else ""
            event.who = (
                _("%(name)s（%(role)s）") % {"name": user.display_name, "role": role}
                if role
                else user.display_name
            )
        else:
            event.who = event.who_text or _("系统")
    kinds_order = list(EVENT_KINDS)
    events.sort(key=lambda e: (e.at, kinds_order.index(e.kind) if e.kind in kinds_order else 99))
    return events


def _notifications(application: Application, review_ids: set[int]) -> list[Event]:
    """Inbox rows tied to a deadline of this application or of one of its reviews (one query)."""
    if not django_apps.is_installed("notifications"):
        return []
    from notifications.models import Notification

    linked = Q(
        deadline__content_type__app_label="certification",
        deadline__content_type__model="application",
        deadline__object_id=application.pk,
    )
    if review_ids:
        linked |= Q(
            deadline__content_type__app_label="experts",
            deadline__content_type__model="review",
            deadline__object_id__in=review_ids,
        )
    rows = Notification.objects.filter(linked).select_related("user").order_by("created_at", "id")
    return [
        Event(
            at=n.created_at,
            kind="notification",
            title=_("通知 %(who)s：%(subject)s") % {"who": n.user.display_name, "subject": n.subject},
            who_text=_("系统"),
            note=n.delivery_result,
        )
        for n in rows
    ]


# --- The office's search -------------------------------------------------------------------------

# Each part: the historical model, the path to the application's id, to its enterprise, and the
# field naming the actor when the request did not (a service run from a task or the shell).
SEARCH_SOURCES: dict[str, tuple[Any, str, str, str | None]] = {
    "application": (Application.history.model, "id", "enterprise", None),
    "document": (Document.history.model, "application_id", "application__enterprise", "uploaded_by_id"),
    "review": (Review.history.model, "application_id", "application__enterprise", None),
    "amendment": (
        ScoreAmendment.history.model,
        "review__application_id",
        "review__application__enterprise",
        "by_id",
    ),
    "objection": (Objection.history.model, "entry__application_id", "entry__application__enterprise", None),
    "certificate": (Certificate.history.model, "application_id", "enterprise", None),
    "transition": (ApplicationTransition.history.model, "application_id", "application__enterprise", "by_id"),
}
SOURCE_LABELS = {
    "application": gettext_lazy("认定申请"),
    "document": gettext_lazy("申报材料"),
    "review": gettext_lazy("专家评审"),
    "amendment": gettext_lazy("评分修正"),
    "objection": gettext_lazy("公示异议"),
    "certificate": gettext_lazy("证书"),
    "transition": gettext_lazy("状态变更"),
}
HISTORY_TYPES = {"+": gettext_lazy("新增"), "~": gettext_lazy("修改"), "-": gettext_lazy("删除")}


@dataclass(frozen=True)
class SearchFilters:
    person: str = ""
    enterprise: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def empty(self) -> bool:
        return not (self.person or self.enterprise or self.date_from or self.date_to)


def people_matching(text: str) -> QuerySet[User]:
    text = text.strip()
    return User.objects.filter(
        Q(username__iexact=text) | Q(full_name__icontains=text) | Q(email__iexact=text)
    ).values("pk")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def history_search(filters: SearchFilters) -> QuerySet:
    """One UNION ALL over the seven history tables, newest first; rows are dicts (see `_part`)."""
    parts = [_part(kind, filters) for kind in SEARCH_SOURCES]
    first, rest = parts[0], parts[1:]
    return first.union(*rest, all=True).order_by("-h_date", "-h_id")


def _part(kind: str, filters: SearchFilters) -> QuerySet:
    model, app_path, enterprise_path, actor = SEARCH_SOURCES[kind]
    qs = model.objects.all()
    user_expr: Any = F("history_user_id") if actor is None else Coalesce(F("history_user_id"), F(actor))
    if filters.person:
        people = people_matching(filters.person)
        condition = Q(history_user_id__in=people)
        if actor is not None:
            condition |= Q(history_user_id__isnull=True, **{f"{actor}__in": people})
        qs = qs.filter(condition)
    if filters.enterprise:
        text = filters.enterprise.strip()
        qs = qs.filter(
            Q(**{f"{enterprise_path}__name__icontains": text})
            | Q(**{f"{enterprise_path}__uscc__icontains": text.upper()})
        )
    if filters.date_from:
        qs = qs.filter(history_date__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(history_date__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    # The same seven annotations in the same order in every part: UNION matches columns by position.
    # No ordering inside a part (the historical models order by date): SQLite refuses an ORDER BY in
    # a compound statement's members; the union as a whole is ordered in history_search.
    return (
        qs.order_by()
        .annotate(
            h_kind=Value(kind, output_field=CharField()),
            h_id=Cast("history_id", BigIntegerField()),
            h_date=F("history_date"),
            h_type=Cast("history_type", CharField()),
            h_user=Cast(user_expr, BigIntegerField()),
            h_object=Cast("id", BigIntegerField()),
            h_app=Cast(F(app_path), BigIntegerField()),
        )
        .values("h_kind", "h_id", "h_date", "h_type", "h_user", "h_object", "h_app")
    )


@dataclass
class SearchRow:
    kind: str
    history_id: int
    at: dt.datetime
    type: str
    user: User | None
    object_id: int
    application: Application | None

    @property
    def kind_label(self) -> str:
        return str(SOURCE_LABELS[self.kind])

    @property
    def type_label(self) -> str:
        return str(HISTORY_TYPES.get(self.type, self.type))


def search_rows(page_rows: Iterable[dict[str, Any]]) -> list[SearchRow]:
    """One page of the union as rows with their people and applications (two queries)."""
    rows = list(page_rows)
    users = User.objects.in_bulk({r["h_user"] for r in rows if r["h_user"]}) if rows else {}
    app_ids = {r["h_app"] for r in rows if r["h_app"]}
    applications = Application.objects.select_related("enterprise").in_bulk(app_ids) if app_ids else {}
    return [
        SearchRow(
            kind=r["h_kind"],
            history_id=r["h_id"],
            at=r["h_date"],
            type=r["h_type"],
            user=users.get(r["h_user"]),
            object_id=r["h_object"],
            application=applications.get(r["h_app"]),
        )
        for r in rows
    ]
