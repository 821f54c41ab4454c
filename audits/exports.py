"""Every list as .xlsx or CSV, with the filters the list page applies (the same GET parameters).

Each list is one `ExportList`: who may export it, its filters (the list page's query parameters),
the queryset (built by the list's own selector, so a filter means the same thing on the page and in
the file) and its columns. A district official exports their district only; the municipal office
exports every district or, with `district=<code>`, one. A district (or a code) the user may not see
is :class:`NotVisible`, which the views answer with 404.

The district selectors (`district_queue`, `district_pool`, `district_certificates`) take one district;
for the office's city-wide file their per-district querysets are OR-combined into one query, so the
filter rules stay written once, in the selector.

Up to :func:`sync_max_rows` rows (5,000; ``settings.EXPORT_SYNC_MAX_ROWS`` overrides) are written in
the request; more rows go to the Celery task :func:`audits.tasks.build_export`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts.models import Role, User
from certification.applications.permissions import applications_visible_to
from certification.applications.selectors import fields_in_force
from certification.certificates.services import certificate_status
from certification.eligibility.pool import district_pool
from certification.lifecycle import services as lifecycle
from certification.models import (
    Application,
    ApplicationStatus,
    Certificate,
    MonitoringReport,
    ObjectionStatus,
    PoolEntry,
    Readiness,
    ReportKind,
)
from certification.publicity.api.views import objections_visible_to
from core.search import name_or_code
from districts.models import District, FilingStatus
from districts.selectors import QUEUE_SORTS, district_queue, filings_with_counts
from experts.forms import ExpertFilterForm
from experts.models import Expert, ExpertKind
from experts.services.pool import filter_experts, with_expert_details

SYNC_MAX_ROWS = 5000
FORMATS = ("xlsx", "csv")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
PARAM_MAX = 100
CHUNK = 2000
PROGRESS_EVERY = 500
# Spreadsheet formula injection (OWASP): a CSV text cell must not start like a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sync_max_rows() -> int:
    return int(getattr(settings, "EXPORT_SYNC_MAX_ROWS", SYNC_MAX_ROWS))


class NotVisible(Exception):
    """The user may not export this list or this district: answered with 404."""


@dataclass(frozen=True)
class Filter:
    key: str
    label: Promise | str
    choices: Callable[[], list[tuple[str, str]]] | None = None  # None: a text box


@dataclass(frozen=True)
class Column:
    label: Promise | str
    value: Callable[[Any], Any]


@dataclass(frozen=True)
class ExportList:
    name: str
    title: Promise | str
    roles: tuple[str, ...]
    filters: tuple[Filter, ...]
    columns: tuple[Column, ...]
    build: Callable[[User, Mapping[str, str]], QuerySet]
    by_district: bool = (
        True  # accepts `district=<code>` (the office) and is scoped to the official's district
    )
    file_stem: str = ""

    def filters_for(self, user: User) -> list[Filter]:
        own = list(self.filters)
        if self.by_district and user.role == Role.MUNICIPAL:
            own.append(DISTRICT_FILTER)
        return own


# --- Scope --------------------------------------------------------------------------------------


def _district_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, name in District.objects.order_by("code").values_list("code", "name")]


DISTRICT_FILTER = Filter("district", gettext_lazy("区"), _district_choices)


def district_ids(user: User, params: Mapping[str, str]) -> list[int]:
    """The districts this export covers; another district's code (or an unknown one) is NotVisible."""
    code = params.get("district", "")
    if user.role == Role.DISTRICT:
        if not user.district_id:
            raise NotVisible
        if code and code != user.district.code:
            raise NotVisible
        return [user.district_id]
    if user.role == Role.MUNICIPAL:
        qs = District.objects.order_by("code")
        if code:
            qs = qs.filter(code=code)
        ids = list(qs.values_list("pk", flat=True))
        if code and not ids:
            raise NotVisible
        return ids
    raise NotVisible


def _across(selector: Callable[..., QuerySet], ids: list[int], empty: QuerySet, **filters: Any) -> QuerySet:
    if not ids:
        return empty.none()
    return reduce(operator.or_, (selector(pk, **filters) for pk in ids))


def clean_params(spec: ExportList, user: User, data: Mapping[str, Any]) -> dict[str, str]:
    """Only the list's own parameters, as short strings (they are stored with a background job)."""
    out: dict[str, str] = {}
    # `district` is kept for an official too: naming another district must be a 404, not ignored.
    keys = [f.key for f in spec.filters] + (["district"] if spec.by_district else [])
    for key in keys:
        value = str(data.get(key, "") or "").strip()[:PARAM_MAX]
        if value:
            out[key] = value
    return out


