"""The procedure (第十条) as data: every application transition, who may make it and who is told.

`TRANSITIONS` is the one table; `transition()` is the one function that changes an application's
status (and `create()` the one that opens one), so the status pair is checked here and nowhere
else, every change is recorded the same way and every row's notices go out after the commit. The
status lists the rest of the portal needs (editable, open, finished, the 40-day clock…) are derived
from the table, and the procedure page and `manage.py procedure_diagram` draw it.

The smaller objects with statuses (publicity notices, objections, reviews, certificate changes,
filings) have their own from → to tables at the end, checked by `check_pair()`.

Callers keep their richer guards (permissions, completeness, scores); the status pair is the
table's. Notices never name the actor: an expert's identity must not reach the enterprise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from certification.models import Application, ApplicationStatus, ApplicationTransition
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput

logger = logging.getLogger(__name__)

S = ApplicationStatus
SYSTEM = "system"  # the scheduler (``by=None``)


class Audience:
    """Who is told of a transition (an in-app notice and an email, per their preferences)."""

    ENTERPRISE = "enterprise"  # the enterprise's users
    DISTRICT = "district"  # the officials of the enterprise's district
    MUNICIPAL = "municipal"  # the municipal office
    EXPERTS = "experts"  # the experts on the application's panel (declined ones excepted)

    ALL = (ENTERPRISE, DISTRICT, MUNICIPAL, EXPERTS)


AUDIENCE_LABELS = {
    Audience.ENTERPRISE: gettext_lazy("企业"),
    Audience.DISTRICT: gettext_lazy("区县工作小组"),
    Audience.MUNICIPAL: gettext_lazy("市工作小组办公室"),
    Audience.EXPERTS: gettext_lazy("评审专家组"),
}
ROLE_LABELS = {
    Role.ENTERPRISE: gettext_lazy("企业"),
    Role.DISTRICT: gettext_lazy("区县工作小组"),
    Role.MUNICIPAL: gettext_lazy("市工作小组办公室"),
    Role.EXPERT: gettext_lazy("评审专家"),
    Role.CADRE: gettext_lazy("帮扶干部"),
    Role.ORGANISATION: gettext_lazy("组织部门"),
    SYSTEM: gettext_lazy("系统（定时任务）"),
}


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise  # the action, as the pages and the 409 message name it
    sources: tuple[str, ...]  # the statuses it leaves; () for an entry (a new application)
    target: str
    roles: tuple[str, ...]  # who may make it: Role values and SYSTEM
    audiences: tuple[str, ...]  # who is told; never empty
    subject: Promise  # %(enterprise)s, %(year)s, %(status)s
    body: Promise
    share_note: bool = False  # the note (a reason written for the enterprise) goes into the body


def _t(
    name: str,
    label: str,
    sources: Iterable[str],
    target: str,
    roles: Iterable[str],
    audiences: Iterable[str],
    subject: str,
    body: str,
    share_note: bool = False,
) -> Transition:
    return Transition(
        name, label, tuple(sources), target, tuple(roles), tuple(audiences), subject, body, share_note
    )  # type: ignore[arg-type]


E, D, M, X = Audience.ENTERPRISE, Audience.DISTRICT, Audience.MUNICIPAL, Audience.EXPERTS
gl = gettext_lazy

# fmt: off
TRANSITIONS: tuple[Transition, ...] = (
    _t("create", gl("新建申请"), (), S.DRAFT, (Role.ENTERPRISE,), (E,),
       gl("%(enterprise)s %(year)s 年度认定申请已创建"),
       gl("贵企业 %(year)s 年度市级高新技术企业认定申请已创建为草稿，请填写完整后提交所在区县工作小组。")),
    _t("reapply", gl("重新申请"), (), S.DRAFT, (Role.ENTERPRISE,), (E,),
       gl("%(enterprise)s %(year)s 年度重新认定申请已创建"),
       gl("贵企业 %(year)s 年度重新认定申请已创建为草稿（内容复制自上一次申请），请核对更新后提交。")),
    _t("submit", gl("提交申请"), (S.DRAFT, S.RETURNED), S.SUBMITTED, (Role.ENTERPRISE,), (E, D),
       gl("%(enterprise)s %(year)s 年度认定申请已提交"),
       gl("%(enterprise)s %(year)s 年度市级高新技术企业认定申请已提交，等待区县工作小组审查受理。")),
    _t("return", gl("退回补正"), (S.SUBMITTED,), S.RETURNED, (Role.DISTRICT,), (E,),
       gl("%(enterprise)s %(year)s 年度认定申请被退回补正"),
       gl("区县工作小组审查后退回了贵企业 %(year)s 年度认定申请，请按退回理由补正材料后重新提交。"),
       share_note=True),
    _t("accept", gl("受理"), (S.SUBMITTED,), S.ACCEPTED, (Role.DISTRICT,), (E,),
       gl("%(enterprise)s %(year)s 年度认定申请已受理"),
       gl("区县工作小组已受理贵企业 %(year)s 年度认定申请，将在 40 日内完成评审、公示和报备。")),
    # The panel's experts are told by experts.services.meetings.notify_panel (their own assignment).
    _t("draw", gl("抽取评审专家"), (S.ACCEPTED,), S.UNDER_REVIEW, (Role.DISTRICT,), (E,),
       gl("%(enterprise)s %(year)s 年度认定申请进入专家评审"),
       gl("贵企业 %(year)s 年度认定申请已进入专家评审阶段。评审专家名单不对外公开。")),
    _t("review_complete", gl("评审完成"), (S.UNDER_REVIEW,), S.REVIEWED, (Role.EXPERT, Role.DISTRICT),
       (E, D, X),
       gl("%(enterprise)s %(year)s 年度认定申请专家评审完成"),
       gl("%(enterprise)s %(year)s 年度认定申请的专家评审已经完成，等待区县工作小组提出推荐意见。")),
    _t("recommend", gl("推荐"), (S.REVIEWED,), S.RECOMMENDED, (Role.DISTRICT,), (E,),
       gl("%(enterprise)s %(year)s 年度认定申请拟推荐"),
       gl("区县工作小组已同意推荐贵企业 %(year)s 年度认定申请，下一步将在门户网站公示。")),
    _t("not_recommend", gl("不予推荐"), (S.REVIEWED,), S.NOT_RECOMMENDED, (Role.DISTRICT,), (E,),
       gl("%(enterprise)s %(year)s 年度认定申请不予推荐"),
       gl("区县工作小组决定不予推荐贵企业 %(year)s 年度认定申请。"),
       share_note=True),
    _t("publicise", gl("公示"), (S.RECOMMENDED,), S.IN_PUBLICITY, (Role.DISTRICT,), (E,),
       gl("%(enterprise)s %(year)s 年度认定申请进入公示"),
       gl("贵企业已列入拟认定名单，正在门户网站公示（10 个工作日）。"),
       share_note=True),
    _t("objection_upheld", gl("异议成立"), (S.IN_PUBLICITY,), S.OBJECTION_UPHELD, (Role.DISTRICT,), (E,),
       gl("%(enterprise)s %(year)s 年度认定申请公示异议成立"),
       gl("公示期间对贵企业提出的异议经区县工作小组核实成立，本年度申请不再继续办理。"),
       share_note=True),
    _t("publicity_pass", gl("公示通过"), (S.IN_PUBLICITY,), S.PUBLICITY_PASSED, (Role.DISTRICT, SYSTEM),
       (E, D),
       gl("%(enterprise)s %(year)s 年度认定申请公示通过"),
       gl("%(enterprise)s 的公示期已结束且无成立的异议，等待区县工作小组报备市工作小组办公室。")),
    # A filing the office returned is filed again (a new filing) once the district has corrected it.
    _t("file", gl("报备"), (S.PUBLICITY_PASSED, S.FILING_RETURNED), S.FILED, (Role.DISTRICT,), (E, M),
       gl("%(enterprise)s %(year)s 年度认定申请已报备"),
       gl("区县工作小组已将 %(enterprise)s %(year)s 年度认定申请报备市工作小组办公室审核。")),
    _t("approve", gl("审核通过"), (S.FILED,), S.APPROVED, (Role.MUNICIPAL,), (E, D),
       gl("%(enterprise)s %(year)s 年度认定申请审核通过"),
       gl("市工作小组办公室已审核通过 %(enterprise)s %(year)s 年度认定申请，等待区县颁发证书。")),
    _t("filing_return", gl("报备退回"), (S.FILED,), S.FILING_RETURNED, (Role.MUNICIPAL,), (E, D),
       gl("%(enterprise)s %(year)s 年度认定申请报备被退回"),
       gl("市工作小组办公室审核后退回了 %(enterprise)s %(year)s 年度认定申请。"),
       share_note=True),
    # The office's return reason may concern an earlier stage: the district sends the application back to
    # its opinion (experts' scores may then be reopened) or to publicity. The 40-day limit is not reset.
    _t("filing_back_to_review", gl("报备退回后重新评审"), (S.FILING_RETURNED,), S.REVIEWED, (Role.DISTRICT,),
       (E, M),
       gl("%(enterprise)s %(year)s 年度认定申请退回评审环节"),
       gl("市工作小组办公室退回报备后，区县工作小组将 %(enterprise)s %(year)s 年度认定申请退回评审环节，"
          "重新提出推荐意见（必要时重新开放专家评分）。"),
       share_note=True),
    _t("filing_back_to_publicity", gl("报备退回后重新公示"), (S.FILING_RETURNED,), S.RECOMMENDED,
       (Role.DISTRICT,), (E, M),
       gl("%(enterprise)s %(year)s 年度认定申请将重新公示"),
       gl("市工作小组办公室退回报备后，区县工作小组将 %(enterprise)s %(year)s 年度认定申请退回公示环节，"
          "将在门户网站重新公示。"),
       share_note=True),
    _t("certify", gl("颁发证书"), (S.APPROVED,), S.CERTIFIED, (Role.DISTRICT,), (E,),
       gl("%(enterprise)s 已获市级高新技术企业证书"),
       gl("贵企业已被认定为天津市市级高新技术企业，证书编号 %(note)s，可在门户网站查看和下载证书。")),
)
# fmt: on

BY_NAME: dict[str, Transition] = {t.name: t for t in TRANSITIONS}
ENTRIES: tuple[Transition, ...] = tuple(t for t in TRANSITIONS if not t.sources)


class WorkflowTableError(Exception):
    """The table itself is wrong (raised at import: the portal does not start with a bad table)."""


def validate(table: Iterable[Transition]) -> None:
    names: set[str] = set()
    pairs: dict[tuple[str, str], str] = {}
    for row in table:
        if row.name in names:
            raise WorkflowTableError(f"{row.name}: duplicate name")
        names.add(row.name)
        if not row.audiences:
            raise WorkflowTableError(f"{row.name}: every transition tells someone")
        if unknown := set(row.audiences) - set(Audience.ALL):
            raise WorkflowTableError(f"{row.name}: unknown audience {sorted(unknown)}")
        if not row.roles or set(row.roles) - {*Role.values, SYSTEM}:
            raise WorkflowTableError(f"{row.name}: roles {row.roles!r}")
        for status in (*row.sources, row.target):
            if status not in S.values:
                raise WorkflowTableError(f"{row.name}: unknown status {status!r}")
        for source in row.sources or ("",):
            if (source, row.target) in pairs and row.sources:
                raise WorkflowTableError(
                    f"{row.name}: {source}→{row.target} is also {pairs[source, row.target]}"
                )
            pairs[source, row.target] = row.name


validate(TRANSITIONS)


# --- Status lists derived from the table -----------------------------------------------------------


def row(name_or_target: str, current: str | None = None) -> Transition:
    """The row by name, or by target status (from `current`, when several rows lead there)."""
    if name_or_target in BY_NAME:
        return BY_NAME[name_or_target]
    candidates = [t for t in TRANSITIONS if t.target == name_or_target and t.sources]
    if current is not None:
        candidates = [t for t in candidates if current in t.sources] or candidates
    if not candidates:
        raise KeyError(name_or_target)
    return candidates[0]


def from_statuses(name: str) -> tuple[str, ...]:
    return BY_NAME[name].sources


def to_status(name: str) -> str:
    return BY_NAME[name].target


def allowed(current: str) -> tuple[Transition, ...]:
    """The transitions open from `current`."""
    return tuple(t for t in TRANSITIONS if current in t.sources)


def _order() -> tuple[str, ...]:
    """Every status in the order the procedure reaches it (breadth first from the entry)."""
    seen: list[str] = []
    frontier = [t.target for t in ENTRIES]
    while frontier:
        status = frontier.pop(0)
        if status in seen:
            continue
        seen.append(status)
        frontier += [t.target for t in allowed(status)]
    return tuple(seen)


ORDER: tuple[str, ...] = _order()


def path(start: str, end: str) -> tuple[Transition, ...]:
    """The shortest run of rows leading from status `start` to status `end` (() when they are equal).

    Raises KeyError when the table has no way there (a finished status, or backwards)."""
    if start == end:
        return ()
    routes: dict[str, tuple[Transition, ...]] = {start: ()}
    frontier = [start]
    while frontier:
        status = frontier.pop(0)
        for t in allowed(status):
            if t.target in routes:
                continue
            routes[t.target] = (*routes[status], t)
            if t.target == end:
                return routes[t.target]
            frontier.append(t.target)
    raise KeyError(f"no way from {start!r} to {end!r}")


def statuses_after(status: str, *, inclusive: bool = False) -> tuple[str, ...]:
    """Every status reachable from `status` by the table (in procedure order)."""
    reached: set[str] = set()
    frontier = [status]
    while frontier:
        for t in allowed(frontier.pop()):
            if t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    if inclusive:
        reached.add(status)
    return tuple(s for s in ORDER if s in reached)


def statuses_between(start: str, end: str) -> tuple[str, ...]:
    """The statuses from `start` (included) on the way to `end` (excluded): those that can still reach it."""
    return tuple(s for s in statuses_after(start, inclusive=True) if s != end and end in statuses_after(s))


# Finished: nothing leads on (certified, or a refusal on the way). A filing return is not finished: the
# district files again or sends the application back to review or publicity.
FINISHED_STATUSES: tuple[str, ...] = tuple(s for s in ORDER if not allowed(s))
OPEN_STATUSES: tuple[str, ...] = tuple(s for s in ORDER if s not in FINISHED_STATUSES)
# The enterprise may edit while the application is in its hands: the statuses it submits from.
EDITABLE_STATUSES: tuple[str, ...] = from_statuses("submit")
# Visible to officials, the office and the dashboards: everything after the draft.
SUBMITTED_STATUSES: tuple[str, ...] = statuses_after(to_status("create"))
# 第十条: the 40 days run from 受理 until the filing, and stop at a refusal; a filing return puts the
# application back on the same clock (docs/domain.md › Clocks).
CLOCK_STATUSES: tuple[str, ...] = statuses_between(to_status("accept"), to_status("file"))
# The experts' scores are under review until the district's opinion.
REVIEW_STATUSES: tuple[str, ...] = (to_status("draw"), to_status("review_complete"))


def statuses_in_stage(start: str, end: str) -> tuple[str, ...]:
    """Alias of `statuses_between` named for the dashboards' stages (entered `start` → entered `end`)."""
    return statuses_between(start, end)


