from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ExpertKind(models.TextChoices):
    TECHNICAL = "technical", _("技术专家")
    FINANCIAL = "financial", _("财务专家")


class Expert(models.Model):
    """A member of the expert pool (专家库)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert")
    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("类别"), max_length=10, choices=ExpertKind.choices)
    title = models.CharField(_("高级职称"), max_length=50)
    fields = models.ManyToManyField(
        "certification.Field", verbose_name=_("专业领域"), blank=True, related_name="experts"
    )
    employer = models.CharField(_("工作单位"), max_length=200)
    employer_uscc = models.CharField(_("工作单位统一社会信用代码"), max_length=18, blank=True)
    active = models.BooleanField(_("在库"), default=True)
    yearly_cap = models.PositiveSmallIntegerField(_("年度评审上限"), default=20)
    history = HistoricalRecords(m2m_fields=[fields])

    class Meta:
        ordering = ["name"]
        verbose_name = _("专家")
        verbose_name_plural = _("专家")

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class ExpertRelation(models.Model):
    """An enterprise the expert declares a relation with (第十三条 回避): never drawn for its applications."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="relations")
    uscc = models.CharField(_("企业统一社会信用代码"), max_length=18)
    enterprise_name = models.CharField(_("企业名称"), max_length=200, blank=True)
    note = models.CharField(_("关系说明"), max_length=200, blank=True)
    declared_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uscc"]
        verbose_name = _("回避关系")
        verbose_name_plural = _("回避关系")
        constraints = [
            models.UniqueConstraint(fields=["expert", "uscc"], name="one_relation_per_expert_uscc")
        ]

    def __str__(self) -> str:
        return f"{self.expert.name} — {self.uscc}"


