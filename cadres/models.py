"""The cadre help ledger (帮扶台账) of 《打造科技小巨人升级版干部帮扶工作实施方案(2016-2020)》.

The municipal office keeps the help lists; each listed enterprise gets one cadre for two years; the
cadre records the needs survey, the goals (一企一策) and the help given; the enterprise enters its
half-year development data; each half-year's ledger goes cadre → district review → municipal filing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

YEAR_VALIDATORS = [MinValueValidator(2015), MaxValueValidator(2100)]


class HelpList(models.TextChoices):
    # 实施方案 二(一)2: 350 enterprises aiming above 1 bn yuan, 1,000 above 500 million.
    BILLION = "billion", _("百亿元级（营业收入超 10 亿元）名单")
    HALF_BILLION = "half_billion", _("五亿元级（营业收入超 5 亿元）名单")


class CadreLevel(models.TextChoices):
    # 实施方案 二(一)3: bureau-level (局级) and division-level (处级) leading cadres; the key enterprises'
    # cadre of a municipal department is a bureau-level one (Cadre.municipal_unit says where they work).
    BUREAU = "bureau", _("局级干部")
    DIVISION = "division", _("处级干部")


class AssignmentKind(models.TextChoices):
    PRIMARY = "primary", _("帮扶干部")
    DEPARTMENT = "department", _("重点企业市有关部门局级干部")


class Half(models.TextChoices):
    FIRST = "h1", _("上半年")
    YEAR = "year", _("全年")


class LedgerStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待企业确认")
    CONFIRMED = "confirmed", _("企业已确认，待区县审核")
    DISTRICT_REVIEWED = "district_reviewed", _("区县已审核")
    RETURNED = "returned", _("已退回")
    FILED = "filed", _("市级已备案")


class Cadre(models.Model):
    """A cadre's level and unit: the level decides which list they may help (实施方案 二(一)3)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="cadre_profile",
    )
    level = models.CharField(_("干部级别"), max_length=20, choices=CadreLevel.choices)
    unit = models.CharField(_("所在单位"), max_length=100)
    # 实施方案 二(一)3: the 70 key enterprises get a bureau-level cadre "of the municipal departments and
    # units" (市有关部门和单位), as against a district's cadre.
    municipal_unit = models.BooleanField(_("市有关部门和单位干部"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("帮扶干部")
        verbose_name_plural = _("帮扶干部")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_level_display()})"


class HelpListEntry(models.Model):
    """An enterprise on one of the help lists, kept by the municipal office (实施方案 二(一)2)."""

    enterprise = models.OneToOneField(
        "certification.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="help_entry",
    )
    help_list = models.CharField(_("帮扶名单"), max_length=20, choices=HelpList.choices)
    is_key = models.BooleanField(_("重点企业"), default=False)
    year_added = models.PositiveSmallIntegerField(_("列入年度"), validators=YEAR_VALIDATORS)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["help_list", "enterprise__name"]
        verbose_name = _("帮扶名单企业")
        verbose_name_plural = _("帮扶名单企业")

    def __str__(self) -> str:
        return f"{self.enterprise} ({self.get_help_list_display()})"


