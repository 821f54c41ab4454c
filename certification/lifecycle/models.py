"""After the certificate: monitoring reports (统计监测) and change requests (更名、重大变化).

Imported at the end of `certification.models` so the app's models stay in one app label; the
services that write these rows live in `certification.lifecycle`.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

__all__ = [
    "ChangeKind",
    "ChangeRequest",
    "ChangeStatus",
    "MajorChangeKind",
    "MonitoringReport",
    "OPEN_CHANGE_STATUSES",
    "ReportKind",
]


class ReportKind(models.TextChoices):
    HALF_YEAR = "half_year", _("半年报")
    ANNUAL = "annual", _("年报")


class MonitoringReport(models.Model):
    """A certified enterprise's monitoring data for one period (第十条（4）：须按时填报统计监测系统)."""

    certificate = models.ForeignKey(
        "certification.Certificate",
        verbose_name=_("证书"),
        on_delete=models.PROTECT,
        related_name="monitoring_reports",
    )
    kind = models.CharField(_("报表类型"), max_length=10, choices=ReportKind.choices)
    # "2027H1" for the half-year January–June 2027, "2027" for the calendar year 2027.
    period = models.CharField(_("报告期"), max_length=6)
    due_on = models.DateField(_("截止日期"), db_index=True)
    revenue = models.DecimalField(_("营业收入（元）"), max_digits=17, decimal_places=2)
    rd_expense = models.DecimalField(_("研究开发费用（元）"), max_digits=17, decimal_places=2)
    staff_total = models.PositiveIntegerField(_("职工总数"))
    new_ip_count = models.PositiveIntegerField(_("新增知识产权数"))
    late = models.BooleanField(_("逾期填报"), default=False)
    filed_by = models.ForeignKey(
        "accounts.User", verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["certificate", "due_on"]
        verbose_name = _("统计监测报告")
        verbose_name_plural = _("统计监测报告")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "kind", "period"], name="one_report_per_certificate_period"
            ),
            models.CheckConstraint(
                condition=Q(revenue__gte=0) & Q(rd_expense__gte=0), name="monitoring_money_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.period} {self.get_kind_display()}"


class ChangeKind(models.TextChoices):
    RENAME = "rename", _("更名")
    MAJOR = "major", _("重大变化")


class MajorChangeKind(models.TextChoices):
    """第十一条: 经营业务、生产技术活动等发生重大变化（如并购、重组、转业等）."""

    MERGER = "merger", _("并购")
    SPLIT = "split", _("分立")
    RESTRUCTURING = "restructuring", _("重组")
    MAIN_BUSINESS = "main_business", _("主营业务变更（转业）")


class ChangeStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    IN_PUBLICITY = "in_publicity", _("公示中")
    RECHECK = "recheck", _("待复核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")


OPEN_CHANGE_STATUSES = (ChangeStatus.REQUESTED, ChangeStatus.IN_PUBLICITY, ChangeStatus.RECHECK)


def change_evidence_upload_to(instance: ChangeRequest, filename: str) -> str:
    # Generated names only: the enterprise's file name is kept in `evidence_name`, never used as a path.
    return f"changes/{instance.certificate_id}/{uuid.uuid4().hex}.pdf"


class ChangeRequest(models.Model):
    """A rename or a major change of a certified enterprise (第十一条; 国科火字〔2011〕123号)."""

    certificate = models.ForeignKey(
        "certification.Certificate",
        verbose_name=_("证书"),
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    kind = models.CharField(_("变更类型"), max_length=10, choices=ChangeKind.choices)
    major_kind = models.CharField(
        _("重大变化类型"), max_length=20, choices=MajorChangeKind.choices, blank=True
    )
    old_name = models.CharField(_("原企业名称"), max_length=200)
    new_name = models.CharField(_("新企业名称"), max_length=200, blank=True)
    description = models.TextField(_("变化情况说明"), blank=True, max_length=2000)
    event_date = models.DateField(_("变更发生日期"))
    reported_late = models.BooleanField(_("超过三个月报告"), default=False)
    evidence = models.FileField(_("证明材料"), upload_to=change_evidence_upload_to, max_length=200)
    evidence_name = models.CharField(_("证明材料文件名"), max_length=255)
    evidence_size = models.PositiveBigIntegerField(_("证明材料大小（字节）"))
    evidence_sha256 = models.CharField(_("证明材料 SHA-256"), max_length=64)
    # A major change: the facts after the change as the eligibility check's request body (docs/api.md,
    # registration taken from the enterprise) and the engine's answer on them, judged on event_date
    # under the rule set in force that day (certification.eligibility.rules.evaluate_on), in Chinese.
    facts = models.JSONField(_("变化后的认定条件数据"), null=True, blank=True)
    check_result = models.JSONField(_("认定条件核验结果"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.REQUESTED, db_index=True
    )
    # The rename's publicity (10 working days) is a publicity notice of kind "rename" with one entry
    # naming this change (PublicityEntry.change): see `notice` below.
    published_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("公示发布人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("办理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    note = models.TextField(_("办理意见"), blank=True, max_length=2000)
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("证书变更申请")
        verbose_name_plural = _("证书变更申请")
        constraints = [
            # One open change per certificate at a time: a second one waits until the first is decided.
            models.UniqueConstraint(
                fields=["certificate"],
                condition=Q(status__in=["requested", "in_publicity", "recheck"]),
                name="one_open_change_per_certificate",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == ChangeKind.RENAME:
            return f"{self.old_name} → {self.new_name}"
        return f"{self.old_name}：{self.get_major_kind_display()}"

    @property
    def notice(self):  # type: ignore[no-untyped-def]
        """The rename's publicity notice (the latest), or None before it is published; lists prefetch
        ``publicity_entries__notice``."""
        entries = sorted(self.publicity_entries.all(), key=lambda e: e.notice_id)
        return entries[-1].notice if entries else None

    @property
    def check_failed(self) -> bool:
        """The engine found a condition not met on the facts entered (None/undecided is not a failure)."""
        return bool(self.check_result) and self.check_result.get("eligible") is False