# --- The one writer ------------------------------------------------------------------------------


def _record(
    application: Application, to: str, *, by: User | None, note: str = "", data: dict | None = None
) -> ApplicationTransition:
    """Write the new status and its transition record (the caller holds the row lock): 4 queries.

    The transition is written first so that its timestamp also dates the stage (stage_dates.py) in the
    same UPDATE as the status."""
    from certification.applications import stage_dates

    record = ApplicationTransition.objects.create(
        application=application,
        from_status=application.status,
        to_status=to,
        by=by,
        note=note,
        data=data or {},
    )
    application.status = to
    stage_columns = stage_dates.advance(application, to, record.at)
    application.save(update_fields=["status", "updated_at", *stage_columns])
    return record


def _check_role(t: Transition, by: User | None) -> None:
    role = SYSTEM if by is None else by.role
    if role not in t.roles:
        raise DomainPermissionDenied(_("“%(action)s”不由您的角色办理。") % {"action": t.label})


def _refusal(t: Transition, current: str) -> ApplicationStateError:
    return ApplicationStateError(
        _("申请当前状态为“%(status)s”，不能执行“%(action)s”。")
        % {"status": S(current).label if current in S.values else current, "action": t.label},
        status=current,
    )


def transition(
    application: Application,
    name_or_to_status: str,
    *,
    by: User | None,
    note: str = "",
    data: dict | None = None,
) -> ApplicationTransition:
    """Move `application` along the table's row (by its name, or by its target status).

    Locks the row and re-reads its status, refuses an illegal pair with ApplicationStateError (409)
    leaving everything as it was, writes the status and the transition, and sends the row's notices
    once the caller's transaction commits. Call inside ``transaction.atomic()``."""
    current = (
        Application.objects.select_for_update(of=("self",))
        .filter(pk=application.pk)
        .values_list("status", flat=True)
        .get()
    )
    try:
        t = row(name_or_to_status, current)
    except KeyError:
        raise ValueError(f"no transition {name_or_to_status!r}") from None
    if current not in t.sources:
        raise _refusal(t, current)
    _check_role(t, by)
    application.status = current
    record = _record(application, t.target, by=by, note=note, data=data)
    _notify_on_commit(t, application.pk, note)
    return record


