"""The municipal office's own records: yearly targets, public reports (举报) and supervision checks.

Filing decisions (审核检查 of district filings) write to `districts.FilingEntry`; these models hold what
the office itself sets (targets), what the public reports about certified enterprises and what the
office checks (监督检查). Every write goes through :mod:`audits.services.office`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Target(models.Model):
    """A district's target for one year, set by the municipal office (docs/domain.md “Targets”)."""

    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2015), MaxValueValidator(2100)]
    )
    district = models.ForeignKey(
        "districts.District", verbose_name=_("区"), on_delete=models.PROTECT, related_name="targets"
    )
    certified_target = models.PositiveIntegerField(_("认定企业目标数"))
    pool_target = models.PositiveIntegerField(_("备选库企业目标数"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("设定人"), on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(_("设定时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "district__code"]
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        constraints = [
            models.UniqueConstraint(fields=["year", "district"], name="one_target_per_district_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.district}"


class ReportStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    UPHELD = "upheld", _("举报属实")
    DISMISSED = "dismissed", _("举报不属实")


def report_upload_to(instance: Report, filename: str) -> str:
    # Generated names only: the reporter's file name is never used as a path.
    return f"reports/{uuid.uuid4().hex}.pdf"


class Report(models.Model):
    """A real-name report (举报) from the public about a certified enterprise, handled by its district."""

    certificate = models.ForeignKey(
        "certification.Certificate", verbose_name=_("证书"), on_delete=models.PROTECT, related_name="reports"
    )
    enterprise = models.ForeignKey(
        "certification.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="reports"
    )
    # The certificate's district, kept on the row: every list of reports is per district.
    district = models.ForeignKey(
        "districts.District", verbose_name=_("区"), on_delete=models.PROTECT, related_name="reports"
    )
    tracking_number = models.CharField(_("查询编号"), max_length=20, unique=True)
    reporter_name = models.CharField(_("举报人姓名"), max_length=50)
    reporter_phone = models.CharField(_("举报人联系电话"), max_length=20)
    reason = models.TextField(_("举报事项"), max_length=5000)
    evidence = models.FileField(_("证明材料"), upload_to=report_upload_to, blank=True, max_length=200)
    evidence_sha256 = models.CharField(_("证明材料 SHA-256"), max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN, db_index=True
    )
    finding = models.TextField(_("核查结论"), blank=True, max_length=5000)
    certificate_revoked = models.BooleanField(_("据此撤销证书"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("举报时间"), auto_now_add=True, db_index=True)
    # The phone number stays out of the history tables (as for objections): only the row holds it.
    history = HistoricalRecords(excluded_fields=["reporter_phone"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("举报")
        verbose_name_plural = _("举报")

    def __str__(self) -> str:
        return self.tracking_number


class CheckKind(models.TextChoices):
    DISTRICT_WORK = "district_work", _("区县工作检查")
    SPOT_CHECK = "spot_check", _("企业随机抽查")


class CheckStatus(models.TextChoices):
    PLANNED = "planned", _("待检查")
    DONE = "done", _("已完成")


class ReplayableDraw(models.Model):
    """What every random draw keeps so that an auditor can replay it: the seed, the algorithm's version,
    who drew and when. Subclasses add what was drawn from and what was chosen."""

    seed = models.CharField(_("随机种子"), max_length=64)
    algorithm_version = models.CharField(_("算法版本"), max_length=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("抽取人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


class SpotCheckDraw(ReplayableDraw):
    """One random draw of certified enterprises for spot checks; re-running it gives the same choice.

    The seed, the algorithm version and the eligible certificates at the time of the draw are kept,
    so an auditor can replay it (:func:`audits.services.office.spot_check_replay`).
    """

    year = models.PositiveSmallIntegerField(_("年度"))
    count = models.PositiveSmallIntegerField(_("抽查数量"))
    eligible_ids = models.JSONField(_("可抽取证书"))
    chosen_ids = models.JSONField(_("抽中证书"))
    scheduled_on = models.DateField(_("计划检查日期"))
    history = HistoricalRecords()

    class Meta(ReplayableDraw.Meta):
        verbose_name = _("随机抽查抽取")
        verbose_name_plural = _("随机抽查抽取")

    def __str__(self) -> str:
        return f"{self.year} #{self.pk}"


class SupervisionCheck(models.Model):
    """A check (监督检查) of a district's work or of one certified enterprise, planned and then recorded."""

    kind = models.CharField(_("检查类型"), max_length=20, choices=CheckKind.choices)
    district = models.ForeignKey(
        "districts.District", verbose_name=_("区"), on_delete=models.PROTECT, related_name="checks"
    )
    certificate = models.ForeignKey(
        "certification.Certificate",
        verbose_name=_("证书"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checks",
    )
    draw = models.ForeignKey(
        SpotCheckDraw,
        verbose_name=_("随机抽取"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checks",
    )
    subject = models.CharField(_("检查事项"), max_length=200)
    scheduled_on = models.DateField(_("计划检查日期"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=CheckStatus.choices, default=CheckStatus.PLANNED, db_index=True
    )
    result = models.CharField(_("检查结果"), max_length=200, blank=True)
    findings = models.TextField(_("发现的问题及处理意见"), blank=True, max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("安排人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("安排时间"), auto_now_add=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    done_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scheduled_on", "id"]
        verbose_name = _("监督检查")
        verbose_name_plural = _("监督检查")
        constraints = [
            models.CheckConstraint(
                name="spot_check_has_certificate",
                condition=~models.Q(kind="spot_check") | models.Q(certificate__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.district} {self.scheduled_on}"


class FilingSample(ReplayableDraw):
    """A random sample of one district filing's entries for a deeper check (审核检查 抽查).

    Like :class:`SpotCheckDraw`: the seed, the algorithm version and the entries drawn from are kept,
    so the sample can be replayed (:func:`audits.services.filing_sample_replay`).
    """

    filing = models.ForeignKey(
        "districts.Filing", verbose_name=_("报备"), on_delete=models.PROTECT, related_name="samples"
    )
    size = models.PositiveSmallIntegerField(_("抽查数量"))
    eligible_ids = models.JSONField(_("可抽取的报备企业"))
    chosen_ids = models.JSONField(_("抽中的报备企业"))
    history = HistoricalRecords()

    class Meta(ReplayableDraw.Meta):
        verbose_name = _("报备抽查")
        verbose_name_plural = _("报备抽查")

    def __str__(self) -> str:
        return f"{self.filing} #{self.pk}"


class FilingSampleCheck(models.Model):
    """The deeper check of one sampled entry: pending until the office records its result."""

    sample = models.ForeignKey(FilingSample, on_delete=models.CASCADE, related_name="checks")
    entry = models.ForeignKey(
        "districts.FilingEntry",
        verbose_name=_("报备企业"),
        on_delete=models.PROTECT,
        related_name="sample_checks",
    )
    passed = models.BooleanField(_("检查结果"), null=True, blank=True)  # None: not checked yet
    result = models.TextField(_("检查情况"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sample", "id"]
        verbose_name = _("报备抽查企业")
        verbose_name_plural = _("报备抽查企业")
        constraints = [
            models.UniqueConstraint(fields=["sample", "entry"], name="one_check_per_sampled_entry")
        ]

    def __str__(self) -> str:
        return f"{self.sample} {self.entry}"


class AnnouncementStatus(models.TextChoices):
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤下")


class Announcement(models.Model):
    """A notice (通知公告) the municipal office publishes on the home page: calls for applications,
    deadlines, changes of procedure. Withdrawn notices stay, with their history, but leave the site."""

    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), max_length=10000)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=AnnouncementStatus.choices,
        default=AnnouncementStatus.PUBLISHED,
        db_index=True,
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")

    def __str__(self) -> str:
        return self.title
