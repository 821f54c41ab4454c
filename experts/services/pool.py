"""The expert pool (专家库): every write to an expert, their declared relations and their pledge.

Browser pages (the office's and the expert's own), the API and the spreadsheet import all call these
functions, so each rule is written once. A write locks the expert row (`select_for_update`) and
records the acting user in the simple-history record (`_history_user`), so the office can see who
changed what even when the change did not come from a web request (import, shell, task).

New experts get a user with an unusable password: the office never handles an expert's password;
the expert sets one through “忘记密码” (password reset to the e-mail address on file), and until then
cannot sign in at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from certification.models import Field
from core.errors import InvalidInput
from core.uscc import normalize_uscc, uscc_problem
from experts.models import Expert, ExpertKind, ExpertRelation, Pledge

BEIJING = ZoneInfo("Asia/Shanghai")
PLEDGE_TEXT_VERSION = "2015-1"
DEFAULT_YEARLY_CAP = 20
MAX_YEARLY_CAP = 200
# The change reason column of simple-history is a CharField(100).
_REASON_MAX = 100
_PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")


class ExpertData(TypedDict, total=False):
    """One expert's editable data; every key is optional in an update (only the keys given change)."""

    username: str
    name: str
    kind: str
    title: str
    fields: list[str]  # catalogue codes of the catalogue in force (either level)
    employer: str
    employer_uscc: str
    relations: list[str]  # USCCs of declared related enterprises (回避)
    yearly_cap: int
    active: bool
    email: str
    phone: str


def current_year() -> int:
    """The pledge year: today's year in Beijing, whatever the active time zone."""
    return timezone.localdate(timezone=BEIJING).year