def check_district_batch(
    applications: list[Application], *, application_ids: list[int], by: User, name: str, refusal: str
) -> None:
    """A district's batch action (issue certificates, file): every id is an application of the official's
    district (else 400, naming the others) and every one may take row `name` (else 409 with `refusal`,
    formatted with the enterprise's ``name`` and the ``status`` label). The caller has locked the rows."""
    known = {a.pk for a in applications if a.enterprise.district_id == by.district_id}
    missing = [i for i in application_ids if i not in known]
    if missing:
        raise InvalidInput({"applications": [_("申请不存在或不属于本区：%(ids)s。") % {"ids": missing}]})
    for application in applications:
        if application.status not in from_statuses(name):
            raise ApplicationStateError(
                refusal % {"name": application.enterprise.name, "status": application.get_status_display()},
                status=application.status,
            )


def create(
    application: Application, *, by: User, name: str = "create", note: str = "", data: dict | None = None
) -> Application:
    """Save the new (unsaved) application in the status of the entry row `name`, with its transition."""
    t = BY_NAME[name]
    if t.sources or application.pk is not None:
        raise ValueError(f"{name} is not an entry into the procedure")
    _check_role(t, by)
    application.status = t.target
    application._history_user = by  # type: ignore[attr-defined]
    application.save()
    del application._history_user  # later saves of this instance name their own actor
    ApplicationTransition.objects.create(
        application=application, from_status="", to_status=t.target, by=by, note=note, data=data or {}
    )
    _notify_on_commit(t, application.pk, note)
    return application


