"""The "四单一库" ledger (《天津市打造科技小巨人升级版股改、上市挂牌、国内外并购实施方案》): enterprises on the
four lists and the reserve, the stages they pass through, the service institutions, and the targets."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Stage(models.TextChoices):
    RESERVE = "reserve", _("后备企业")
    INTENTION = "intention", _("有股改意向")
    REFORMED = "reformed", _("股改完成")
    LISTED = "listed", _("上市/挂牌")
    MERGED_DOMESTIC = "merged_domestic", _("完成国内并购")
    MERGED_FOREIGN = "merged_foreign", _("完成国外并购")


class ListKind(models.TextChoices):
    RESERVE = "reserve", _("后备企业库")
    REFORM = "reform", _("股改单")
    LISTING = "listing", _("上市单")
    MERGER = "merger", _("并购单")


# The list an enterprise is on follows from its stage: one list at a time.
LIST_OF_STAGE = {
    Stage.RESERVE: ListKind.RESERVE,
    Stage.INTENTION: ListKind.REFORM,
    Stage.REFORMED: ListKind.LISTING,
    Stage.LISTED: ListKind.MERGER,
    Stage.MERGED_DOMESTIC: ListKind.MERGER,
    Stage.MERGED_FOREIGN: ListKind.MERGER,
}


class ListingEntry(models.Model):
    """An enterprise on one of the lists (or the reserve), at its current stage."""

    enterprise = models.OneToOneField(
        "certification.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="listing_entry",
    )
    list_kind = models.CharField(_("名单"), max_length=10, choices=ListKind.choices, db_index=True)
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices, db_index=True)
    note = models.TextField(_("备注"), blank=True, max_length=1000)
    added_by = models.ForeignKey(
        "accounts.User", verbose_name=_("列入人"), on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("列入时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-added_at", "-id"]
        verbose_name = _("四单一库企业")
        verbose_name_plural = _("四单一库企业")

    def __str__(self) -> str:
        return str(self.enterprise)

    @property
    def status(self) -> str:  # what workflow.check_pair reads
        return self.stage

    def get_status_display(self) -> str:
        return str(Stage(self.stage).label)


class StageEvent(models.Model):
    """One recorded move of an entry from one stage to the next, with its date and evidence."""

    entry = models.ForeignKey(ListingEntry, on_delete=models.CASCADE, related_name="events")
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=Stage.choices, db_index=True)
    happened_on = models.DateField(_("日期"), db_index=True)
    market = models.CharField(_("上市板块/挂牌市场"), max_length=50, blank=True)
    evidence = models.FileField(_("证明材料（PDF）"), upload_to="listings/", blank=True, max_length=200)
    reference = models.CharField(_("证明材料说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name = _("阶段记录")
        verbose_name_plural = _("阶段记录")

    def __str__(self) -> str:
        return f"{self.entry} {self.get_to_stage_display()} {self.happened_on}"


class InstitutionKind(models.TextChoices):
    BROKER = "broker", _("证券公司")
    LAW = "law", _("律师事务所")
    ACCOUNTING = "accounting", _("会计师事务所")
    OTHER = "other", _("其他服务机构")


class Institution(models.Model):
    """服务机构单: brokers, law firms and accounting firms serving the listed and reforming enterprises."""

    name = models.CharField(_("机构名称"), max_length=200, unique=True)
    kind = models.CharField(_("机构类别"), max_length=12, choices=InstitutionKind.choices)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("服务机构")
        verbose_name_plural = _("服务机构")

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """A year's target: the city's (no district) or a district's, set by the municipal office."""

    year = models.PositiveSmallIntegerField(_("年度"))
    district = models.ForeignKey(
        "districts.District",
        verbose_name=_("区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reformed = models.PositiveIntegerField(_("股改目标"), default=0)
    listed = models.PositiveIntegerField(_("上市挂牌目标"), default=0)
    merged_domestic = models.PositiveIntegerField(_("国内并购目标"), default=0)
    merged_foreign = models.PositiveIntegerField(_("国外并购目标"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "district__code"]
        verbose_name = _("四单一库目标")
        verbose_name_plural = _("四单一库目标")
        constraints = [
            models.UniqueConstraint(fields=["year", "district"], name="listings_target_year_district"),
            models.UniqueConstraint(
                fields=["year"], condition=models.Q(district__isnull=True), name="listings_target_city_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.district or ''}".strip()


class PeriodTarget(models.Model):
    """The city's cumulative target over several years (总体目标: to 2020, 750 reformed, 400 listed, 100 + 100
    M&A), kept by the office; the yearly minima are the city's yearly ``Target`` rows."""

    start_year = models.PositiveSmallIntegerField(_("起始年度"), unique=True)
    end_year = models.PositiveSmallIntegerField(_("截止年度"))
    reformed = models.PositiveIntegerField(_("股改目标"), default=0)
    listed = models.PositiveIntegerField(_("上市挂牌目标"), default=0)
    merged_domestic = models.PositiveIntegerField(_("国内并购目标"), default=0)
    merged_foreign = models.PositiveIntegerField(_("国外并购目标"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_year"]
        verbose_name = _("四单一库阶段目标")
        verbose_name_plural = _("四单一库阶段目标")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")), name="listings_period_target_years"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start_year}–{self.end_year}"


class ActivityKind(models.TextChoices):
    TRAINING = "training", _("集中培训")
    ROADSHOW = "roadshow", _("融资路演对接")


# 主要工作内容（一）每月组织一次集中培训；（二）每年举办三次科技型企业融资路演对接活动.
YEARLY_ACTIVITY_TARGETS = {ActivityKind.TRAINING: 12, ActivityKind.ROADSHOW: 3}


class Activity(models.Model):
    """A training or a financing roadshow (主要工作内容（一）（二）), organised by the municipal office
    (no district) or by a district's working group (四（一）: the districts' trainings count in their
    assessment), with the enterprises and institutions that attended (``Attendance``)."""

    kind = models.CharField(_("活动类别"), max_length=10, choices=ActivityKind.choices, db_index=True)
    held_on = models.DateField(_("举办日期"), db_index=True)
    topic = models.CharField(_("主题"), max_length=200)
    speakers = models.JSONField(_("主讲人"), default=list, blank=True)
    place = models.CharField(_("地点"), max_length=200)
    head_count = models.PositiveIntegerField(_("参加人数"))
    district = models.ForeignKey(
        "districts.District",
        verbose_name=_("组织区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("培训与路演活动")
        verbose_name_plural = _("培训与路演活动")

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()} {self.topic}"


class Attendance(models.Model):
    """One enterprise or one institution that attended an activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendances")
    enterprise = models.ForeignKey(
        "certification.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listing_attendances",
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("服务机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendances",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("参加单位")
        verbose_name_plural = _("参加单位")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=True) ^ models.Q(institution__isnull=True),
                name="listings_attendance_one_party",
            ),
            models.UniqueConstraint(
                fields=["activity", "enterprise"],
                condition=models.Q(enterprise__isnull=False),
                name="listings_attendance_enterprise_once",
            ),
            models.UniqueConstraint(
                fields=["activity", "institution"],
                condition=models.Q(institution__isnull=False),
                name="listings_attendance_institution_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.enterprise or self.institution)
