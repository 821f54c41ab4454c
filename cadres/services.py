"""Every write of the cadre help ledger: keyword-only functions, one transaction each.

Rules and the clauses they come from are in docs/domain.md ("Cadre help ledger").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from cadres import scoring, selectors
from cadres.models import (
    ECONOMIC_FIELDS,
    SCIENCE_FIELDS,
    SURVEY_AREAS,
    Assessment,
    AssessmentScore,
    AssessmentSheet,
    AssessmentStatus,
    Assignment,
    AssignmentKind,
    Cadre,
    CadreLevel,
    DevelopmentData,
    Evaluation,
    Goal,
    Half,
    HelpList,
    HelpListEntry,
    HelpRecord,
    Indicator,
    IndicatorSource,
    Ledger,
    LedgerStatus,
    NeedsSurvey,
    Training,
)
from certification.models import Enterprise
from certification.workflow import check_pair
from core.errors import ApplicationStateError, DomainPermissionDenied, InvalidInput

HELP_YEARS = 2  # one-to-one for two years (实施方案 二(一)3)
TEXT_MAX = 2000
AMOUNT_MAX = Decimal("999999999999.99")
COUNT_MAX = 10_000_000
# 实施方案 二(一)3: the 1-billion list gets a bureau-level cadre, the 500-million list a division-level one.
LEVEL_FOR_LIST = {HelpList.BILLION: CadreLevel.BUREAU, HelpList.HALF_BILLION: CadreLevel.DIVISION}


def _require(by: User, *roles: Role, message: str) -> None:
    if by.role not in roles:
        raise DomainPermissionDenied(message)


def _require_office(by: User) -> None:
    _require(by, Role.MUNICIPAL, message=_("只有市工作小组办公室可以维护帮扶名单。"))


def _year_ok(year: Any) -> bool:
    return isinstance(year, int) and not isinstance(year, bool) and 2015 <= year <= 2100


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def is_cadre_of(user: User, entry: HelpListEntry) -> bool:
    """The user is the enterprise's cadre today: a pairing that has ended (or not begun) gives no rights."""
    return (
        user.role == Role.CADRE
        and entry.assignments.filter(active_on(timezone.localdate())).filter(cadre=user).exists()
    )


def active_on(day: dt.date) -> Q:
    """The pairings running on `day` (periods are [starts_on, ends_on))."""
    return Q(starts_on__lte=day, ends_on__gt=day)


def require_assigner(by: User, entry: HelpListEntry) -> None:
    """Pairing is the office's or an organisation department's (市委组织部、区县干部处, 实施方案 二(一)1)."""
    _require(
        by, Role.MUNICIPAL, Role.ORGANISATION, message=_("只有市工作小组办公室或组织部门可以指派帮扶干部。")
    )
    _require_own_district(by, entry)


def _require_own_district(by: User, entry: HelpListEntry) -> None:
    """A district organisation department acts only on its district's enterprises (实施方案 二(一)4)."""
    if by.role == Role.ORGANISATION and by.district_id and by.district_id != entry.enterprise.district_id:
        raise DomainPermissionDenied(_("区县组织部门只能处理本区县的帮扶企业。"))


# --- The help lists (市科委) ------------------------------------------------------------------------