# --- Notices -----------------------------------------------------------------------------------


def _notify_on_commit(t: Transition, application_id: int, note: str) -> None:
    # robust: a notice that cannot be built is logged; the committed status change stands.
    transaction.on_commit(lambda: send_notices(t.name, application_id, note), robust=True)


def _link(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# Audiences whose members another app knows: the panel's experts (experts registers them in
# ExpertsConfig.ready()), so the workflow names them without importing experts.
_audience_providers: dict[str, Callable[[Application], list[User]]] = {}


def register_audience(audience: str, provider: Callable[[Application], list[User]]) -> None:
    _audience_providers[audience] = provider


def audience_users(audience: str, application: Application) -> list[User]:
    from notifications.selectors import Recipients

    recipients = Recipients()
    if audience == Audience.ENTERPRISE:
        return recipients.enterprise_users(application.enterprise_id)
    if audience == Audience.DISTRICT:
        return recipients.district_officials(application.enterprise.district_id)
    if audience == Audience.MUNICIPAL:
        return recipients.municipal_office()
    provider = _audience_providers.get(audience)
    return provider(application) if provider is not None else []


AUDIENCE_LINKS = {
    Audience.ENTERPRISE: "certification:application_detail",
    Audience.DISTRICT: "districts:application_detail",
    Audience.MUNICIPAL: "audits:home",
    Audience.EXPERTS: "experts:home",
}


def message(t: Transition, application: Application, note: str, audience: str) -> tuple[str, str]:
    """Subject and body of row `t` in the active language. Names the enterprise, never a person."""
    values = {
        "enterprise": application.enterprise.name,
        "year": application.year,
        "status": S(t.target).label,
        "note": note,
    }
    subject = str(t.subject) % values
    body = str(t.body) % values
    if t.share_note and note and audience == Audience.ENTERPRISE:
        body += "\n" + _("说明：%(note)s") % {"note": note}
    if t.name == "return" and audience == Audience.ENTERPRISE:
        reasons = (
            ApplicationTransition.objects.filter(application=application, to_status=t.target)
            .order_by("-at", "-id")
            .values_list("data", flat=True)
            .first()
            or {}
        ).get("reasons", [])
        if reasons:
            body += "\n" + _("退回理由：") + "\n" + "\n".join(f"- {r}" for r in reasons)
    return subject, body


def send_notices(name: str, application_id: int, note: str = "") -> int:
    """Row `name`'s notices for one application: an inbox row and an email per person (notify)."""
    from notifications.services import notify, preferences_for

    t = BY_NAME[name]
    application = Application.objects.select_related("enterprise__district").get(pk=application_id)
    sent = 0
    with transaction.atomic():
        for audience in t.audiences:
            users = audience_users(audience, application)
            if not users:
                continue
            url = _link(
                AUDIENCE_LINKS[audience], *([application.pk] if "detail" in AUDIENCE_LINKS[audience] else [])
            )
            languages = preferences_for(u.pk for u in users)
            for language in sorted({lang for _mode, lang in languages.values()}):
                group = [u for u in users if languages[u.pk][1] == language]
                with translation.override(language):
                    subject, body = message(t, application, note, audience)
                sent += len(
                    notify(
                        users=group,
                        kind=f"application_{t.name}",
                        url=url,
                        context={
                            "application_id": application.pk,
                            "transition": t.name,
                            "audience": audience,
                        },
                        subject=subject,
                        body=body,
                    )
                )
    return sent


# --- The smaller objects' statuses ----------------------------------------------------------------

# (from, to) pairs; the services that write these statuses check them with `check_pair`.
NOTICE_PAIRS = frozenset({("open", "closed")})
OBJECTION_PAIRS = frozenset({("open", "upheld"), ("open", "dismissed")})
# submitted → assigned: the district reopened one expert's score (experts.services.reviews.review_reopen).
REVIEW_PAIRS = frozenset({("assigned", "submitted"), ("assigned", "declined"), ("submitted", "assigned")})
CHANGE_PAIRS = frozenset(
    {
        ("requested", "in_publicity"),
        ("requested", "rejected"),
        ("in_publicity", "approved"),
        ("in_publicity", "rejected"),
        ("recheck", "approved"),
        ("recheck", "rejected"),
    }
)
FILING_PAIRS = frozenset({("submitted", "decided")})
# The office's notices (通知公告, audits.Announcement): withdrawn from the site, or published again.
ANNOUNCEMENT_PAIRS = frozenset({("published", "withdrawn"), ("withdrawn", "published")})
# A half-year help ledger (帮扶台账, cadres.Ledger): the cadre submits it, the enterprise confirms it (企业确认)
# or returns it, the district's organisation department reviews it (区县审核) or returns it to the cadre, the
# municipal level files it (市级备案). 《干部帮扶工作实施方案》 二(一)4.
LEDGER_PAIRS = frozenset(
    {
        ("draft", "submitted"),
        ("returned", "submitted"),
        ("submitted", "confirmed"),
        ("submitted", "returned"),
        ("confirmed", "district_reviewed"),
        ("confirmed", "returned"),
        ("district_reviewed", "filed"),
    }
)
# A cadre's assessment (干部考核, cadres.Assessment): the organisation department finalises a draft; a
# finalised assessment is read-only (《关于在打造科技小巨人升级版中加强考核工作的实施意见》 三1、三2).
ASSESSMENT_PAIRS = frozenset({("draft", "finalised")})

# The "四单一库" ledger (listings.StageEvent): reserve → intention → reformed (股改完成) → listed (上市/挂牌)
# → M&A done, domestic or foreign (实施方案 主要任务); an enterprise may be added at any of the first four.
LISTING_PAIRS = frozenset(
    {
        ("reserve", "intention"),
        ("reserve", "reformed"),
        ("intention", "reformed"),
        ("reformed", "listed"),
        ("listed", "merged_domestic"),
        ("listed", "merged_foreign"),
        ("merged_domestic", "merged_foreign"),
        ("merged_foreign", "merged_domestic"),
    }
)
PAIRS: dict[str, frozenset[tuple[str, str]]] = {
    "notice": NOTICE_PAIRS,
    "objection": OBJECTION_PAIRS,
    "review": REVIEW_PAIRS,
    "change": CHANGE_PAIRS,
    "filing": FILING_PAIRS,
    "announcement": ANNOUNCEMENT_PAIRS,
    "ledger": LEDGER_PAIRS,
    "assessment": ASSESSMENT_PAIRS,
    "listing": LISTING_PAIRS,
}


def check_pair(kind: str, obj: Any, to: str) -> None:
    """Refuse (409) a status change of a notice/objection/review/change/filing outside its table."""
    current = obj.status
    if (current, to) not in PAIRS[kind]:
        label = obj.get_status_display() if hasattr(obj, "get_status_display") else current
        raise ApplicationStateError(
            _("当前状态为“%(status)s”，不能改为“%(to)s”。") % {"status": label, "to": to}, status=current
        )


def set_status(kind: str, obj: Any, to: str) -> None:
    """Check the pair and write the status on `obj` (the caller saves it with its other fields)."""
    check_pair(kind, obj, to)
    obj.status = to


# --- The procedure drawn from the table -----------------------------------------------------------


def _names(values: Iterable[str], labels: dict) -> str:
    return "、".join(str(labels[v]) for v in values)


def diagram_rows() -> list[dict[str, Any]]:
    """One dict per row, in procedure order, for the page and the Markdown (labels in the active language)."""
    position = {status: i for i, status in enumerate(ORDER)}
    rows = sorted(
        TRANSITIONS, key=lambda t: (min((position[s] for s in t.sources), default=-1), position[t.target])
    )
    return [
        {
            "name": t.name,
            "label": str(t.label),
            "sources": [(s, str(S(s).label)) for s in t.sources],
            "target": (t.target, str(S(t.target).label)),
            "roles": _names(t.roles, ROLE_LABELS),
            "audiences": _names(t.audiences, AUDIENCE_LABELS),
        }
        for t in rows
    ]


def diagram_markdown() -> str:
    """The table as a plain Markdown list (README.md, `manage.py procedure_diagram`)."""
    lines = []
    for i, r in enumerate(diagram_rows(), 1):
        sources = " / ".join(f"{label} (`{s}`)" for s, label in r["sources"]) or _("（新申请）")
        target, target_label = r["target"]
        lines.append(
            f"{i}. {sources} → **{target_label}** (`{target}`): {r['label']} (`{r['name']}`)"
            + _("；办理：%(roles)s；通知：%(audiences)s") % {"roles": r["roles"], "audiences": r["audiences"]}
        )
    finished = "、".join(f"{S(s).label} (`{s}`)" for s in FINISHED_STATUSES)
    lines.append("")
    lines.append(_("办结状态：%(statuses)s。") % {"statuses": finished})
    return "\n".join(lines) + "\n"
