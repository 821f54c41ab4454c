"""Every write of the ledger: adding an enterprise to a list, recording a stage event, setting targets.

Keyword-only functions, one transaction each; a stage move locks the entry, checks the pair against
``certification.workflow.LISTING_PAIRS`` (``check_pair("listing", …)``) and moves the entry to the list
its new stage belongs to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import Role, User
from certification import workflow
from certification.models import Enterprise
from core.errors import DomainPermissionDenied, InvalidInput
from core.uploads import inspect_pdf, read_head_tail
from districts.models import District
from listings.models import (
    LIST_OF_STAGE,
    Activity,
    ActivityKind,
    Attendance,
    Institution,
    InstitutionKind,
    ListingEntry,
    PeriodTarget,
    Stage,
    StageEvent,
    Target,
)

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
ENTRY_STAGES = (Stage.RESERVE, Stage.INTENTION, Stage.REFORMED, Stage.LISTED)
TARGET_FIELDS = ("reformed", "listed", "merged_domestic", "merged_foreign")


def _office(by: User) -> None:
    if by.role != Role.MUNICIPAL:
        raise DomainPermissionDenied(_("只有市工作小组办公室可以维护四单一库名单和目标。"))


def entry_add(*, enterprise: Enterprise, stage: str, by: User, note: str = "") -> ListingEntry:
    """The office puts an enterprise on the list of its stage (one list at a time)."""
    _office(by)
    errors: dict[str, list[str]] = {}
    if stage not in ENTRY_STAGES:
        errors["stage"] = [_("请选择列入时的阶段：后备企业、有股改意向、股改完成或上市/挂牌。")]
    if len(note) > 1000:
        errors["note"] = [_("备注最多 1000 字。")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if ListingEntry.objects.filter(enterprise=enterprise).exists():
            raise InvalidInput(
                {"enterprise": [_("该企业已在四单一库中，一家企业同一时间只能在一个名单上。")]}
            )
        return ListingEntry.objects.create(
            enterprise=enterprise,
            stage=stage,
            list_kind=LIST_OF_STAGE[Stage(stage)],
            note=note.strip(),
            added_by=by,
        )


def _check_evidence(evidence: Any, reference: str) -> list[str]:
    if evidence is None:
        return [] if reference else [_("请上传证明材料（PDF）或填写证明材料说明（如公告编号、文号）。")]
    head, tail = read_head_tail(evidence, evidence.size)
    problem = inspect_pdf(head, evidence.size, evidence.name or "", EVIDENCE_MAX_BYTES, tail=tail)
    return [problem] if problem else []


def event_record(
    *,
    entry: ListingEntry,
    by: User,
    to_stage: str,
    happened_on: dt.date | None,
    market: str = "",
    reference: str = "",
    evidence: Any = None,
) -> StageEvent:
    """Record a stage reached (股改完成, 上市/挂牌, 并购完成) with its date and evidence; the entry moves on."""
    market, reference = market.strip(), reference.strip()
    errors: dict[str, list[str]] = {}
    if to_stage not in Stage.values or to_stage == Stage.RESERVE:
        errors["to_stage"] = [_("请选择达到的阶段。")]
    if happened_on is None:
        errors["happened_on"] = [_("请填写日期。")]
    elif happened_on > timezone.localdate():
        errors["happened_on"] = [_("日期不能晚于今天。")]
    if to_stage == Stage.LISTED and not market:
        errors["market"] = [_("上市/挂牌须填写板块或市场（如创业板、新三板）。")]
    if len(market) > 50:
        errors["market"] = [_("板块或市场最多 50 字。")]
    if len(reference) > 300:
        errors["reference"] = [_("证明材料说明最多 300 字。")]
    evidence_problems = _check_evidence(evidence, reference)
    if evidence_problems:
        errors["evidence"] = evidence_problems
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        entry = ListingEntry.objects.select_for_update().select_related("enterprise").get(pk=entry.pk)
        if not (
            by.role == Role.MUNICIPAL
            or (by.role == Role.DISTRICT and by.district_id == entry.enterprise.district_id)
        ):
            raise DomainPermissionDenied(_("您不是该区县的工作小组成员，无权记录该企业的阶段。"))
        workflow.check_pair("listing", entry, to_stage)
        event = StageEvent(
            entry=entry,
            from_stage=entry.stage,
            to_stage=to_stage,
            happened_on=happened_on,
            market=market,
            reference=reference,
            recorded_by=by,
        )
        if evidence is not None:
            evidence.seek(0)
            event.evidence.save(f"evidence-{entry.pk}.pdf", evidence, save=False)
        event.save()
        entry.stage = to_stage
        entry.list_kind = LIST_OF_STAGE[Stage(to_stage)]
        entry.save(update_fields=["stage", "list_kind"])
    return event


def target_set(*, year: int, district: District | None, by: User, **figures: Any) -> Target:
    """The office sets the city's (``district=None``) or a district's target for a year."""
    _office(by)
    errors: dict[str, list[str]] = {}
    if not 2016 <= int(year) <= 2100:
        errors["year"] = [_("年度应在 2016 至 2100 之间。")]
    values: dict[str, int] = {}
    for name in TARGET_FIELDS:
        value = figures.get(name, 0)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if number < 0 or number > 100000:
            errors[name] = [_("目标应为 0 至 100000 之间的整数。")]
        values[name] = number
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        target = (
            Target.objects.select_for_update().filter(year=year, district=district).order_by("pk").first()
        )
        if target is None:
            return Target.objects.create(year=year, district=district, **values)
        for name, number in values.items():
            setattr(target, name, number)
        target.save()
    return target


def _figures(figures: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, int]:
    values: dict[str, int] = {}
    for name in TARGET_FIELDS:
        try:
            number = int(figures.get(name, 0))
        except (TypeError, ValueError):
            number = -1
        if number < 0 or number > 100000:
            errors[name] = [_("目标应为 0 至 100000 之间的整数。")]
        values[name] = number
    return values


PERIOD_MAX_YEARS = 10


def period_target_set(*, start_year: int, end_year: int, by: User, **figures: Any) -> PeriodTarget:
    """The office sets the city's cumulative target over a period of years (总体目标: 2016–2020, 750
    reformed, 400 listed, 100 + 100 M&A). The period starting in ``start_year`` is updated in place;
    periods may not overlap, so a year has at most one period target."""
    _office(by)
    errors: dict[str, list[str]] = {}
    try:
        start_year, end_year = int(start_year), int(end_year)
    except (TypeError, ValueError):
        raise InvalidInput({"start_year": [_("年度应在 2016 至 2100 之间。")]}) from None
    if not 2016 <= start_year <= 2100:
        errors["start_year"] = [_("年度应在 2016 至 2100 之间。")]
    if not start_year <= end_year < start_year + PERIOD_MAX_YEARS:
        errors["end_year"] = [_("截止年度不能早于起始年度，期限最长 10 年。")]
    values = _figures(figures, errors)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        # Lock every period: two overlapping periods saved at once would both pass the check.
        periods = list(PeriodTarget.objects.select_for_update().order_by("start_year"))
        clash = next(
            (
                p
                for p in periods
                if p.start_year != start_year and p.start_year <= end_year and start_year <= p.end_year
            ),
            None,
        )
        if clash is not None:
            raise InvalidInput(
                {
                    "end_year": [
                        _("与 %(start)s—%(end)s 年的阶段目标重叠，一个年度只能属于一个阶段。")
                        % {"start": clash.start_year, "end": clash.end_year}
                    ]
                }
            )
        target = next((p for p in periods if p.start_year == start_year), None)
        if target is None:
            return PeriodTarget.objects.create(start_year=start_year, end_year=end_year, **values)
        target.end_year = end_year
        for name, number in values.items():
            setattr(target, name, number)
        target.save()
    return target


def institution_add(
    *, by: User, name: str, kind: str, contact_name: str = "", contact_phone: str = ""
) -> Institution:
    """The office adds a service institution (服务机构单: broker, law or accounting firm)."""
    _office(by)
    name, contact_name, contact_phone = name.strip(), contact_name.strip(), contact_phone.strip()
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 200:
        errors["name"] = [_("请填写机构名称（最多 200 字）。")]
    if kind not in InstitutionKind.values:
        errors["kind"] = [_("请选择机构类别。")]
    if len(contact_name) > 50:
        errors["contact_name"] = [_("联系人最多 50 字。")]
    if len(contact_phone) > 30:
        errors["contact_phone"] = [_("联系电话最多 30 字。")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        if Institution.objects.select_for_update().filter(name=name).exists():
            raise InvalidInput({"name": [_("该机构已在服务机构单中。")]})
        return Institution.objects.create(
            name=name, kind=kind, contact_name=contact_name, contact_phone=contact_phone
        )


MAX_SPEAKERS = 10
MAX_ATTENDING = 500


def activity_record(
    *,
    by: User,
    kind: str,
    held_on: dt.date | None,
    topic: str,
    place: str,
    head_count: int | None,
    speakers: list[str] | None = None,
    enterprise_codes: list[str] | None = None,
    institution_ids: list[int] | None = None,
) -> Activity:
    """Record a training or a roadshow that took place, with who attended (主要工作内容（一）（二）).

    The office records the city's activities, a district's working group its district's (四（一）: the
    districts' trainings count in their assessment). A training has one or two speakers (（一）"每次邀请1
    至2位主讲人"); the head count is at least the number of attending enterprises and institutions."""
    if by.role == Role.MUNICIPAL:
        district_id = None
    elif by.role == Role.DISTRICT and by.district_id:
        district_id = by.district_id
    else:
        raise DomainPermissionDenied(_("只有市工作小组办公室或区县工作小组可以记录培训和路演活动。"))
    topic, place = (topic or "").strip(), (place or "").strip()
    names = [s.strip() for s in (speakers or []) if s and s.strip()]
    codes = list(dict.fromkeys(c.strip().upper() for c in (enterprise_codes or []) if c and c.strip()))
    inst_ids = list(dict.fromkeys(institution_ids or []))
    errors: dict[str, list[str]] = {}
    if kind not in ActivityKind.values:
        errors["kind"] = [_("请选择活动类别：集中培训或融资路演对接。")]
    if held_on is None:
        errors["held_on"] = [_("请填写举办日期。")]
    elif held_on > timezone.localdate():
        errors["held_on"] = [_("只能记录已经举办的活动：举办日期不能晚于今天。")]
    elif held_on.year < 2016:
        errors["held_on"] = [_("举办日期应在 2016 年及以后。")]
    if not topic or len(topic) > 200:
        errors["topic"] = [_("请填写主题（最多 200 字）。")]
    if not place or len(place) > 200:
        errors["place"] = [_("请填写地点（最多 200 字）。")]
    if any(len(n) > 50 for n in names):
        errors["speakers"] = [_("每位主讲人的姓名最多 50 字。")]
    elif kind == ActivityKind.TRAINING and not 1 <= len(names) <= 2:
        errors["speakers"] = [_("每次培训邀请 1 至 2 位主讲人：请填写 1 或 2 位主讲人。")]
    elif len(names) > MAX_SPEAKERS:
        errors["speakers"] = [_("主讲人最多 %(max)s 位。") % {"max": MAX_SPEAKERS}]
    enterprises = list(Enterprise.objects.filter(uscc__in=codes).order_by("name")) if codes else []
    unknown = sorted(set(codes) - {e.uscc for e in enterprises})
    if unknown:
        errors["enterprises"] = [
            _("以下统一社会信用代码不是本平台注册的企业：%(codes)s。") % {"codes": "、".join(unknown[:20])}
        ]
    elif len(codes) > MAX_ATTENDING:
        errors["enterprises"] = [_("参加企业最多 %(max)s 家。") % {"max": MAX_ATTENDING}]
    institutions = list(Institution.objects.filter(pk__in=inst_ids)) if inst_ids else []
    if len(institutions) != len(inst_ids):
        errors["institutions"] = [_("请从服务机构单中选择参加的机构。")]
    parties = len(enterprises) + len(institutions)
    if head_count is None or not 1 <= head_count <= 100000:
        errors["head_count"] = [_("参加人数应为 1 至 100000 之间的整数。")]
    elif head_count < parties:
        errors["head_count"] = [
            _("参加人数（%(n)s）少于参加的企业和机构数（%(parties)s），每家单位至少一人。")
            % {"n": head_count, "parties": parties}
        ]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        activity = Activity.objects.create(
            kind=kind,
            held_on=held_on,
            topic=topic,
            speakers=names,
            place=place,
            head_count=head_count,
            district_id=district_id,
            recorded_by=by,
        )
        bulk_create_with_history(
            [Attendance(activity=activity, enterprise=e) for e in enterprises]
            + [Attendance(activity=activity, institution=i) for i in institutions],
            Attendance,
            default_user=by,
        )
    return activity