def entry_add(
    *, by: User, enterprise: Enterprise, help_list: str, is_key: bool, year_added: int
) -> HelpListEntry:
    """Put an enterprise on a help list (one list per enterprise)."""
    _require_office(by)
    errors: dict[str, list[str]] = {}
    if help_list not in HelpList.values:
        errors["help_list"] = [_("请选择帮扶名单（百亿元级或五亿元级）。")]
    if not _year_ok(year_added):
        errors["year_added"] = [_("年度应在 2015 至 2100 之间。")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if HelpListEntry.objects.filter(enterprise=enterprise).exists():
            raise InvalidInput({"enterprise": [_("该企业已在帮扶名单中。")]})
        return HelpListEntry.objects.create(
            enterprise=enterprise,
            help_list=help_list,
            is_key=bool(is_key),
            year_added=year_added,
            added_by=by,
        )


def entry_remove(*, by: User, entry: HelpListEntry) -> None:
    """Take an enterprise off the lists; one with help records or ledgers stays (the ledger is evidence)."""
    _require_office(by)
    with transaction.atomic():
        locked = HelpListEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.records.exists() or locked.ledgers.exists():
            raise ApplicationStateError(_("该企业已有帮扶记录或台账，不能移出名单。"), status="recorded")
        locked.delete()


# --- Cadres and their enterprises ----------------------------------------------------------------


def assignment_set(
    *, by: User, entry: HelpListEntry, cadre: User, kind: str, starts_on: dt.date
) -> Assignment:
    """Pair a cadre with an enterprise for two years; the cadre's level must fit the list.

    One-to-one during the two years (实施方案 二(一)3): a cadre whose pairing overlaps the new period is
    refused; the enterprise's pairing of the same kind that overlaps it is replaced (动态调整), one that has
    ended stays as it was and a new pairing is added.
    """
    require_assigner(by, entry)
    errors: dict[str, list[str]] = {}
    profile = Cadre.objects.filter(user=cadre).first()
    if cadre.role != Role.CADRE or profile is None:
        errors["cadre"] = [_("所选用户不是登记的帮扶干部。")]
    if kind not in AssignmentKind.values:
        errors["kind"] = [_("请选择帮扶类型。")]
    elif profile is not None:
        if kind == AssignmentKind.PRIMARY and profile.level != LEVEL_FOR_LIST[HelpList(entry.help_list)]:
            errors["cadre"] = [
                _("%(list)s的企业应由%(level)s帮扶。")
                % {
                    "list": entry.get_help_list_display(),
                    "level": CadreLevel(LEVEL_FOR_LIST[HelpList(entry.help_list)]).label,
                }
            ]
        if kind == AssignmentKind.DEPARTMENT:
            # 实施方案 二(一)3: 70 key enterprises each get a bureau-level cadre of a municipal department.
            if not entry.is_key:
                errors["kind"] = [_("只有重点企业另配市有关部门局级干部。")]
            elif profile.level != CadreLevel.BUREAU or not profile.municipal_unit:
                errors["cadre"] = [_("重点企业的第二名干部应为市有关部门和单位的局级干部。")]
    if not isinstance(starts_on, dt.date):
        errors["starts_on"] = [_("请填写开始日期。")]
    if errors:
        raise InvalidInput(errors)
    ends_on = add_years(starts_on, HELP_YEARS)
    overlapping = Q(starts_on__lt=ends_on, ends_on__gt=starts_on)
    with transaction.atomic():
        HelpListEntry.objects.select_for_update().get(pk=entry.pk)
        # The cadre's row is the lock of their pairings: two offices pairing one cadre at once queue here.
        User.objects.select_for_update().get(pk=cadre.pk)
        assignment = (
            Assignment.objects.select_for_update().filter(overlapping, entry=entry, kind=kind).first()
        )
        others = Assignment.objects.filter(overlapping, cadre=cadre)
        if assignment is not None:
            others = others.exclude(pk=assignment.pk)
        if others.exists():
            raise InvalidInput({"cadre": [_("该干部在这两年内已结对帮扶另一家企业（一对一帮扶）。")]})
        if assignment is None:
            return Assignment.objects.create(
                entry=entry, cadre=cadre, kind=kind, starts_on=starts_on, ends_on=ends_on, assigned_by=by
            )
        assignment.cadre, assignment.starts_on, assignment.ends_on = cadre, starts_on, ends_on
        assignment.assigned_by = by
        assignment.save()
        return assignment


def require_cadre_of(by: User, entry: HelpListEntry) -> None:
    if not is_cadre_of(by, entry):
        raise DomainPermissionDenied(_("只有该企业的帮扶干部可以填写。"))


def _text(
    data: Mapping[str, Any],
    key: str,
    errors: dict[str, list[str]],
    *,
    required: bool = False,
    max_length: int = 0,
) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        errors[key] = [_("应为文字。")]
        return ""
    value = value.strip()
    if required and not value:
        errors[key] = [_("此项为必填项。")]
    elif len(value) > (max_length or TEXT_MAX):
        errors[key] = [_("不能超过 %(max)s 字。") % {"max": max_length or TEXT_MAX}]
    return value


def survey_save(*, by: User, entry: HelpListEntry, data: Mapping[str, Any]) -> NeedsSurvey:
    """The needs survey in six areas and the bottlenecks (需求调查, 实施方案 二(二)1)."""
    require_cadre_of(by, entry)
    errors: dict[str, list[str]] = {}
    values = {key: _text(data, key, errors) for key in (*SURVEY_AREAS, "bottlenecks")}
    if not errors and not any(values.values()):
        errors["__all__"] = [_("请至少填写一项需求。")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        HelpListEntry.objects.select_for_update().get(pk=entry.pk)
        survey, _created = NeedsSurvey.objects.update_or_create(
            entry=entry, defaults={**values, "updated_by": by}
        )
    return survey


def goal_set(*, by: User, entry: HelpListEntry, year: int | None, text: str) -> Goal:
    """一企一策: the goal of one year, or the five-year goal (``year=None``)."""
    require_cadre_of(by, entry)
    errors: dict[str, list[str]] = {}
    if year is not None and not _year_ok(year):
        errors["year"] = [_("年度应在 2015 至 2100 之间。")]
    value = _text({"text": text}, "text", errors, required=True)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        HelpListEntry.objects.select_for_update().get(pk=entry.pk)
        goal, _created = Goal.objects.update_or_create(
            entry=entry, year=year, defaults={"text": value, "set_by": by}
        )
    return goal


def _hours(raw: Any, errors: dict[str, list[str]]) -> Decimal:
    try:
        hours = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        hours = Decimal("NaN")
    if (
        not hours.is_finite()
        or not Decimal("0") < hours <= Decimal("240")
        or hours != hours.quantize(Decimal("0.1"))
    ):
        errors["hours"] = [_("帮扶时长应为 0.1 至 240 之间的小时数（最多一位小数）。")]
        return Decimal("0")
    return hours


def record_add(*, by: User, entry: HelpListEntry, data: Mapping[str, Any]) -> HelpRecord:
    """A help record: method, channel, measures, effect, date, hours (实施方案 二(二)3)."""
    require_cadre_of(by, entry)
    errors: dict[str, list[str]] = {}
    helped_on = data.get("helped_on")
    if not isinstance(helped_on, dt.date):
        errors["helped_on"] = [_("请填写帮扶日期。")]
    elif helped_on > timezone.localdate():
        errors["helped_on"] = [_("帮扶日期不能晚于今天。")]
    method = _text(data, "method", errors, required=True, max_length=100)
    channel = _text(data, "channel", errors, required=True, max_length=100)
    measures = _text(data, "measures", errors, required=True)
    effect = _text(data, "effect", errors)
    hours = _hours(data.get("hours"), errors)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        HelpListEntry.objects.select_for_update().get(pk=entry.pk)
        return HelpRecord.objects.create(
            entry=entry,
            cadre=by,
            helped_on=helped_on,
            method=method,
            channel=channel,
            measures=measures,
            effect=effect,
            hours=hours,
        )


# --- Development data (the enterprise) -------------------------------------------------------------

AMOUNT_FIELDS = ("revenue", "profit", "tax", "rd_spending", "high_tech_revenue")


def require_owner(by: User, entry: HelpListEntry) -> None:
    if by.role != Role.ENTERPRISE or by.enterprise_id != entry.enterprise_id:
        raise DomainPermissionDenied(_("只有本企业用户可以填报企业发展数据。"))


def development_save(
    *, by: User, entry: HelpListEntry, year: int, half: str, values: Mapping[str, Any]
) -> DevelopmentData:
    """The enterprise enters (or corrects) its half-year data (实施方案 二(二)4)."""
    require_owner(by, entry)
    errors: dict[str, list[str]] = {}
    if not _year_ok(year):
        errors["year"] = [_("年度应在 2015 至 2100 之间。")]
    if half not in Half.values:
        errors["half"] = [_("请选择上半年或全年。")]
    clean: dict[str, Any] = {}
    for key in (*ECONOMIC_FIELDS, *SCIENCE_FIELDS):
        raw = values.get(key)
        if key in AMOUNT_FIELDS:
            try:
                amount = Decimal(str(raw).strip()) if raw not in (None, "") else None
            except InvalidOperation:
                amount = None
            # Profit may be a loss; the other amounts are not negative.
            low = -AMOUNT_MAX if key == "profit" else Decimal("0")
            if (
                amount is None
                or not amount.is_finite()
                or not low <= amount <= AMOUNT_MAX
                or amount != amount.quantize(Decimal("0.01"))
            ):
                errors[key] = [_("请填写金额（万元，最多两位小数）。")]
            else:
                clean[key] = amount
        else:
            text = str(raw).strip() if raw is not None else ""
            if not (text.isascii() and text.isdigit()) or int(text) > COUNT_MAX:
                errors[key] = [_("请填写非负整数。")]
            else:
                clean[key] = int(text)
    if not errors and clean["invention_patents"] > clean["patents"]:
        errors["invention_patents"] = [_("发明专利数不能多于有效专利数。")]
    if not errors and clean["rd_staff"] > clean["employees"]:
        errors["rd_staff"] = [_("研发人员不能多于从业人员。")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        HelpListEntry.objects.select_for_update().get(pk=entry.pk)
        data, _created = DevelopmentData.objects.update_or_create(
            entry=entry, year=year, half=half, defaults={**clean, "entered_by": by}
        )
    return data


# --- The half-year ledger: cadre → enterprise → district review → municipal filing ----------------------------


def ledger_submit(*, by: User, entry: HelpListEntry, year: int, half: str, summary: str) -> Ledger:
    """The cadre submits the half-year ledger (a returned one again) for the enterprise to confirm."""
    require_cadre_of(by, entry)
    errors: dict[str, list[str]] = {}
    if not _year_ok(year):
        errors["year"] = [_("年度应在 2015 至 2100 之间。")]
    if half not in Half.values:
        errors["half"] = [_("请选择上半年或全年。")]
    text = _text({"summary": summary}, "summary", errors, required=True)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        HelpListEntry.objects.select_for_update().get(pk=entry.pk)
        ledger, _created = Ledger.objects.get_or_create(entry=entry, year=year, half=half)
        ledger = Ledger.objects.select_for_update().get(pk=ledger.pk)
        check_pair("ledger", ledger, LedgerStatus.SUBMITTED)
        ledger.status, ledger.summary, ledger.changed_by = LedgerStatus.SUBMITTED, text, by
        ledger.save()
    return ledger


def ledger_confirm(*, by: User, ledger: Ledger, approve: bool, note: str) -> Ledger:
    """企业确认: the enterprise confirms its half-year ledger before the district's review, or returns it to
    the cadre with a reason (实施方案 二(一)4: 企业需求调查、帮扶台账建档、企业评价、区县审核、市级备案)."""
    require_confirmer(by, ledger)
    return _ledger_decide(by=by, ledger=ledger, approve=approve, note=note, to=LedgerStatus.CONFIRMED)


def require_confirmer(by: User, ledger: Ledger) -> None:
    if by.role != Role.ENTERPRISE or by.enterprise_id != ledger.entry.enterprise_id:
        raise DomainPermissionDenied(_("只有本企业用户可以确认帮扶台账。"))


def require_reviewer(by: User, ledger: Ledger) -> None:
    if (
        by.role != Role.ORGANISATION
        or not by.district_id
        or by.district_id != ledger.entry.enterprise.district_id
    ):
        raise DomainPermissionDenied(_("只有企业所在区县的组织部门可以审核台账。"))


def require_filer(by: User) -> None:
    if not may_file(by):
        raise DomainPermissionDenied(_("只有市工作小组办公室或市委组织部可以备案台账。"))


def _ledger_decide(*, by: User, ledger: Ledger, approve: bool, note: str, to: str) -> Ledger:
    errors: dict[str, list[str]] = {}
    text = _text({"note": note}, "note", errors, required=not approve)
    if errors:
        raise InvalidInput(errors)
    to = to if approve else LedgerStatus.RETURNED
    with transaction.atomic():
        locked = Ledger.objects.select_for_update().get(pk=ledger.pk)
        check_pair("ledger", locked, to)
        locked.status, locked.note, locked.changed_by = to, text, by
        locked.save()
    return locked


def ledger_review(*, by: User, ledger: Ledger, approve: bool, note: str) -> Ledger:
    """区县审核: the organisation department of the enterprise's district passes the confirmed ledger on, or
    returns it with a reason (实施方案 二(一)4: 由各区县组织部门建立并审核)."""
    require_reviewer(by, ledger)
    return _ledger_decide(by=by, ledger=ledger, approve=approve, note=note, to=LedgerStatus.DISTRICT_REVIEWED)


def may_file(user: User) -> bool:
    """市级备案 is the municipal level's: the municipal office (市科委) or the municipal organisation department."""
    return user.role == Role.MUNICIPAL or (user.role == Role.ORGANISATION and not user.district_id)


def ledger_file(*, by: User, ledger: Ledger) -> Ledger:
    """市级备案: the municipal level files a ledger the district has reviewed (实施方案 二(一)4)."""
    require_filer(by)
    with transaction.atomic():
        locked = Ledger.objects.select_for_update().get(pk=ledger.pk)
        check_pair("ledger", locked, LedgerStatus.FILED)
        locked.status, locked.changed_by = LedgerStatus.FILED, by
        locked.save()
    return locked


# --- Training and lectures (实施方案 二(二)5) ---------------------------------------------------------

TRAINING_TARGET = 24  # two a month, at least 24 a year
ATTENDANCE_MAX = 100_000


def training_add(*, by: User, data: Mapping[str, Any]) -> Training:
    """Record a training session or lecture; the office or the organisation department."""
    _require(by, Role.MUNICIPAL, Role.ORGANISATION, message=_("只有市工作小组办公室或组织部门可以记录培训。"))
    errors: dict[str, list[str]] = {}
    held_on = data.get("held_on")
    if not isinstance(held_on, dt.date):
        errors["held_on"] = [_("请填写日期。")]
    elif not 2015 <= held_on.year <= 2100:
        errors["held_on"] = [_("年度应在 2015 至 2100 之间。")]
    topic = _text(data, "topic", errors, required=True, max_length=200)
    speaker = _text(data, "speaker", errors, required=True, max_length=100)
    attendance = data.get("attendance")
    if (
        not isinstance(attendance, int)
        or isinstance(attendance, bool)
        or not 1 <= attendance <= ATTENDANCE_MAX
    ):
        errors["attendance"] = [_("参加人数应为 1 至 %(max)s 之间的整数。") % {"max": ATTENDANCE_MAX}]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        return Training.objects.create(
            held_on=held_on, topic=topic, speaker=speaker, attendance=attendance, recorded_by=by
        )


# --- The enterprise's evaluation of its cadre -------------------------------------------------------


def evaluation_add(
    *, by: User, entry: HelpListEntry, cadre: User, year: int, half: str, score: int, text: str
) -> Evaluation:
    """The enterprise scores its cadre 1–5 with a comment, once per cadre and period."""
    require_owner(by, entry)
    errors: dict[str, list[str]] = {}
    if not entry.assignments.filter(cadre=cadre).exists():
        errors["cadre"] = [_("所选干部不是本企业的帮扶干部。")]
    if not _year_ok(year):
        errors["year"] = [_("年度应在 2015 至 2100 之间。")]
    if half not in Half.values:
        errors["half"] = [_("请选择上半年或全年。")]
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        errors["score"] = [_("评分应为 1 至 5 分。")]
    value = _text({"text": text}, "text", errors)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        HelpListEntry.objects.select_for_update().get(pk=entry.pk)
        if Evaluation.objects.filter(entry=entry, cadre=cadre, year=year, half=half).exists():
            raise InvalidInput({"__all__": [_("本期已评价过该干部，每期只评价一次。")]})
        return Evaluation.objects.create(
            entry=entry, cadre=cadre, year=year, half=half, score=score, text=value, evaluated_by=by
        )


# --- The assessment of cadres (《关于在打造科技小巨人升级版中加强考核工作的实施意见》) ----------------------


def _require_sheet_keeper(by: User) -> None:
    # The office (市科委) and the municipal organisation department (市委组织部) set the indicators (考核意见 四、五).
    if not (by.role == Role.MUNICIPAL or (by.role == Role.ORGANISATION and not by.district_id)):
        raise DomainPermissionDenied(_("只有市工作小组办公室或市委组织部可以设置考核评分表。"))


def sheet_create(*, by: User, year: int) -> AssessmentSheet:
    """The year's sheet: a copy of the latest earlier year's, or the seed's default indicators."""
    _require_sheet_keeper(by)
    if not _year_ok(year):
        raise InvalidInput({"year": [_("年度应在 2015 至 2100 之间。")]})
    with transaction.atomic():
        previous = AssessmentSheet.objects.filter(year__lt=year).order_by("-year").first()
        try:
            with transaction.atomic():
                sheet = AssessmentSheet.objects.create(year=year, created_by=by)
        except IntegrityError as exc:
            raise InvalidInput({"year": [_("%(year)s 年度的考核评分表已存在。") % {"year": year}]}) from exc
        if previous is not None:
            rows = [
                scoring.IndicatorRow(i.name, i.max_score, i.source, i.full_at)
                for i in previous.indicators.order_by("position")
            ]
        else:
            rows = list(scoring.DEFAULT_INDICATORS)
        Indicator.objects.bulk_create(
            Indicator(
                sheet=sheet,
                position=n,
                name=r.name,
                max_score=r.max_score,
                source=r.source,
                full_at=r.full_at,
            )
            for n, r in enumerate(rows, start=1)
        )
    return sheet


def sheet_save(*, by: User, sheet: AssessmentSheet, rows: list[Mapping[str, Any]]) -> AssessmentSheet:
    """Replace a sheet's indicators (maxima adding up to 100); refused once an assessment uses the sheet."""
    _require_sheet_keeper(by)
    parsed, problems = scoring.parse_indicators(rows)
    if problems:
        raise InvalidInput({"__all__": problems})
    with transaction.atomic():
        locked = AssessmentSheet.objects.select_for_update().get(pk=sheet.pk)
        if locked.assessments.exists():
            raise ApplicationStateError(
                _("该评分表已用于考核，不能修改；请为下一年度另建评分表。"), status="in_use"
            )
        locked.indicators.all().delete()
        Indicator.objects.bulk_create(
            Indicator(
                sheet=locked,
                position=n,
                name=r.name,
                max_score=r.max_score,
                source=r.source,
                full_at=r.full_at,
            )
            for n, r in enumerate(parsed, start=1)
        )
        locked.save()  # a history row for the change of indicators
    return locked


def _require_assessor(by: User, cadre_profile: Cadre | None, entry: HelpListEntry) -> None:
    """考核意见 五: bureau-level cadres are assessed by the municipal organisation department, division-level
    ones by the organisation department of their enterprise's district (or the municipal one)."""
    if by.role != Role.ORGANISATION:
        raise DomainPermissionDenied(_("只有组织部门可以考核帮扶干部。"))
    if by.district_id:
        if entry.enterprise.district_id != by.district_id:
            raise DomainPermissionDenied(_("只能考核帮扶本区企业的干部。"))
        if cadre_profile is not None and cadre_profile.level != CadreLevel.DIVISION:
            raise DomainPermissionDenied(_("局级干部由市委组织部考核。"))


def _refresh_computed(assessment: Assessment) -> None:
    """Fill the computed indicators from the ledger's data of the period, and the total."""
    measures = selectors.assessment_measures(
        cadre=assessment.cadre, entry=assessment.entry, year=assessment.year, half=assessment.half
    )
    total = Decimal(0)
    for line in assessment.scores.select_related("indicator").select_for_update(of=("self",)):
        indicator = line.indicator
        if not indicator.is_manual:
            line.measure = measures[IndicatorSource(indicator.source)]
            line.score = scoring.computed_score(
                source=indicator.source,
                max_score=indicator.max_score,
                full_at=indicator.full_at,
                measure=line.measure,
                annual=assessment.half == Half.YEAR,
            )
            line.save(update_fields=["measure", "score"])
        total += line.score or 0
    assessment.total = total


def assessment_open(*, by: User, cadre: User, year: int, half: str) -> Assessment:
    """A draft assessment of a cadre for a half-year (h1) or a year (考核意见 三1、三2), on the year's sheet,
    its computed indicators filled from the ledger."""
    if by.role != Role.ORGANISATION:
        raise DomainPermissionDenied(_("只有组织部门可以考核帮扶干部。"))
    errors: dict[str, list[str]] = {}
    if not _year_ok(year):
        errors["year"] = [_("年度应在 2015 至 2100 之间。")]
    if half not in Half.values:
        errors["half"] = [_("请选择上半年考核或年度考核。")]
    assignment = (
        Assignment.objects.filter(cadre=cadre).select_related("entry__enterprise").order_by("pk").first()
    )
    if cadre.role != Role.CADRE or assignment is None:
        errors["cadre"] = [_("所选用户不是有结对企业的帮扶干部。")]
    sheet = AssessmentSheet.objects.filter(year=year).first() if not errors.get("year") else None
    if not errors.get("year") and sheet is None:
        errors["year"] = [_("%(year)s 年度还没有考核评分表，请先创建。") % {"year": year}]
    if errors:
        raise InvalidInput(errors)
    assert assignment is not None and sheet is not None
    _require_assessor(by, Cadre.objects.filter(user=cadre).first(), assignment.entry)
    with transaction.atomic():
        User.objects.select_for_update().get(pk=cadre.pk)
        if Assessment.objects.filter(cadre=cadre, year=year, half=half).exists():
            raise InvalidInput({"__all__": [_("该干部本期的考核已存在。")]})
        assessment = Assessment.objects.create(
            sheet=sheet, cadre=cadre, entry=assignment.entry, year=year, half=half, assessed_by=by
        )
        AssessmentScore.objects.bulk_create(
            AssessmentScore(assessment=assessment, indicator=i) for i in sheet.indicators.all()
        )
        _refresh_computed(assessment)
        assessment.save()
    return assessment


def _lock_draft(by: User, assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().select_related("entry__enterprise").get(pk=assessment.pk)
    _require_assessor(by, Cadre.objects.filter(user_id=locked.cadre_id).first(), locked.entry)
    if locked.status != AssessmentStatus.DRAFT:
        raise ApplicationStateError(_("已定稿的考核不能修改。"), status=locked.status)
    return locked


def assessment_score(*, by: User, assessment: Assessment, scores: Mapping[Any, Any], note: str) -> Assessment:
    """The organisation department's scores of the hand-scored indicators (0 to each maximum, one
    decimal; blank leaves one unscored), the note; the computed ones are refreshed from the ledger."""
    errors: dict[str, list[str]] = {}
    text = _text({"note": note}, "note", errors)
    with transaction.atomic():
        locked = _lock_draft(by, assessment)
        manual = {str(i.pk): i for i in locked.sheet.indicators.filter(source=IndicatorSource.MANUAL)}
        clean: dict[str, Decimal | None] = {}
        for key, raw in scores.items():
            indicator = manual.get(str(key))
            if indicator is None:
                errors.setdefault("scores", []).append(
                    _("指标 %(key)s 不是本评分表的组织部门评分指标。") % {"key": key}
                )
                continue
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                clean[str(key)] = None
                continue
            value = scoring.parse_score(raw, indicator.max_score)
            if value is None:
                errors.setdefault(f"score_{indicator.pk}", []).append(
                    _("“%(name)s”的得分应在 0 至 %(max)s 分之间（最多一位小数）。")
                    % {"name": indicator.name, "max": indicator.max_score}
                )
            clean[str(key)] = value
        if errors:
            raise InvalidInput(errors)
        for line in locked.scores.filter(indicator_id__in=[int(k) for k in clean]):
            line.score = clean[str(line.indicator_id)]
            line.save(update_fields=["score"])
        locked.note, locked.assessed_by = text, by
        _refresh_computed(locked)
        locked.save()
    return locked


def assessment_finalise(*, by: User, assessment: Assessment) -> Assessment:
    """定稿: every hand-scored indicator scored, the computed ones taken from the ledger once more; the
    assessment is read-only from then on (workflow.ASSESSMENT_PAIRS)."""
    with transaction.atomic():
        locked = _lock_draft(by, assessment)
        check_pair("assessment", locked, AssessmentStatus.FINALISED)
        missing = [
            s.indicator.name
            for s in locked.scores.select_related("indicator").filter(
                indicator__source=IndicatorSource.MANUAL, score__isnull=True
            )
        ]
        if missing:
            raise InvalidInput(
                {"__all__": [_("以下指标尚未评分，不能定稿：%(names)s。") % {"names": "、".join(missing)}]}
            )
        _refresh_computed(locked)
        locked.status, locked.assessed_by, locked.finalised_at = (
            AssessmentStatus.FINALISED,
            by,
            timezone.now(),
        )
        locked.save()
    return locked


def require_training_keeper(by: User) -> None:
    _require(by, Role.MUNICIPAL, Role.ORGANISATION, message=_("只有市工作小组办公室或组织部门可以记录培训。"))