# --- The lists ---------------------------------------------------------------------------------


def _status_choices() -> list[tuple[str, str]]:
    return [(v, str(label)) for v, label in ApplicationStatus.choices if v != ApplicationStatus.DRAFT]


def _top_fields() -> list[tuple[str, str]]:
    return [(f.code, f"{f.code} {f.label}") for f in fields_in_force() if f.parent_id is None]


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0) if value else None


def _yes(value: bool | None) -> str:
    if value is None:
        return ""
    return _("是") if value else _("否")


def build_applications(user: User, p: Mapping[str, str]) -> QuerySet[Application]:
    filters = {
        "query": p.get("q", ""),
        "status": p.get("status", ""),
        "field_code": p.get("field", ""),
        "sort": p.get("sort", "deadline"),
    }
    qs = _across(district_queue, district_ids(user, p), Application.objects.all(), **filters)
    return qs.filter(pk__in=applications_visible_to(user).values("pk")).select_related("enterprise__district")


APPLICATIONS = ExportList(
    name="applications",
    title=gettext_lazy("认定申请"),
    roles=(Role.DISTRICT, Role.MUNICIPAL),
    filters=(
        Filter("q", gettext_lazy("企业名称或信用代码")),
        Filter("status", gettext_lazy("状态"), _status_choices),
        Filter("field", gettext_lazy("技术领域"), _top_fields),
        Filter(
            "sort",
            gettext_lazy("排序"),
            lambda: [
                (k, str(v))
                for k, v in zip(QUEUE_SORTS, (_("办理期限"), _("提交时间"), _("企业名称")), strict=False)
            ],
        ),
    ),
    columns=(
        Column(gettext_lazy("申请编号"), lambda a: a.pk),
        Column(gettext_lazy("企业名称"), lambda a: a.enterprise.name),
        Column(gettext_lazy("统一社会信用代码"), lambda a: a.enterprise.uscc),
        Column(gettext_lazy("所在区"), lambda a: a.enterprise.district.name),
        Column(gettext_lazy("申报年度"), lambda a: a.year),
        Column(gettext_lazy("技术领域"), lambda a: str(a.field) if a.field_id else ""),
        Column(gettext_lazy("状态"), lambda a: a.get_status_display()),
        Column(gettext_lazy("提交时间"), lambda a: _local(a.submitted_at)),
        Column(gettext_lazy("受理时间"), lambda a: _local(a.accepted_at)),
        Column(gettext_lazy("办理期限"), lambda a: a.review_deadline),
        Column(gettext_lazy("综合评分"), lambda a: a.composite_score),
    ),
    build=build_applications,
    file_stem="applications",
)


def build_pool(user: User, p: Mapping[str, str]) -> QuerySet[PoolEntry]:
    filters = {
        "field_code": p.get("field", ""),
        "readiness": p.get("readiness", ""),
        "cultivation": p.get("cultivation", ""),
        "query": p.get("q", ""),
    }
    qs = _across(district_pool, district_ids(user, p), PoolEntry.objects.all(), **filters)
    return qs.select_related("enterprise__district")


POOL = ExportList(
    name="pool",
    title=gettext_lazy("备选库"),
    roles=(Role.DISTRICT, Role.MUNICIPAL),
    filters=(
        Filter("q", gettext_lazy("企业名称或信用代码")),
        Filter("field", gettext_lazy("技术领域"), _top_fields),
        Filter(
            "readiness", gettext_lazy("成熟度"), lambda: [(v, str(label)) for v, label in Readiness.choices]
        ),
        Filter("cultivation", gettext_lazy("重点培育"), lambda: [("1", _("是")), ("0", _("否"))]),
    ),
    columns=(
        Column(gettext_lazy("企业名称"), lambda e: e.enterprise.name),
        Column(gettext_lazy("统一社会信用代码"), lambda e: e.enterprise.uscc),
        Column(gettext_lazy("所在区"), lambda e: e.enterprise.district.name),
        Column(gettext_lazy("技术领域"), lambda e: str(e.field) if e.field_id else ""),
        Column(gettext_lazy("成熟度"), lambda e: e.get_readiness_display()),
        Column(gettext_lazy("未满足条件数"), lambda e: e.failed_count),
        Column(gettext_lazy("满足市级条件"), lambda e: _yes(e.eligible)),
        Column(gettext_lazy("未满足国家级条件数"), lambda e: e.national_failed_count),
        Column(gettext_lazy("重点培育"), lambda e: _yes(e.cultivation)),
        Column(gettext_lazy("区县推荐入库"), lambda e: _yes(e.nominated_by_district)),
        Column(gettext_lazy("入库时间"), lambda e: _local(e.joined_at)),
        Column(gettext_lazy("更新时间"), lambda e: _local(e.updated_at)),
    ),
    build=build_pool,
    file_stem="candidate-pool",
)


