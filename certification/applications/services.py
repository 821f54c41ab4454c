"""Every write to an application and every status change (docs/layout.md, `services.py`).

Browser views, API views, admin actions and Celery tasks all call these functions; none of them
changes `status` itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from certification import workflow
from certification.applications.input import ApplicationInput
from certification.applications.rows import rows_for
from certification.models import (
    REQUIRED_DOCUMENT_KINDS,
    Application,
    ApplicationFiscalYear,
    ApplicationStatus,
    Conversion,
    Document,
    DocumentKind,
    Enterprise,
    Field,
    HighTechProduct,
    IPItem,
    RuleSet,
)
from core.errors import ApplicationStateError, InvalidInput
from core.uploads import (
    DEFAULT_DISPLAY_NAME,
    DocumentError,
    display_name,
    format_limit,
    inspect_pdf,
    read_head_tail,
    sha256_of,
)


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _require_editable(application: Application) -> None:
    if application.status not in workflow.EDITABLE_STATUSES:
        raise ApplicationStateError(
            _("申请当前状态为“%(status)s”，不能修改。") % {"status": application.get_status_display()},
            status=application.status,
        )


def application_create(*, enterprise: Enterprise, by: User, data: ApplicationInput) -> Application:
    """Open this year's application as a draft (one per enterprise and year)."""
    year = timezone.localdate().year
    # 国科发火〔2008〕172号: an enterprise whose certificate was revoked cannot apply again that year.
    if enterprise.certificates.filter(revoked_at__year=year).exists():
        raise ApplicationStateError(
            _("本企业的证书已于 %(year)s 年撤销，当年不能再次申请认定。") % {"year": year}, status="revoked"
        )
    existing = Application.objects.filter(enterprise=enterprise, year=year).first()
    if existing is not None:
        raise ApplicationStateError(
            _("本企业 %(year)s 年度的申请已存在（编号 %(id)s），请在原申请上继续填写。")
            % {"year": year, "id": existing.pk},
            status=existing.status,
        )
    try:
        with transaction.atomic():
            application = workflow.create(
                Application(
                    enterprise=enterprise,
                    year=year,
                    rule_set=RuleSet.objects.get(is_default=True),
                    contact_name=enterprise.contact_name,
                    contact_phone=enterprise.contact_phone,
                ),
                by=by,
            )
            _write_sections(application, data)
    except IntegrityError:
        # A second tab created the same year's application a moment ago.
        raise ApplicationStateError(_("本企业本年度的申请已存在。"), status=ApplicationStatus.DRAFT) from None
    return application


def application_update(
    *, application: Application, by: User, data: ApplicationInput, step: str = ""
) -> Application:
    with transaction.atomic():
        application = _locked(application)
        _require_editable(application)
        _write_sections(application, data)
        if step:
            application.current_step = step
            application.save(update_fields=["current_step", "updated_at"])
    return application


def _write_sections(application: Application, data: ApplicationInput) -> None:
    changed: list[str] = []
    if "facts" in data:
        for key, value in data["facts"].items():
            setattr(application, key, value)
            changed.append(key)
    if "field_code" in data:
        code = data["field_code"]
        application.field = Field.objects.get(catalogue__in_force=True, code=code) if code else None
        changed.append("field")
    if "staff" in data and data["staff"] is not None:
        staff = data["staff"]
        application.staff_total, application.staff_tech_college, application.staff_rd = (
            staff.total,
            staff.tech_college,
            staff.rd,
        )
        changed += ["staff_total", "staff_tech_college", "staff_rd"]
    if "rd_management" in data:
        application.rd_management = data["rd_management"]
        changed.append("rd_management")
    if "audit" in data:
        audit = data["audit"]
        application.audit_firm = audit["firm"]
        application.audit_firm_uscc = audit["firm_uscc"]
        application.audit_report_number = audit["report_number"]
        application.audit_report_date = audit["report_date"]
        changed += ["audit_firm", "audit_firm_uscc", "audit_report_number", "audit_report_date"]
    if changed:
        application.save(update_fields=[*changed, "updated_at"])
    # List sections replace the saved rows as a whole.
    if "fiscal_years" in data and data["fiscal_years"] is not None:
        application.fiscal_years.all().delete()
        ApplicationFiscalYear.objects.bulk_create(
            rows_for(ApplicationFiscalYear, application, data["fiscal_years"])
        )
    if "ip" in data and data["ip"] is not None:
        application.ip_items.all().delete()
        IPItem.objects.bulk_create(rows_for(IPItem, application, data["ip"]))  # (item, extra) pairs
    if "conversions" in data:
        application.conversions.all().delete()
        Conversion.objects.bulk_create(rows_for(Conversion, application, data["conversions"]))
    if "products" in data:
        application.products.all().delete()
        HighTechProduct.objects.bulk_create(rows_for(HighTechProduct, application, data["products"]))


@dataclass(frozen=True)
class SubmissionCheck:
    """What stands between an application and its submission."""

    missing_data: list[str]
    missing_documents: list[str]
    failing_conditions: list[dict]
    # (step slug, item) for each entry of ``missing_data``: the browser links each to its step.
    missing_steps: tuple[tuple[str, str], ...] = ()

    @property
    def blocking(self) -> bool:
        return bool(self.missing_data or self.missing_documents)