# --- Pure rules -------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _as_int(value: Any) -> int | None:
    """An integer from a form, JSON or a spreadsheet cell (where 20 may arrive as 20.0)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = _text(value)
    return int(text) if re.fullmatch(r"[0-9]{1,5}", text) else None


def clean_expert_data(
    data: Mapping[str, Any], *, field_codes: Iterable[str]
) -> tuple[ExpertData, dict[str, list[str]]]:
    """Normalise a complete record and list every problem at once, keyed like `ExpertData`.

    Pure (no database): the import checks thousands of rows with it before touching a row.
    Financial experts serve every field (docs/domain.md “Expert review”), so their `fields` are dropped.
    """
    codes = frozenset(field_codes)
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    clean: ExpertData = {}
    for key, label, limit in (
        ("name", _("姓名"), 50),
        ("title", _("高级职称"), 50),
        ("employer", _("工作单位"), 200),
    ):
        value = _text(data.get(key))
        if not value:
            add(key, _("请填写%(label)s。") % {"label": label})
        elif len(value) > limit:
            add(key, _("%(label)s最多 %(n)s 个字。") % {"label": label, "n": limit})
        clean[key] = value  # type: ignore[literal-required]

    kind = _text(data.get("kind"))
    if kind not in ExpertKind.values:
        add("kind", _("专家类别应为“技术”或“财务”。"))
    clean["kind"] = kind

    uscc = normalize_uscc(_text(data.get("employer_uscc")))
    if not uscc:
        # Needed to exclude an expert from their own employer's applications (回避).
        add("employer_uscc", _("请填写工作单位统一社会信用代码（用于回避本单位的申请）。"))
    else:
        problem = uscc_problem(uscc)
        if problem:
            add("employer_uscc", problem)
    clean["employer_uscc"] = uscc

    fields: list[str] = []
    for raw in data.get("fields") or []:
        code = _text(raw)
        if not code or code in fields:
            continue
        if code not in codes:
            add("fields", _("专业领域代码“%(code)s”不在现行技术领域目录中。") % {"code": code})
        fields.append(code)
    if kind == ExpertKind.FINANCIAL:
        fields = []
    elif kind == ExpertKind.TECHNICAL and not fields and "fields" not in errors:
        add("fields", _("技术专家须至少填写一个专业领域。"))
    clean["fields"] = fields

    relations: list[str] = []
    for raw in data.get("relations") or []:
        code = normalize_uscc(_text(raw))
        if not code or code in relations:
            continue
        problem = uscc_problem(code)
        if problem:
            add("relations", _("回避企业“%(code)s”：%(problem)s") % {"code": code, "problem": problem})
        relations.append(code)
    clean["relations"] = relations

    cap = data.get("yearly_cap")
    cap_value = DEFAULT_YEARLY_CAP if cap is None or _text(cap) == "" else _as_int(cap)
    if cap_value is None or not 1 <= cap_value <= MAX_YEARLY_CAP:
        add("yearly_cap", _("年度评审上限应为 1 至 %(max)s 之间的整数。") % {"max": MAX_YEARLY_CAP})
    else:
        clean["yearly_cap"] = cap_value

    active = data.get("active", True)
    if not isinstance(active, bool):
        add("active", _("“在库”应为“是”或“否”。"))
    else:
        clean["active"] = active

    email = _text(data.get("email"))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            add("email", _("电子邮箱格式不正确。"))
    clean["email"] = email

    phone = _text(data.get("phone"))
    if phone and not _PHONE.match(phone):
        add("phone", _("手机号码格式不正确。"))
    clean["phone"] = phone

    username = _text(data.get("username"))
    if username:
        try:
            UnicodeUsernameValidator()(username)
            if len(username) > 150:
                raise ValidationError("too long")
        except ValidationError:
            add("username", _("用户名只能包含字母、数字和 @ . + - _，最多 150 个字符。"))
        clean["username"] = username
    return clean, errors


# --- Reads shared by the office's list, the export and the API ---------------------------------------


def with_expert_details(qs: QuerySet[Expert]) -> QuerySet[Expert]:
    """Everything a list row, an export row or an API item shows, in a fixed number of queries."""
    return qs.select_related("user").prefetch_related(
        Prefetch("fields", queryset=Field.objects.order_by("code")),
        Prefetch("relations", queryset=ExpertRelation.objects.order_by("uscc")),
    )


def filter_experts(
    qs: QuerySet[Expert],
    *,
    query: str = "",
    kind: str = "",
    field_code: str = "",
    active: bool | None = None,
) -> QuerySet[Expert]:
    """Search by name, employer, employer USCC or username; filter by kind, covered field and state."""
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(name__icontains=query)
            | Q(employer__icontains=query)
            | Q(employer_uscc__icontains=query.upper())
            | Q(user__username__iexact=query)
        )
    if kind:
        qs = qs.filter(kind=kind)
    if field_code:
        # Experts covering the field: registered for it, for one of its sub-fields (a top-level
        # filter), or for its top-level field (which covers all of its sub-fields).
        registered = Expert.fields.through.objects.filter(expert_id=OuterRef("pk")).filter(
            Q(field__code=field_code)
            | Q(field__parent__code=field_code)
            | Q(field__children__code=field_code),
            field__catalogue__in_force=True,
        )
        qs = qs.filter(Exists(registered))
    if active is not None:
        qs = qs.filter(active=active)
    return qs


def pool_counts(qs: QuerySet[Expert] | None = None) -> dict[str, int]:
    """Active technical, active financial and inactive experts, in one query."""
    qs = Expert.objects.all() if qs is None else qs
    return qs.aggregate(
        total=Count("id"),
        technical=Count("id", filter=Q(kind=ExpertKind.TECHNICAL, active=True)),
        financial=Count("id", filter=Q(kind=ExpertKind.FINANCIAL, active=True)),
        inactive=Count("id", filter=Q(active=False)),
    )


def expert_as_data(expert: Expert) -> ExpertData:
    """The record as `ExpertData` (uses prefetched fields and relations when present)."""
    return {
        "username": expert.user.username,
        "name": expert.name,
        "kind": expert.kind,
        "title": expert.title,
        "fields": sorted(f.code for f in expert.fields.all()),
        "employer": expert.employer,
        "employer_uscc": expert.employer_uscc,
        "relations": sorted(r.uscc for r in expert.relations.all()),
        "yearly_cap": expert.yearly_cap,
        "active": expert.active,
        "email": expert.user.email,
        "phone": expert.user.phone,
    }


# --- Writes -----------------------------------------------------------------------------------------


def _field_codes_in_force() -> frozenset[str]:
    return frozenset(Field.objects.filter(catalogue__in_force=True).values_list("code", flat=True))


def _validated(data: Mapping[str, Any]) -> ExpertData:
    clean, errors = clean_expert_data(data, field_codes=_field_codes_in_force())
    if errors:
        raise InvalidInput(errors)
    return clean


def _same_person(*, name: str, employer_uscc: str, exclude_pk: int | None = None) -> Expert | None:
    qs = Expert.objects.filter(name=name, employer_uscc=employer_uscc).select_related("user")
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def _duplicate_error(other: Expert) -> InvalidInput:
    return InvalidInput(
        {
            "name": [
                _("专家库中已有同名且工作单位信用代码相同的专家（用户名 %(username)s）。")
                % {"username": other.user.username}
            ]
        }
    )


def _generate_username() -> str:
    """`zj00001`, `zj00002`, … (专家): the first free one; the unique index settles a race."""
    n = User.objects.filter(username__regex=r"^zj[0-9]{5}$").count() + 1
    while User.objects.filter(username__iexact=f"zj{n:05d}").exists():
        n += 1
    return f"zj{n:05d}"


def _set_fields(expert: Expert, codes: list[str]) -> None:
    expert.fields.set(Field.objects.filter(catalogue__in_force=True, code__in=codes))


def _sync_relations(expert: Expert, usccs: list[str], *, by: User, remove: bool) -> bool:
    """Add the missing relations; with `remove`, also delete those not listed. True when anything changed."""
    existing = {r.uscc: r for r in ExpertRelation.objects.filter(expert=expert)}
    changed = False
    for uscc in usccs:
        if uscc not in existing:
            relation = ExpertRelation(expert=expert, uscc=uscc)
            relation._history_user = by  # type: ignore[attr-defined]
            relation.save()
            changed = True
    if remove:
        for uscc, relation in existing.items():
            if uscc not in usccs:
                relation._history_user = by  # type: ignore[attr-defined]
                relation.delete()
                changed = True
    return changed


def expert_create(*, by: User, data: Mapping[str, Any]) -> Expert:
    """Add an expert to the pool together with their sign-in account (role expert, unusable password)."""
    clean = _validated(data)
    username = clean.get("username", "")
    if username and User.objects.filter(username__iexact=username).exists():
        raise InvalidInput({"username": [_("用户名“%(u)s”已被使用。") % {"u": username}]})
    other = _same_person(name=clean["name"], employer_uscc=clean["employer_uscc"])
    if other is not None:
        raise _duplicate_error(other)
    try:
        with transaction.atomic():
            user = User(
                username=username or _generate_username(),
                role=Role.EXPERT,
                full_name=clean["name"],
                email=clean["email"],
                phone=clean["phone"],
            )
            user.set_unusable_password()
            user._history_user = by  # type: ignore[attr-defined]
            user.save()
            expert = Expert(
                user=user,
                name=clean["name"],
                kind=clean["kind"],
                title=clean["title"],
                employer=clean["employer"],
                employer_uscc=clean["employer_uscc"],
                yearly_cap=clean.get("yearly_cap", DEFAULT_YEARLY_CAP),
                active=clean.get("active", True),
            )
            expert._history_user = by  # type: ignore[attr-defined]
            expert._change_reason = _("新增专家")  # type: ignore[attr-defined]
            expert.save()
            if clean["fields"]:
                _set_fields(expert, clean["fields"])
            _sync_relations(expert, clean["relations"], by=by, remove=False)
    except IntegrityError:
        # Another request took the username a moment ago.
        raise InvalidInput({"username": [_("用户名已被使用，请换一个。")]}) from None
    return expert


def expert_update(
    *, expert: Expert, by: User, data: Mapping[str, Any], replace_relations: bool = True
) -> tuple[Expert, bool]:
    """Change the keys given in `data`; returns the expert and whether anything changed.

    `relations` replaces the declared relations when `replace_relations` (the office's edit form and
    the API), or only adds to them (the import: a sheet never silently drops a declared 回避).
    The username is not changed here. Deactivation goes through `expert_deactivate` with a reason.
    """
    with transaction.atomic():
        expert = (
            Expert.objects.select_for_update(of=("self",))
            .select_related("user")
            .prefetch_related("fields", "relations")
            .get(pk=expert.pk)
        )
        before = expert_as_data(expert)
        merged: dict[str, Any] = {**before, **{k: v for k, v in data.items() if k != "username"}}
        merged.pop("username", None)
        clean = _validated(merged)
        other = _same_person(name=clean["name"], employer_uscc=clean["employer_uscc"], exclude_pk=expert.pk)
        if other is not None:
            raise _duplicate_error(other)

        changed_cols = [
            col
            for col in ("name", "kind", "title", "employer", "employer_uscc", "yearly_cap", "active")
            if getattr(expert, col) != clean[col]  # type: ignore[literal-required]
        ]
        fields_changed = sorted(clean["fields"]) != before["fields"]
        expert._history_user = by  # type: ignore[attr-defined]
        if fields_changed:
            # One history record for the whole edit: the m2m change is saved with the row below.
            expert.skip_history_when_saving = True  # type: ignore[attr-defined]
            _set_fields(expert, clean["fields"])
            del expert.skip_history_when_saving  # type: ignore[attr-defined]
        if changed_cols or fields_changed:
            for col in changed_cols:
                setattr(expert, col, clean[col])  # type: ignore[literal-required]
            if "active" in changed_cols:
                expert._change_reason = _("启用") if expert.active else _("停用")  # type: ignore[attr-defined]
            expert.save()

        relations_changed = False
        if "relations" in data:
            target = clean["relations"]
            if not replace_relations:
                target = sorted(set(before["relations"]) | set(target))
            relations_changed = _sync_relations(expert, target, by=by, remove=replace_relations)

        user = expert.user
        user_cols = [
            col
            for col, value in (
                ("full_name", clean["name"]),
                ("email", clean["email"]),
                ("phone", clean["phone"]),
            )
            if getattr(user, col) != value
        ]
        if user_cols:
            user.full_name, user.email, user.phone = clean["name"], clean["email"], clean["phone"]
            user._history_user = by  # type: ignore[attr-defined]
            user.save(update_fields=user_cols)
    changed = bool(changed_cols or fields_changed or relations_changed or user_cols)
    return expert, changed


def _set_active(*, expert: Expert, by: User, active: bool, reason: str) -> Expert:
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        if expert.active == active:
            return expert  # a second click on the confirmation page changes nothing
        expert.active = active
        expert._history_user = by  # type: ignore[attr-defined]
        label = _("启用") if active else _("停用")
        expert._change_reason = (f"{label}：{reason}" if reason else label)[:_REASON_MAX]  # type: ignore[attr-defined]
        expert.save(update_fields=["active"])
    return expert


def expert_deactivate(*, expert: Expert, by: User, reason: str) -> Expert:
    """Take the expert out of every future draw; the reason is kept in the history."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": [_("请填写停用原因。")]})
    return _set_active(expert=expert, by=by, active=False, reason=reason)


