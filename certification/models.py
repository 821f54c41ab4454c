from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.uscc import uscc_problem


def validate_uscc(value: str) -> None:
    problem = uscc_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_uscc")


class Catalogue(models.Model):
    """A version of 国家重点支持的高新技术领域 (2008, 2016 …); exactly one is in force."""

    version = models.CharField(_("版本"), max_length=10, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    in_force = models.BooleanField(_("现行"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("技术领域目录")
        verbose_name_plural = _("技术领域目录")
        constraints = [
            models.UniqueConstraint(
                fields=["in_force"], condition=models.Q(in_force=True), name="one_catalogue_in_force"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Field(models.Model):
    catalogue = models.ForeignKey(Catalogue, on_delete=models.PROTECT, related_name="fields")
    code = models.CharField(_("代码"), max_length=10)
    name = models.CharField(_("名称"), max_length=60)
    # The catalogue is data, not UI text: its English names come with it (certification/data/catalogues.json).
    name_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["catalogue", "code"]
        verbose_name = _("技术领域")
        verbose_name_plural = _("技术领域")
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="field_code_unique_per_catalogue")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        """The name in the active language: English when the page is English and the catalogue has one."""
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class RuleSet(models.Model):
    """Versioned eligibility and panel thresholds; `data` is read by certification.eligibility."""

    code = models.CharField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    data = models.JSONField(_("规则数据"))
    is_default = models.BooleanField(_("默认"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("认定规则集")
        verbose_name_plural = _("认定规则集")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_rule_set"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DocumentKind(models.TextChoices):
    """The nine kinds of material of 第十条（2）."""

    APPLICATION_FORM = "application_form", _("高新技术企业认定申请书（系统生成，签字盖章）")
    QUALIFICATION = "qualification", _("企业资质证明（营业执照等）")
    AUDIT_REPORT = "audit_report", _("中介机构出具的专项审计报告")
    IP_PROOF = "ip_proof", _("知识产权证明材料")
    CONVERSION_PROOF = "conversion_proof", _("科技成果转化证明材料")
    RD_MANAGEMENT_PROOF = "rd_management_proof", _("研究开发组织管理证明材料")
    GROWTH_STATEMENT = "growth_statement", _("企业成长性计算材料")
    STAFF_STRUCTURE = "staff_structure", _("人员结构说明")
    OTHER = "other", _("其他材料")


REQUIRED_DOCUMENT_KINDS = tuple(k for k in DocumentKind if k != DocumentKind.OTHER)


class Enterprise(models.Model):
    name = models.CharField(_("企业名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    district = models.ForeignKey(
        "districts.District", verbose_name=_("所在区"), on_delete=models.PROTECT, related_name="enterprises"
    )
    registered_on = models.DateField(_("注册日期"))
    address = models.CharField(_("注册地址"), max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        """An enterprise that moves to another district takes its applications along: each keeps a
        copy of the district (``Application.district``) for the district's queue and dashboards."""
        moved = (
            not self._state.adding
            and getattr(self, "_loaded_district_id", self.district_id) != self.district_id
        )
        super().save(*args, **kwargs)
        if moved:
            self.applications.update(district_id=self.district_id)
            self._loaded_district_id = self.district_id

    @classmethod
    def from_db(cls, db, field_names, values):  # type: ignore[no-untyped-def]
        instance = super().from_db(db, field_names, values)
        if "district_id" in instance.__dict__:  # not deferred
            instance._loaded_district_id = instance.district_id
        return instance


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回补正")
    ACCEPTED = "accepted", _("已受理")
    UNDER_REVIEW = "under_review", _("专家评审中")
    REVIEWED = "reviewed", _("评审完成")
    RECOMMENDED = "recommended", _("拟推荐")
    NOT_RECOMMENDED = "not_recommended", _("不予推荐")
    IN_PUBLICITY = "in_publicity", _("公示中")
    PUBLICITY_PASSED = "publicity_passed", _("公示通过")
    OBJECTION_UPHELD = "objection_upheld", _("异议成立")
    FILED = "filed", _("已报备")
    APPROVED = "approved", _("审核通过")
    FILING_RETURNED = "filing_returned", _("报备退回")
    CERTIFIED = "certified", _("已发证")


class RDManagementItem(models.TextChoices):
    """The five items of 研究开发组织管理水平 (2008 guide)."""

    PROJECT_APPROVAL = "project_approval", _("研究开发项目立项报告")
    RD_ACCOUNTING = "rd_accounting", _("研发投入核算体系")
    INDUSTRY_UNIVERSITY = "industry_university", _("产学研合作")
    RD_INSTITUTION = "rd_institution", _("研发机构及设施")
    RD_INCENTIVES = "rd_incentives", _("研发人员绩效考核奖励制度")


class Application(models.Model):
    """One enterprise's application for one year, from draft to certificate."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="applications"
    )
    # The enterprise's district, copied (save() below, Enterprise.save() when it moves): the district's
    # queue, its dashboard and the city's per-district figures filter, sort and count by it without
    # joining the enterprise. Not user data: kept out of the history.
    district = models.ForeignKey(
        "districts.District",
        verbose_name=_("所在区"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # the indexes below lead with it
    )
    year = models.PositiveSmallIntegerField(_("申报年度"))
    rule_set = models.ForeignKey(RuleSet, verbose_name=_("认定规则集"), on_delete=models.PROTECT)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    field = models.ForeignKey(
        Field, verbose_name=_("技术领域"), on_delete=models.PROTECT, null=True, blank=True
    )
    # Enterprise facts (step 1).
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    main_products = models.TextField(_("主要产品（服务）"), blank=True, max_length=2000)
    core_technology = models.TextField(_("核心技术说明"), blank=True, max_length=4000)
    contact_name = models.CharField(_("申报联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Staff (第九条（三）), for the latest year.
    staff_total = models.PositiveIntegerField(_("职工总数"), null=True, blank=True)
    staff_tech_college = models.PositiveIntegerField(_("大专以上学历科技人员"), null=True, blank=True)
    staff_rd = models.PositiveIntegerField(_("研发人员"), null=True, blank=True)
    rd_management = models.JSONField(_("研发组织管理"), default=list, blank=True)
    # The intermediary's special audit report (专项审计报告).
    audit_firm = models.CharField(_("审计机构"), max_length=200, blank=True)
    audit_firm_uscc = models.CharField(_("审计机构统一社会信用代码"), max_length=18, blank=True)
    audit_report_number = models.CharField(_("审计报告编号"), max_length=100, blank=True)
    audit_report_date = models.DateField(_("审计报告日期"), null=True, blank=True)
    # Progress and clocks.
    current_step = models.CharField(_("填报进度"), max_length=30, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    review_deadline = models.DateField(_("办理期限"), null=True, blank=True, db_index=True)
    composite_score = models.DecimalField(
        _("综合评分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    review_passed = models.BooleanField(_("评审通过"), null=True, blank=True)
    score_spread_flag = models.BooleanField(_("专家评分差异过大"), default=False)
    # The district's opinion (区县工作小组意见).
    opinion_recommend = models.BooleanField(_("推荐意见"), null=True, blank=True)
    opinion_note = models.TextField(_("意见说明"), blank=True, max_length=2000)
    opinion_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("意见人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opinion_at = models.DateTimeField(_("意见时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Stage dates for the dashboards, derived from the transitions (certification/applications/stage_dates.py): per
    # stage, the Beijing date of the last entry into its first status so far, of the first entry into
    # its second status, and the calendar days between. Not user data: kept out of the history.
    acceptance_started_on = models.DateField(_("受理阶段起始日"), null=True, blank=True, editable=False)
    acceptance_ended_on = models.DateField(_("受理日"), null=True, blank=True, editable=False)
    acceptance_days = models.IntegerField(_("受理用时（天）"), null=True, blank=True, editable=False)
    review_started_on = models.DateField(_("评审阶段起始日"), null=True, blank=True, editable=False)
    review_ended_on = models.DateField(_("评审完成日"), null=True, blank=True, editable=False)
    review_days = models.IntegerField(_("评审用时（天）"), null=True, blank=True, editable=False)
    filing_started_on = models.DateField(_("报备阶段起始日"), null=True, blank=True, editable=False)
    filing_ended_on = models.DateField(_("首次报备日"), null=True, blank=True, editable=False)
    filing_days = models.IntegerField(_("报备用时（天）"), null=True, blank=True, editable=False)
    approval_started_on = models.DateField(_("审核阶段起始日"), null=True, blank=True, editable=False)
    approval_ended_on = models.DateField(_("审核通过日"), null=True, blank=True, editable=False)
    approval_days = models.IntegerField(_("审核用时（天）"), null=True, blank=True, editable=False)
    history = HistoricalRecords(
        excluded_fields=[
            "district",
            *(
                f"{stage}_{part}"
                for stage in ("acceptance", "review", "filing", "approval")
                for part in ("started_on", "ended_on", "days")
            ),
        ]
    )

    class Meta:
        ordering = ["-year", "-created_at"]
        verbose_name = _("认定申请")
        verbose_name_plural = _("认定申请")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year"], name="one_application_per_enterprise_year"
            ),
        ]
        indexes = [
            # The queue's default sort (办理期限, nulls last, then submission), the dashboards' counts by year and
            # status, the queue sorted by submission.
            models.Index(
                fields=["district", "review_deadline", "submitted_at", "id"], name="app_district_deadline"
            ),
            models.Index(fields=["district", "year", "status"], name="app_district_year_status"),
            models.Index(fields=["district", "-submitted_at", "-id"], name="app_district_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name}（{self.year}）"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if self.district_id is None and self.enterprise_id is not None:
            self.district_id = self.enterprise.district_id
        super().save(*args, **kwargs)

    def get_status_display(self) -> str:
        # Django's generic display rebuilds a dictionary of every choice on each call (about 0.1 ms);
        # lists show it on every row.
        member = ApplicationStatus._value2member_map_.get(self.status)
        return str(member.label) if member is not None else str(self.status)

    @property
    def is_editable(self) -> bool:
        from certification.workflow import EDITABLE_STATUSES  # the table imports these models

        return self.status in EDITABLE_STATUSES


class ApplicationFiscalYear(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="fiscal_years")
    year = models.PositiveSmallIntegerField(_("会计年度"))
    sales_revenue = models.DecimalField(_("销售收入"), max_digits=17, decimal_places=2)
    total_revenue = models.DecimalField(_("总收入"), max_digits=17, decimal_places=2)
    hightech_revenue = models.DecimalField(_("高新技术产品（服务）收入"), max_digits=17, decimal_places=2)
    rd_expense = models.DecimalField(_("研究开发费用"), max_digits=17, decimal_places=2)
    rd_expense_domestic = models.DecimalField(_("境内研究开发费用"), max_digits=17, decimal_places=2)
    total_assets = models.DecimalField(_("总资产"), max_digits=17, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year"]
        verbose_name = _("会计年度数据")
        verbose_name_plural = _("会计年度数据")
        constraints = [
            models.UniqueConstraint(fields=["application", "year"], name="one_row_per_fiscal_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}"


class IPKind(models.TextChoices):
    INVENTION_PATENT = "invention_patent", _("发明专利")
    UTILITY_MODEL = "utility_model", _("实用新型专利")
    DESIGN_PATENT = "design_patent", _("外观设计专利")
    SOFTWARE_COPYRIGHT = "software_copyright", _("软件著作权")
    IC_LAYOUT = "ic_layout", _("集成电路布图设计专有权")
    PLANT_VARIETY = "plant_variety", _("植物新品种")
    OTHER = "other", _("其他")


class Acquisition(models.TextChoices):
    SELF_DEVELOPED = "self_developed", _("自主研发")
    TRANSFER = "transfer", _("受让")
    GIFT = "gift", _("受赠")
    MERGER = "merger", _("并购")
    EXCLUSIVE_LICENSE = "exclusive_license", _("独占许可")


class IPItem(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="ip_items")
    kind = models.CharField(_("类型"), max_length=20, choices=IPKind.choices)
    title = models.CharField(_("名称"), max_length=200, blank=True)
    number = models.CharField(_("授权号"), max_length=60, blank=True)
    acquired_on = models.DateField(_("取得日期"))
    acquisition = models.CharField(_("取得方式"), max_length=20, choices=Acquisition.choices)
    licence_years = models.PositiveSmallIntegerField(_("许可年限"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["acquired_on", "id"]
        verbose_name = _("知识产权")
        verbose_name_plural = _("知识产权")

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class Conversion(models.Model):
    """A conversion of S&T results (科技成果转化) in a given year."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conversions")
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("成果名称"), max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "id"]
        verbose_name = _("科技成果转化")
        verbose_name_plural = _("科技成果转化")

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class HighTechProduct(models.Model):
    """A high-tech product or service and its revenue in the latest year (第九条（五）)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="products")
    name = models.CharField(_("产品（服务）名称"), max_length=200)
    technology = models.CharField(_("关键技术"), max_length=300, blank=True)
    revenue = models.DecimalField(_("近一年收入"), max_digits=17, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("高新技术产品（服务）")
        verbose_name_plural = _("高新技术产品（服务）")

    def __str__(self) -> str:
        return self.name


class ApplicationTransition(models.Model):
    """Every status change: who, when, from, to and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("原状态"), max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=ApplicationStatus.choices)
    by = models.ForeignKey(
        "accounts.User", verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.TextField(_("说明"), blank=True, max_length=2000)
    data = models.JSONField(_("附加信息"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


def document_upload_to(instance: Document, filename: str) -> str:
    # Generated names only: the enterprise's file name is kept in `original_name`, never used as a path.
    import uuid

    return f"documents/{instance.application_id}/{uuid.uuid4().hex}.pdf"


class Document(models.Model):
    """An uploaded material of one of the nine kinds of 第十条（2）."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类别"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(_("文件"), upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "uploaded_at"]
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.original_name}"


class Readiness(models.TextChoices):
    READY = "ready", _("条件已满足")
    CLOSE = "close", _("差一项")
    FAR = "far", _("差两项及以上")


class PoolEntry(models.Model):
    """An enterprise in the candidate pool (备选库) with its latest self-assessment."""

    enterprise = models.OneToOneField(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="pool_entry"
    )
    field = models.ForeignKey(
        Field, verbose_name=_("技术领域"), on_delete=models.PROTECT, null=True, blank=True
    )
    payload = models.JSONField(_("自评数据"))
    result = models.JSONField(_("自评结果（市级）"))
    national_result = models.JSONField(_("自评结果（国家级）"))
    eligible = models.BooleanField(_("满足市级条件"), null=True)
    failed_count = models.PositiveSmallIntegerField(_("未满足条件数"), db_index=True)
    national_failed_count = models.PositiveSmallIntegerField(_("未满足国家级条件数"))
    readiness = models.CharField(_("成熟度"), max_length=10, choices=Readiness.choices, db_index=True)
    nominated_by_district = models.BooleanField(_("区县推荐入库"), default=False)
    cultivation = models.BooleanField(_("重点培育"), default=False, db_index=True)
    cultivation_note = models.CharField(_("培育说明"), max_length=200, blank=True)
    joined_at = models.DateTimeField(_("入库时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["failed_count", "-updated_at"]
        verbose_name = _("备选库企业")
        verbose_name_plural = _("备选库")

    def __str__(self) -> str:
        return str(self.enterprise)


class NoticeStatus(models.TextChoices):
    OPEN = "open", _("公示中")
    CLOSED = "closed", _("已结束")


class NoticeKind(models.TextChoices):
    CERTIFICATION = "certification", _("认定公示")
    RENAME = "rename", _("更名公示")


class PublicityNotice(models.Model):
    """A district's public notice, open for 10 working days: of recommended applications (第十条（4）),
    or of a certified enterprise's rename (第十一条, 国科火字〔2011〕123号; one entry naming the change)."""

    district = models.ForeignKey(
        "districts.District", verbose_name=_("区"), on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(
        _("公示类别"),
        max_length=20,
        choices=NoticeKind.choices,
        default=NoticeKind.CERTIFICATION,
        db_index=True,
    )
    title = models.CharField(_("标题"), max_length=200)
    start = models.DateField(_("公示开始"))
    end = models.DateField(_("公示截止"), db_index=True)
    end_confirmed = models.BooleanField(_("截止日期已按官方日历确认"), default=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("结束操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("公示")
        verbose_name_plural = _("公示")

    def __str__(self) -> str:
        return self.title


class EntryOutcome(models.TextChoices):
    PENDING = "pending", _("公示中")
    PASSED = "passed", _("公示通过")
    AWAITING_FINDING = "awaiting_finding", _("异议待核实")
    OBJECTION_UPHELD = "objection_upheld", _("异议成立")


class PublicityEntry(models.Model):
    """One enterprise on a notice. A rename's entry names the change request; its application is the
    certified one (the certificate's), so objections and tracking work alike for both kinds."""

    notice = models.ForeignKey(PublicityNotice, on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="publicity_entries")
    change = models.ForeignKey(
        "certification.ChangeRequest",
        verbose_name=_("更名申请"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publicity_entries",
    )
    outcome = models.CharField(
        _("结果"), max_length=20, choices=EntryOutcome.choices, default=EntryOutcome.PENDING
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["notice", "id"]
        verbose_name = _("公示企业")
        verbose_name_plural = _("公示企业")
        constraints = [
            models.UniqueConstraint(fields=["notice", "application"], name="one_entry_per_application")
        ]

    def __str__(self) -> str:
        return str(self.application)

    @property
    def display_name(self) -> str:
        """The enterprise as the notice names it: a rename shows the old and the proposed name."""
        if self.change_id is not None:
            return _("%(old)s（拟更名为“%(new)s”）") % {
                "old": self.change.old_name,
                "new": self.change.new_name,
            }
        return self.application.enterprise.name


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


def objection_upload_to(instance: Objection, filename: str) -> str:
    import uuid

    return f"objections/{uuid.uuid4().hex}.pdf"


class Objection(models.Model):
    """A real-name objection against one entry of an open notice; the identity is seen only by officials."""

    entry = models.ForeignKey(PublicityEntry, on_delete=models.PROTECT, related_name="objections")
    tracking_number = models.CharField(_("查询编号"), max_length=20, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20)
    reason = models.TextField(_("异议理由"), max_length=5000)
    evidence = models.FileField(_("证明材料"), upload_to=objection_upload_to, blank=True, max_length=200)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN, db_index=True
    )
    finding = models.TextField(_("核实结论"), blank=True, max_length=5000)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("核实人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["phone"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")

    def __str__(self) -> str:
        return self.tracking_number


class CertificateSerial(models.Model):
    """The last serial used per district and year; locked while numbering, so numbers have no gaps."""

    district = models.ForeignKey("districts.District", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="one_serial_per_district_year")
        ]

    def __str__(self) -> str:
        return f"{self.district_id}/{self.year}: {self.last}"


class Certificate(models.Model):
    """The uniform certificate, stamped by the district government, valid three years (第十条（6）)."""

    number = models.CharField(_("证书编号"), max_length=20, unique=True)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="certificate")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="certificates")
    district = models.ForeignKey("districts.District", on_delete=models.PROTECT, related_name="certificates")
    enterprise_name = models.CharField(_("证书上的企业名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    field_name = models.CharField(_("技术领域"), max_length=60)
    issued_on = models.DateField(_("发证日期"))
    valid_until = models.DateField(_("有效期至"), db_index=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    issued_by = models.ForeignKey(
        "accounts.User", verbose_name=_("发证人"), on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.TextField(_("撤销理由"), blank=True, max_length=2000)
    revocation_flag = models.CharField(_("待撤销提示"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("证书")
        verbose_name_plural = _("证书")

    def __str__(self) -> str:
        return self.number


class CertificateVersion(models.Model):
    """Each issued form of a certificate; a rename reissues it with the same number, the old one superseded."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField(_("版本"))
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    issued_at = models.DateTimeField(_("出证时间"), auto_now_add=True)
    reason = models.CharField(_("出证原因"), max_length=200, blank=True)
    superseded_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    # The storage name of the district's seal this form was printed with ("" = the drawn seal): an
    # issued certificate keeps its seal when the district uploads a new one (districts/seals.py).
    seal = models.CharField(_("印章文件"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["certificate", "version"]
        verbose_name = _("证书版本")
        verbose_name_plural = _("证书版本")
        constraints = [models.UniqueConstraint(fields=["certificate", "version"], name="one_row_per_version")]

    def __str__(self) -> str:
        return f"{self.certificate.number} v{self.version}"


from certification.lifecycle.models import *  # noqa: E402,F401,F403