def submission_check(application: Application) -> SubmissionCheck:
    from certification.applications.data import eligibility_input_for, rule_set_for
    from certification.eligibility.engine import evaluate
    from certification.eligibility.rules import field_codes_in_force

    steps: list[tuple[str, str]] = []
    if application.field_id is None:
        steps.append(("facts", _("技术领域")))
    if not application.fiscal_years.exists():
        steps.append(("finance", _("近三个会计年度的财务数据")))
    if application.staff_total is None:
        steps.append(("staff", _("人员情况")))
    if not application.products.exists():
        steps.append(("products", _("高新技术产品（服务）")))
    if not (application.audit_firm and application.audit_report_number and application.audit_report_date):
        steps.append(("audit", _("专项审计报告（机构、编号、日期）")))
    missing = [item for _step, item in steps]
    uploaded = set(application.documents.values_list("kind", flat=True))
    missing_docs = [str(DocumentKind(k).label) for k in REQUIRED_DOCUMENT_KINDS if k not in uploaded]
    result = evaluate(
        eligibility_input_for(application), rule_set_for(application), field_codes=field_codes_in_force()
    )
    failing = [c.as_dict() for c in result.conditions if c.passed is False]
    return SubmissionCheck(
        missing_data=missing,
        missing_documents=missing_docs,
        failing_conditions=failing,
        missing_steps=tuple(steps),
    )


def application_submit(
    *, application: Application, by: User, acknowledge_failures: bool = False
) -> Application:
    """Submit (or resubmit after a return) to the district; read-only for the enterprise from now on."""
    with transaction.atomic():
        application = _locked(application)
        _require_editable(application)
        check = submission_check(application)
        problems: dict[str, list[str]] = {}
        if check.missing_data:
            problems["missing_data"] = [_("尚未填写：%(item)s") % {"item": m} for m in check.missing_data]
        if check.missing_documents:
            problems["missing_documents"] = [
                _("尚未上传：%(kind)s") % {"kind": k} for k in check.missing_documents
            ]
        if check.failing_conditions and not acknowledge_failures:
            problems["failing_conditions"] = [
                f"{c['clause']} {c['message']}" for c in check.failing_conditions
            ]
        if problems:
            raise InvalidInput(problems)
        note = _("重新提交") if application.status == ApplicationStatus.RETURNED else ""
        application.submitted_at = timezone.now()
        application.save(update_fields=["submitted_at", "updated_at"])
        workflow.transition(
            application,
            "submit",
            by=by,
            note=note,
            data={"failing_conditions": [c["code"] for c in check.failing_conditions]},
        )
    return application


# --- Materials of 第十条（2） -------------------------------------------------------------------


def document_upload(
    *,
    application: Application,
    kind: str,
    uploaded_file: UploadedFile,
    by: User,
    original_name: str | None = None,
) -> Document:
    """Store one PDF material under a generated name; on any refusal nothing is stored.

    `original_name` is the name the client sent before Django stripped its directory part (the API
    passes it so that a name with `../` is refused rather than silently shortened).
    """
    name = original_name if original_name is not None else (uploaded_file.name or "")
    size = uploaded_file.size or 0
    stored_name = ""
    storage = Document._meta.get_field("file").storage
    try:
        with transaction.atomic():
            application = _locked(application)
            _require_editable(application)
            if kind not in DocumentKind.values:
                raise DocumentError(_("未知的材料类别：%(kind)s。") % {"kind": str(kind)[:40]}, field="kind")
            head, tail = read_head_tail(uploaded_file, size)
            problem = inspect_pdf(head, size, name, settings.UPLOAD_MAX_BYTES, tail=tail)
            if problem:
                raise DocumentError(problem, field="file")
            _require_quota(application, size)
            document = Document(
                application=application,
                kind=kind,
                original_name=display_name(name),
                size=size,
                sha256=sha256_of(uploaded_file),
                uploaded_by=by,
            )
            # upload_to generates the stored name; the client's name is never part of the path.
            document.file.save(DEFAULT_DISPLAY_NAME, uploaded_file, save=False)
            stored_name = document.file.name
            document._history_user = by  # type: ignore[attr-defined]
            document.save()
    except BaseException:
        # The row was not written (or was rolled back with this block): the file must not stay behind.
        if stored_name:
            storage.delete(stored_name)
        raise
    return document


def _require_quota(application: Application, size: int) -> None:
    """An application holds at most UPLOAD_MAX_FILES materials of UPLOAD_MAX_TOTAL_BYTES together
    (checked under the application's row lock, so two parallel uploads cannot both squeeze in)."""
    held = Document.objects.filter(application_id=application.pk).aggregate(n=Count("id"), total=Sum("size"))
    if held["n"] >= settings.UPLOAD_MAX_FILES:
        raise DocumentError(
            _("每件申请最多上传 %(max)d 个文件，请先删除不需要的文件。") % {"max": settings.UPLOAD_MAX_FILES}
        )
    if (held["total"] or 0) + size > settings.UPLOAD_MAX_TOTAL_BYTES:
        raise DocumentError(
            _("每件申请的材料合计不能超过 %(limit)s，请压缩或删除部分文件后再上传。")
            % {"limit": format_limit(settings.UPLOAD_MAX_TOTAL_BYTES)}
        )


def document_delete(*, document: Document, by: User) -> None:
    """Remove a material while the application is editable; the file goes once the deletion commits."""
    with transaction.atomic():
        application = _locked(document.application)
        _require_editable(application)
        locked = Document.objects.select_for_update().filter(pk=document.pk, application=application).first()
        if locked is None:  # already deleted by a concurrent request
            return
        stored_name = locked.file.name
        storage = locked.file.storage
        locked._history_user = by  # type: ignore[attr-defined]
        locked.delete()
        # Deleting before commit would lose the file if the transaction rolled back.
        transaction.on_commit(lambda: storage.delete(stored_name))