class Assignment(models.Model):
    """One cadre for one enterprise, one-to-one, for two years (实施方案 二(一)3).

    One-to-one holds during the two years: the services refuse a pairing whose period overlaps another
    of the same cadre, or of the same enterprise and kind; once a pairing has ended, a new one may start
    (the old row stays, with its history). Periods are [starts_on, ends_on).
    """

    entry = models.ForeignKey(
        HelpListEntry, verbose_name=_("帮扶企业"), on_delete=models.CASCADE, related_name="assignments"
    )
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮扶干部"),
        on_delete=models.PROTECT,
        related_name="cadre_assignments",
    )
    kind = models.CharField(_("帮扶类型"), max_length=20, choices=AssignmentKind.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("指派人"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["entry__enterprise__name", "kind"]
        verbose_name = _("帮扶结对")
        verbose_name_plural = _("帮扶结对")
        constraints = [
            models.CheckConstraint(
                name="assignment_ends_after_start", condition=Q(ends_on__gt=models.F("starts_on"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre} → {self.entry.enterprise}"


class NeedsSurvey(models.Model):
    """The needs survey (需求调查) of one enterprise in the six areas, and the bottlenecks (实施方案 二(二)1)."""

    entry = models.OneToOneField(
        HelpListEntry, verbose_name=_("帮扶企业"), on_delete=models.CASCADE, related_name="survey"
    )
    technology = models.TextField(_("技术创新需求"), max_length=2000, blank=True)
    high_tech = models.TextField(_("高新技术企业培育需求"), max_length=2000, blank=True)
    talent = models.TextField(_("人才需求"), max_length=2000, blank=True)
    business_model = models.TextField(_("商业模式创新需求"), max_length=2000, blank=True)
    mergers = models.TextField(_("兼并重组需求"), max_length=2000, blank=True)
    financing = models.TextField(_("投融资需求"), max_length=2000, blank=True)
    bottlenecks = models.TextField(_("发展瓶颈"), max_length=2000, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填写人"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("需求调查")
        verbose_name_plural = _("需求调查")

    def __str__(self) -> str:
        return str(self.entry.enterprise)


SURVEY_AREAS = ("technology", "high_tech", "talent", "business_model", "mergers", "financing")


class Goal(models.Model):
    """一企一策: a yearly goal, or the five-year goal (``year`` empty) of one enterprise."""

    entry = models.ForeignKey(
        HelpListEntry, verbose_name=_("帮扶企业"), on_delete=models.CASCADE, related_name="goals"
    )
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True, validators=YEAR_VALIDATORS)
    text = models.TextField(_("目标"), max_length=2000)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填写人"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = [models.F("year").asc(nulls_last=True)]
        verbose_name = _("帮扶目标")
        verbose_name_plural = _("帮扶目标")
        constraints = [
            models.UniqueConstraint(fields=["entry", "year"], name="one_goal_per_year"),
            models.UniqueConstraint(
                fields=["entry"], condition=Q(year__isnull=True), name="one_five_year_goal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry.enterprise} {self.year or _('五年')}"


class HelpRecord(models.Model):
    """One act of help, added by the cadre at any time (实施方案 二(二)3)."""

    entry = models.ForeignKey(
        HelpListEntry, verbose_name=_("帮扶企业"), on_delete=models.CASCADE, related_name="records"
    )
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮扶干部"),
        on_delete=models.PROTECT,
        related_name="help_records",
    )
    helped_on = models.DateField(_("帮扶日期"))
    method = models.CharField(_("帮扶方式"), max_length=100)
    channel = models.CharField(_("帮扶渠道"), max_length=100)
    measures = models.TextField(_("帮扶措施"), max_length=2000)
    effect = models.TextField(_("帮扶效果"), max_length=2000, blank=True)
    hours = models.DecimalField(_("帮扶时长（小时）"), max_digits=5, decimal_places=1)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-helped_on", "-pk"]
        verbose_name = _("帮扶记录")
        verbose_name_plural = _("帮扶记录")
        constraints = [
            models.CheckConstraint(name="help_hours_positive", condition=Q(hours__gt=0) & Q(hours__lte=240)),
        ]

    def __str__(self) -> str:
        return f"{self.entry.enterprise} {self.helped_on}"


class DevelopmentData(models.Model):
    """The enterprise's half-year development data (实施方案 二(二)4): economic and S&T indicators.

    Amounts are in 10,000 yuan (万元), counts are whole numbers.
    """

    entry = models.ForeignKey(
        HelpListEntry, verbose_name=_("帮扶企业"), on_delete=models.CASCADE, related_name="development"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    half = models.CharField(_("期间"), max_length=4, choices=Half.choices)
    # Economic development (经济发展指标), 万元 and persons.
    revenue = models.DecimalField(_("营业收入（万元）"), max_digits=14, decimal_places=2)
    profit = models.DecimalField(_("利润总额（万元）"), max_digits=14, decimal_places=2)
    tax = models.DecimalField(_("上缴税金（万元）"), max_digits=14, decimal_places=2)
    rd_spending = models.DecimalField(_("研发投入（万元）"), max_digits=14, decimal_places=2)
    employees = models.PositiveIntegerField(_("从业人员（人）"))
    # Science and technology innovation (科技创新指标).
    patents = models.PositiveIntegerField(_("有效专利（件）"))
    invention_patents = models.PositiveIntegerField(_("发明专利（件）"))
    rd_staff = models.PositiveIntegerField(_("研发人员（人）"))
    new_products = models.PositiveIntegerField(_("新产品（项）"))
    high_tech_revenue = models.DecimalField(_("高新技术产品收入（万元）"), max_digits=14, decimal_places=2)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("填报时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "half"]
        verbose_name = _("企业发展数据")
        verbose_name_plural = _("企业发展数据")
        constraints = [
            models.UniqueConstraint(fields=["entry", "year", "half"], name="one_development_data_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.entry.enterprise} {self.year} {self.get_half_display()}"


ECONOMIC_FIELDS = ("revenue", "profit", "tax", "rd_spending", "employees")
SCIENCE_FIELDS = ("patents", "invention_patents", "rd_staff", "new_products", "high_tech_revenue")


class Ledger(models.Model):
    """One enterprise's help ledger for one half-year; its status follows workflow.LEDGER_PAIRS."""

    entry = models.ForeignKey(
        HelpListEntry, verbose_name=_("帮扶企业"), on_delete=models.CASCADE, related_name="ledgers"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    half = models.CharField(_("期间"), max_length=4, choices=Half.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=LedgerStatus.choices, default=LedgerStatus.DRAFT
    )
    summary = models.TextField(_("半年帮扶小结"), max_length=4000, blank=True)
    note = models.TextField(_("审核意见"), max_length=2000, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后操作人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    changed_at = models.DateTimeField(_("最后操作时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-half", "entry__enterprise__name"]
        verbose_name = _("半年帮扶台账")
        verbose_name_plural = _("半年帮扶台账")
        constraints = [
            models.UniqueConstraint(fields=["entry", "year", "half"], name="one_ledger_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.entry.enterprise} {self.year} {self.get_half_display()}"


class Training(models.Model):
    """A training session or lecture (大讲堂) for the helped enterprises (实施方案 二(二)5: two a month,
    at least 24 a year)."""

    held_on = models.DateField(_("日期"))
    topic = models.CharField(_("主题"), max_length=200)
    speaker = models.CharField(_("主讲人"), max_length=100)
    attendance = models.PositiveIntegerField(_("参加人数"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("培训和大讲堂")
        verbose_name_plural = _("培训和大讲堂")

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class Evaluation(models.Model):
    """The enterprise's evaluation of its cadre (企业评价, 实施方案 二(一)4 and 二(二)3): once per period."""

    entry = models.ForeignKey(
        HelpListEntry, verbose_name=_("帮扶企业"), on_delete=models.CASCADE, related_name="evaluations"
    )
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮扶干部"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    half = models.CharField(_("期间"), max_length=4, choices=Half.choices)
    score = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(_("评价"), max_length=2000, blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评价人"), on_delete=models.PROTECT, related_name="+"
    )
    evaluated_at = models.DateTimeField(_("评价时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-half"]
        verbose_name = _("企业评价")
        verbose_name_plural = _("企业评价")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "cadre", "year", "half"], name="one_evaluation_per_period"
            ),
            models.CheckConstraint(
                name="evaluation_score_1_to_5", condition=Q(score__gte=1) & Q(score__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry.enterprise} → {self.cadre} {self.year} {self.half}"


# --- The assessment of cadres (考核, 《关于在打造科技小巨人升级版中加强考核工作的实施意见》) -------------


class IndicatorSource(models.TextChoices):
    """Where an indicator's score comes from: the ledger's data, or the organisation department's hand."""

    RECORDS = "records", _("帮扶次数（台账自动计算）")
    HOURS = "hours", _("帮扶时长（台账自动计算）")
    CASES = "cases", _("帮扶案例：有效果的帮扶记录数（台账自动计算）")
    EVALUATION = "evaluation", _("企业评价（台账自动计算）")
    LEDGERS = "ledgers", _("台账按时备案（台账自动计算）")
    MANUAL = "manual", _("组织部门评分")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    FINALISED = "finalised", _("已定稿")


class AssessmentSheet(models.Model):
    """The year's scoring sheet (考核指标体系, 实施方案 三(一)1: 百分制), configured by the office or the
    organisation department; read-only once an assessment uses it."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True, validators=YEAR_VALIDATORS)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("考核评分表")
        verbose_name_plural = _("考核评分表")

    def __str__(self) -> str:
        return f"{self.year}"


class Indicator(models.Model):
    """One line of a scoring sheet: its maximum score (points out of 100) and where the score comes from.

    A computed indicator earns its maximum at ``full_at`` (records, hours or cases in a half-year; an
    annual assessment needs twice as many); the evaluation scores maximum × average/5; the ledgers
    maximum × the share of the period's ledgers filed and submitted by their deadline.
    """

    sheet = models.ForeignKey(
        AssessmentSheet, verbose_name=_("评分表"), on_delete=models.CASCADE, related_name="indicators"
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("指标名称"), max_length=100)
    max_score = models.PositiveSmallIntegerField(
        _("满分"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    source = models.CharField(_("来源"), max_length=20, choices=IndicatorSource.choices)
    full_at = models.DecimalField(
        _("满分标准（半年）"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["sheet", "position"]
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "position"], name="one_indicator_per_position"),
            models.UniqueConstraint(fields=["sheet", "name"], name="indicator_names_unique_in_sheet"),
            models.CheckConstraint(
                name="indicator_max_1_to_100", condition=Q(max_score__gte=1) & Q(max_score__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.max_score})"

    @property
    def is_manual(self) -> bool:
        return self.source == IndicatorSource.MANUAL


class Assessment(models.Model):
    """A cadre's half-yearly (``half=h1``) or annual (``half=year``) assessment (考核意见 三1、三2);
    its status follows workflow.ASSESSMENT_PAIRS; a finalised one is read-only."""

    sheet = models.ForeignKey(
        AssessmentSheet, verbose_name=_("评分表"), on_delete=models.PROTECT, related_name="assessments"
    )
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("帮扶干部"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    entry = models.ForeignKey(
        HelpListEntry, verbose_name=_("帮扶企业"), on_delete=models.PROTECT, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    half = models.CharField(_("考核期间"), max_length=4, choices=Half.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=1, default=0)
    note = models.TextField(_("考核意见"), max_length=2000, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("考核人"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("最后操作时间"), auto_now=True)
    finalised_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-half", "-total", "cadre__username"]
        verbose_name = _("干部考核")
        verbose_name_plural = _("干部考核")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "year", "half"], name="one_assessment_per_period"),
            models.CheckConstraint(
                name="assessment_total_0_to_100", condition=Q(total__gte=0) & Q(total__lte=100)
            ),
        ]
        indexes = [models.Index(fields=["year", "half", "status", "-total"], name="assessment_ranking")]

    def __str__(self) -> str:
        return f"{self.cadre} {self.year} {self.get_half_display()}"


class AssessmentScore(models.Model):
    """One indicator's score in one assessment: ``measure`` is the ledger's figure of a computed one;
    a hand-scored one stays empty (``score`` null) until the organisation department scores it."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("干部考核"), on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("考核指标"), on_delete=models.PROTECT, related_name="+"
    )
    measure = models.DecimalField(_("台账数据"), max_digits=8, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=4, decimal_places=1, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator__position"]
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="one_score_per_indicator"),
            models.CheckConstraint(
                name="assessment_score_not_negative", condition=Q(score__isnull=True) | Q(score__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} {self.indicator.name}"