def build_experts(user: User, p: Mapping[str, str]) -> QuerySet[Expert]:
    if user.role != Role.MUNICIPAL:
        raise NotVisible
    form = ExpertFilterForm(dict(p))
    return with_expert_details(filter_experts(Expert.objects.all(), **form.filters())).order_by("name", "id")


EXPERTS = ExportList(
    name="experts",
    title=gettext_lazy("专家库"),
    roles=(Role.MUNICIPAL,),
    filters=(
        Filter("q", gettext_lazy("姓名、工作单位或信用代码")),
        Filter("kind", gettext_lazy("类别"), lambda: [(v, str(label)) for v, label in ExpertKind.choices]),
        Filter("field", gettext_lazy("专业领域"), _top_fields),
        Filter("active", gettext_lazy("状态"), lambda: [("1", _("在库")), ("0", _("已停用"))]),
    ),
    columns=(
        Column(gettext_lazy("用户名"), lambda e: e.user.username),
        Column(gettext_lazy("姓名"), lambda e: e.name),
        Column(gettext_lazy("类别"), lambda e: e.get_kind_display()),
        Column(gettext_lazy("高级职称"), lambda e: e.title),
        Column(gettext_lazy("工作单位"), lambda e: e.employer),
        Column(gettext_lazy("工作单位统一社会信用代码"), lambda e: e.employer_uscc),
        Column(gettext_lazy("专业领域"), lambda e: "、".join(f.code for f in e.fields.all())),
        Column(gettext_lazy("在库"), lambda e: _yes(e.active)),
        Column(gettext_lazy("年度评审上限"), lambda e: e.yearly_cap),
    ),
    build=build_experts,
    by_district=False,
    file_stem="experts",
)


def build_filings(user: User, p: Mapping[str, str]) -> QuerySet:
    ids = district_ids(user, p)
    qs = filings_with_counts(user).filter(district_id__in=ids)
    if p.get("status") in FilingStatus.values:
        qs = qs.filter(status=p["status"])
    return qs


FILINGS = ExportList(
    name="filings",
    title=gettext_lazy("报备"),
    roles=(Role.DISTRICT, Role.MUNICIPAL),
    filters=(
        Filter(
            "status", gettext_lazy("状态"), lambda: [(v, str(label)) for v, label in FilingStatus.choices]
        ),
    ),
    columns=(
        Column(gettext_lazy("报备编号"), lambda f: f.pk),
        Column(gettext_lazy("区"), lambda f: f.district.name),
        Column(gettext_lazy("报备人"), lambda f: f.created_by.display_name),
        Column(gettext_lazy("报备时间"), lambda f: _local(f.created_at)),
        Column(gettext_lazy("状态"), lambda f: f.get_status_display()),
        Column(gettext_lazy("申请数"), lambda f: f.entry_count),
        Column(gettext_lazy("通过"), lambda f: f.approved_count),
        Column(gettext_lazy("退回"), lambda f: f.returned_count),
        Column(gettext_lazy("待审核"), lambda f: f.pending_count),
        Column(gettext_lazy("审核时间"), lambda f: _local(f.decided_at)),
    ),
    build=build_filings,
    file_stem="filings",
)

_CERTIFICATE_STATUS = {
    "valid": gettext_lazy("有效"),
    "expired": gettext_lazy("已过期"),
    "revoked": gettext_lazy("已撤销"),
}


def build_certificates(user: User, p: Mapping[str, str]) -> QuerySet[Certificate]:
    status = p.get("status", "")
    filters = {
        "query": p.get("q", ""),
        "status": status if status in lifecycle.CERTIFICATE_FILTERS else "",
        "today": timezone.localdate(),
    }
    qs = _across(lifecycle.district_certificates, district_ids(user, p), Certificate.objects.all(), **filters)
    return qs.filter(pk__in=lifecycle.certificates_visible_to(user).values("pk")).select_related("district")