def expert_activate(*, expert: Expert, by: User, reason: str = "") -> Expert:
    return _set_active(expert=expert, by=by, active=True, reason=reason.strip())


def relation_declare(
    *, expert: Expert, by: User, uscc: str, enterprise_name: str = "", note: str = ""
) -> ExpertRelation:
    """Declare an enterprise the expert must never review (回避)."""
    code = normalize_uscc(uscc or "")
    errors: dict[str, list[str]] = {}
    problem = uscc_problem(code) if code else _("请填写企业统一社会信用代码。")
    if problem:
        errors["uscc"] = [problem]
    enterprise_name, note = (enterprise_name or "").strip(), (note or "").strip()
    if len(enterprise_name) > 200:
        errors["enterprise_name"] = [_("企业名称最多 200 个字。")]
    if len(note) > 200:
        errors["note"] = [_("关系说明最多 200 个字。")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        if ExpertRelation.objects.filter(expert=expert, uscc=code).exists():
            raise InvalidInput({"uscc": [_("已申报过与该企业（%(code)s）的回避关系。") % {"code": code}]})
        relation = ExpertRelation(expert=expert, uscc=code, enterprise_name=enterprise_name, note=note)
        relation._history_user = by  # type: ignore[attr-defined]
        relation.save()
    return relation


def relation_remove(*, relation: ExpertRelation, by: User) -> None:
    with transaction.atomic():
        Expert.objects.select_for_update().get(pk=relation.expert_id)
        relation = ExpertRelation.objects.filter(pk=relation.pk).first()  # type: ignore[assignment]
        if relation is None:
            return  # already removed (a second click)
        relation._history_user = by  # type: ignore[attr-defined]
        relation.delete()


def pledge_sign_or_get(*, expert: Expert, by: User, year: int | None = None) -> tuple[Pledge, bool]:
    """This year's pledge (第十三条), signed now if it was not yet; True when it was signed by this call.

    Only the expert signs their own pledge: nobody can promise confidentiality on another's behalf.
    """
    if by.pk != expert.user_id:
        raise PermissionDenied(_("保密承诺只能由专家本人签署。"))
    year = year or current_year()
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        pledge = Pledge.objects.filter(expert=expert, year=year).first()
        if pledge is not None:
            return pledge, False
        pledge = Pledge(expert=expert, year=year, text_version=PLEDGE_TEXT_VERSION)
        pledge._history_user = by  # type: ignore[attr-defined]
        pledge.save()
    return pledge, True


def pledge_sign(*, expert: Expert, by: User, year: int | None = None) -> Pledge:
    """Sign this year's pledge; a second call returns the pledge already signed."""
    return pledge_sign_or_get(expert=expert, by=by, year=year)[0]


def pledge_for(expert: Expert, year: int | None = None) -> Pledge | None:
    return Pledge.objects.filter(expert=expert, year=year or current_year()).first()


def has_signed_pledge(expert: Expert, year: int | None = None) -> bool:
    return Pledge.objects.filter(expert=expert, year=year or current_year()).exists()