class Pledge(models.Model):
    """The confidentiality pledge (第十三条), signed once a year before any material can be opened."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="pledges")
    year = models.PositiveSmallIntegerField(_("年度"))
    text_version = models.CharField(_("承诺书版本"), max_length=20, default="2015-1")
    signed_at = models.DateTimeField(_("签署时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("保密承诺")
        verbose_name_plural = _("保密承诺")
        constraints = [models.UniqueConstraint(fields=["expert", "year"], name="one_pledge_per_expert_year")]

    def __str__(self) -> str:
        return f"{self.expert.name} {self.year}"


class ReviewMode(models.TextChoices):
    ONLINE = "online", _("在线评分")
    MEETING = "meeting", _("现场评审会")


class Draw(models.Model):
    """A reproducible random draw of an application's expert panel (docs/domain.md “Expert review”)."""

    application = models.ForeignKey(
        "certification.Application", on_delete=models.PROTECT, related_name="draws"
    )
    seed = models.CharField(_("随机种子"), max_length=64)
    algorithm_version = models.CharField(_("算法版本"), max_length=20)
    rules = models.JSONField(_("抽取规则"))
    eligible_ids = models.JSONField(_("可抽取专家"))
    excluded = models.JSONField(_("排除的专家及原因"))
    panel = models.JSONField(_("评审组"))
    alternates = models.JSONField(_("候补专家"))
    mode = models.CharField(
        _("评审方式"), max_length=10, choices=ReviewMode.choices, default=ReviewMode.ONLINE
    )
    meeting_date = models.DateField(_("评审会日期"), null=True, blank=True)
    meeting_place = models.CharField(_("评审会地点"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("抽取人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)
    # A draw's record is written once and never changed: its history row states who drew and when; the
    # eligible pool and the exclusions (tens of KB at 10,000 experts) live in the record alone, not twice.
    history = HistoricalRecords(excluded_fields=["eligible_ids", "excluded"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("专家抽取")
        verbose_name_plural = _("专家抽取")

    def __str__(self) -> str:
        return f"{self.application} #{self.pk}"


class ReviewStatus(models.TextChoices):
    ASSIGNED = "assigned", _("待评分")
    SUBMITTED = "submitted", _("已提交")
    DECLINED = "declined", _("已回避")


class DeclineCause(models.TextChoices):
    """Why a review left the panel (its expert replaced from the alternates, when one was left)."""

    DECLINED = "declined", _("专家回避")
    ABSENT = "absent", _("未到会")
    OVERDUE = "overdue", _("逾期未评分，区县更换")


class ScoreSource(models.TextChoices):
    ONLINE = "online", _("专家在线提交")
    SHEET = "sheet", _("评分表录入")


def review_sheet_upload_to(instance: "Review", filename: str) -> str:
    # Generated names only: the official's file name is never part of the path.
    import uuid

    return f"sheets/{instance.application_id}/{uuid.uuid4().hex}.pdf"


class Review(models.Model):
    """One expert's assignment on one application's panel, and the scores given."""

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="reviews")
    application = models.ForeignKey(
        "certification.Application", on_delete=models.PROTECT, related_name="reviews"
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(_("专家类别"), max_length=10, choices=ExpertKind.choices)
    chair = models.BooleanField(_("组长"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.ASSIGNED, db_index=True
    )
    due_on = models.DateField(_("评分期限"), null=True, blank=True, db_index=True)
    # Points per indicator (docs/domain.md composite score); technical experts the first three, financial growth.
    ip = models.DecimalField(_("核心自主知识产权"), max_digits=4, decimal_places=1, null=True, blank=True)
    conversion = models.DecimalField(
        _("科技成果转化能力"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    rd_management = models.DecimalField(
        _("研究开发组织管理水平"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    growth = models.DecimalField(_("成长性"), max_digits=4, decimal_places=1, null=True, blank=True)
    out_of_band_reasons = models.JSONField(_("超出建议档次的理由"), default=dict, blank=True)
    comment = models.TextField(_("评审意见"), blank=True, max_length=5000)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    declined_reason = models.CharField(_("回避理由"), max_length=300, blank=True)
    decline_cause = models.CharField(_("更换原因"), max_length=10, choices=DeclineCause.choices, blank=True)
    declined_at = models.DateTimeField(_("更换时间"), null=True, blank=True)
    declined_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("办理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    replaced_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaces"
    )
    source = models.CharField(
        _("来源"), max_length=10, choices=ScoreSource.choices, default=ScoreSource.ONLINE
    )
    entered_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    present = models.BooleanField(_("到会"), null=True, blank=True)
    # The signed paper score sheet of a meeting (现场评审会), scanned; checked like every upload.
    sheet = models.FileField(_("评分表扫描件"), upload_to=review_sheet_upload_to, blank=True, max_length=200)
    sheet_sha256 = models.CharField(max_length=64, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application", "-chair", "kind", "id"]
        verbose_name = _("专家评审")
        verbose_name_plural = _("专家评审")
        constraints = [
            models.UniqueConstraint(fields=["draw", "expert"], name="one_review_per_expert_per_draw"),
        ]

    def __str__(self) -> str:
        return f"{self.expert.name} → {self.application}"


class ScoreReopening(models.Model):
    """The district reopened one expert's submitted score, with a reason, before its opinion.

    The review goes back to ``assigned``; ``previous`` keeps the points as they were
    (``{indicator: "24.0"}``); when the expert submits again, every changed indicator becomes a
    ``ScoreAmendment`` pointing here (old, new, this reason, who reopened) and ``resubmitted_at`` is set.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reopenings")
    reason = models.TextField(_("重新开放理由"), max_length=1000)
    previous = models.JSONField(_("原评分"), default=dict)
    by = models.ForeignKey(
        "accounts.User", verbose_name=_("重新开放人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("重新开放时间"), auto_now_add=True)
    resubmitted_at = models.DateTimeField(_("重新提交时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("评分重新开放")
        verbose_name_plural = _("评分重新开放")

    def __str__(self) -> str:
        return f"{self.review} @ {self.at:%Y-%m-%d}"


class ScoreAmendment(models.Model):
    """A change to a locked score: the old and new points and the reason are kept.

    Since scores are sealed, an amendment comes from a resubmission after the district reopened the
    score (``reopening``), or from the district correcting a paper score sheet it entered itself.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="amendments")
    indicator = models.CharField(_("指标"), max_length=20)
    old_points = models.DecimalField(_("原分值"), max_digits=4, decimal_places=1, null=True)
    new_points = models.DecimalField(_("新分值"), max_digits=4, decimal_places=1)
    reason = models.TextField(_("理由"), max_length=1000)
    by = models.ForeignKey(
        "accounts.User", verbose_name=_("修改人"), on_delete=models.PROTECT, related_name="+"
    )
    reopening = models.ForeignKey(
        ScoreReopening,
        verbose_name=_("重新开放"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at"]
        verbose_name = _("评分修正")
        verbose_name_plural = _("评分修正")

    def __str__(self) -> str:
        return f"{self.review} {self.indicator}: {self.old_points} → {self.new_points}"