CERTIFICATES = ExportList(
    name="certificates",
    title=gettext_lazy("证书"),
    roles=(Role.DISTRICT, Role.MUNICIPAL),
    filters=(
        Filter("q", gettext_lazy("企业名称、信用代码或证书编号")),
        Filter(
            "status",
            gettext_lazy("状态"),
            lambda: [*((k, str(v)) for k, v in _CERTIFICATE_STATUS.items()), ("flagged", _("待撤销提示"))],
        ),
    ),
    columns=(
        Column(gettext_lazy("证书编号"), lambda c: c.number),
        Column(gettext_lazy("企业名称"), lambda c: c.enterprise_name),
        Column(gettext_lazy("统一社会信用代码"), lambda c: c.uscc),
        Column(gettext_lazy("区"), lambda c: c.district.name),
        Column(gettext_lazy("技术领域"), lambda c: c.field_name),
        Column(gettext_lazy("发证日期"), lambda c: c.issued_on),
        Column(gettext_lazy("有效期至"), lambda c: c.valid_until),
        Column(gettext_lazy("状态"), lambda c: str(_CERTIFICATE_STATUS[certificate_status(c)])),
        Column(gettext_lazy("撤销时间"), lambda c: _local(c.revoked_at)),
        Column(gettext_lazy("待撤销提示"), lambda c: c.revocation_flag),
        Column(gettext_lazy("未办结变更"), lambda c: getattr(c, "open_changes", 0)),
    ),
    build=build_certificates,
    file_stem="certificates",
)


def build_objections(user: User, p: Mapping[str, str]) -> QuerySet:
    ids = district_ids(user, p)
    qs = (
        objections_visible_to(user)
        .filter(entry__notice__district_id__in=ids)
        .select_related("entry__notice__district")
    )
    if p.get("status") in ObjectionStatus.values:
        qs = qs.filter(status=p["status"])
    if p.get("notice", "").isdigit():
        qs = qs.filter(entry__notice_id=int(p["notice"]))
    return qs.order_by("-created_at", "-id")


OBJECTIONS = ExportList(
    name="objections",
    title=gettext_lazy("公示异议"),
    roles=(Role.DISTRICT, Role.MUNICIPAL),
    filters=(
        Filter(
            "status", gettext_lazy("状态"), lambda: [(v, str(label)) for v, label in ObjectionStatus.choices]
        ),
        Filter("notice", gettext_lazy("公示编号")),
    ),
    # The objector's phone number stays out of the file: the name identifies the objection to officials.
    columns=(
        Column(gettext_lazy("查询编号"), lambda o: o.tracking_number),
        Column(gettext_lazy("公示"), lambda o: o.entry.notice.title),
        Column(gettext_lazy("区"), lambda o: o.entry.notice.district.name),
        Column(gettext_lazy("企业名称"), lambda o: o.entry.application.enterprise.name),
        Column(gettext_lazy("统一社会信用代码"), lambda o: o.entry.application.enterprise.uscc),
        Column(gettext_lazy("异议人"), lambda o: o.name),
        Column(gettext_lazy("状态"), lambda o: o.get_status_display()),
        Column(gettext_lazy("核实结论"), lambda o: o.finding),
        Column(gettext_lazy("核实人"), lambda o: o.decided_by.display_name if o.decided_by_id else ""),
        Column(gettext_lazy("核实时间"), lambda o: _local(o.decided_at)),
        Column(gettext_lazy("提出时间"), lambda o: _local(o.created_at)),
    ),
    build=build_objections,
    file_stem="objections",
)


def build_monitoring(user: User, p: Mapping[str, str]) -> QuerySet[MonitoringReport]:
    ids = district_ids(user, p)
    qs = MonitoringReport.objects.filter(
        certificate__in=lifecycle.certificates_visible_to(user), certificate__district_id__in=ids
    ).select_related("certificate__district")
    query = p.get("q", "")
    if query:
        qs = qs.filter(
            name_or_code(
                query,
                names=("certificate__enterprise_name",),
                codes=("certificate__uscc", "certificate__number"),
            )
        )
    if p.get("kind") in ReportKind.values:
        qs = qs.filter(kind=p["kind"])
    if p.get("period"):
        qs = qs.filter(period=p["period"].upper())
    if p.get("late") in ("1", "0"):
        qs = qs.filter(late=p["late"] == "1")
    return qs.order_by("certificate__district__code", "certificate__number", "due_on", "id")


MONITORING = ExportList(
    name="monitoring",
    title=gettext_lazy("统计监测报告"),
    roles=(Role.DISTRICT, Role.MUNICIPAL),
    filters=(
        Filter("q", gettext_lazy("企业名称、信用代码或证书编号")),
        Filter(
            "kind", gettext_lazy("报表类型"), lambda: [(v, str(label)) for v, label in ReportKind.choices]
        ),
        Filter("period", gettext_lazy("报告期（如 2027H1、2027）")),
        Filter("late", gettext_lazy("逾期填报"), lambda: [("1", _("是")), ("0", _("否"))]),
    ),
    columns=(
        Column(gettext_lazy("证书编号"), lambda r: r.certificate.number),
        Column(gettext_lazy("企业名称"), lambda r: r.certificate.enterprise_name),
        Column(gettext_lazy("统一社会信用代码"), lambda r: r.certificate.uscc),
        Column(gettext_lazy("区"), lambda r: r.certificate.district.name),
        Column(gettext_lazy("报表类型"), lambda r: r.get_kind_display()),
        Column(gettext_lazy("报告期"), lambda r: r.period),
        Column(gettext_lazy("截止日期"), lambda r: r.due_on),
        Column(gettext_lazy("填报时间"), lambda r: _local(r.filed_at)),
        Column(gettext_lazy("逾期填报"), lambda r: _yes(r.late)),
        Column(gettext_lazy("营业收入（元）"), lambda r: r.revenue),
        Column(gettext_lazy("研究开发费用（元）"), lambda r: r.rd_expense),
        Column(gettext_lazy("职工总数"), lambda r: r.staff_total),
        Column(gettext_lazy("新增知识产权数"), lambda r: r.new_ip_count),
    ),
    build=build_monitoring,
    file_stem="monitoring-reports",
)

EXPORTS: dict[str, ExportList] = {
    e.name: e for e in (APPLICATIONS, POOL, EXPERTS, FILINGS, CERTIFICATES, OBJECTIONS, MONITORING)
}


def lists_for(user: User) -> list[ExportList]:
    return [e for e in EXPORTS.values() if user.role in e.roles]


def get_list(name: str, user: User) -> ExportList:
    spec = EXPORTS.get(name)
    if spec is None or user.role not in spec.roles:
        raise NotVisible
    return spec


# --- Writing -----------------------------------------------------------------------------------


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _xlsx_cell(ws: Any, value: Any) -> Any:
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def describe_filters(spec: ExportList, user: User, params: Mapping[str, str]) -> list[tuple[str, str]]:
    rows = []
    for f in spec.filters_for(user):
        value = params.get(f.key, "")
        if not value:
            continue
        shown = dict(f.choices()).get(value, value) if f.choices else value
        rows.append((str(f.label), str(shown)))
    return rows


def write_export(
    spec: ExportList,
    objects: Iterable[Any],
    fmt: str,
    out: IO[bytes],
    *,
    filters: list[tuple[str, str]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the header and one row per object to `out`; returns the number of rows."""
    headers = [str(c.label) for c in spec.columns]
    count = 0
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")  # BOM: Excel opens Chinese text right
        writer = csv.writer(text)
        writer.writerow(headers)
        for obj in objects:
            writer.writerow([_csv_text(c.value(obj)) for c in spec.columns])
            count += 1
            if progress and count % PROGRESS_EVERY == 0:
                progress(count)
        text.flush()
        text.detach()
        return count
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(spec.title)[:31])
    sheet.append([_xlsx_cell(sheet, h) for h in headers])
    for obj in objects:
        sheet.append([_xlsx_cell(sheet, c.value(obj)) for c in spec.columns])
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    about = book.create_sheet(title=_("导出说明"))
    about.append([_xlsx_cell(about, _("清单")), _xlsx_cell(about, str(spec.title))])
    about.append([_xlsx_cell(about, _("导出时间")), _xlsx_cell(about, _local(timezone.now()))])
    about.append([_xlsx_cell(about, _("行数")), _xlsx_cell(about, count)])
    for label, value in filters or [(_("筛选条件"), _("无"))]:
        about.append([_xlsx_cell(about, label), _xlsx_cell(about, value)])
    book.save(out)
    return count


def iterate(qs: QuerySet) -> Iterable[Any]:
    return qs.iterator(chunk_size=CHUNK)


def file_name(spec: ExportList, fmt: str) -> tuple[str, str]:
    """(the Chinese download name, its ASCII fallback)."""
    day = timezone.localdate().strftime("%Y%m%d")
    return f"{spec.title}-{day}.{fmt}", f"{spec.file_stem or spec.name}-{day}.{fmt}"


def content_type(fmt: str) -> str:
    return XLSX_CONTENT_TYPE if fmt == "xlsx" else CSV_CONTENT_TYPE
