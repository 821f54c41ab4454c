from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class District(models.Model):
    """A district of Tianjin (GB/T 2260 code) and its working group (区县工作小组)."""

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=20)
    government_name = models.CharField(_("区人民政府名称"), max_length=40)
    phone = models.CharField(_("区县工作小组联系电话"), max_length=30, blank=True)
    seal = models.FileField(_("区人民政府印章（PNG 或 SVG）"), upload_to="seals/", blank=True, max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("区")
        verbose_name_plural = _("区")

    def __str__(self) -> str:
        return self.name


class FilingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    DECIDED = "decided", _("已审核")


class Filing(models.Model):
    """A district's filing (报备) of applications that passed publicity, in the name of the district government."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="filings")
    status = models.CharField(
        _("状态"), max_length=10, choices=FilingStatus.choices, default=FilingStatus.SUBMITTED, db_index=True
    )
    created_by = models.ForeignKey(
        "accounts.User", verbose_name=_("报备人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("报备时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("报备")
        verbose_name_plural = _("报备")

    def __str__(self) -> str:
        return f"{self.district.name} #{self.pk}"


class FilingEntry(models.Model):
    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey(
        "certification.Application", on_delete=models.PROTECT, related_name="filing_entries"
    )
    approved = models.BooleanField(_("审核通过"), null=True, blank=True)
    reason = models.TextField(_("审核意见"), blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # The package (报备材料) as it stood when filed: see districts.filing_package.
    review_deadline = models.DateField(_("办理期限"), null=True, blank=True)
    late = models.BooleanField(_("逾期报备"), default=False)
    composite_score = models.DecimalField(
        _("综合评分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    package = models.JSONField(_("报备材料"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["filing", "id"]
        verbose_name = _("报备企业")
        verbose_name_plural = _("报备企业")

    def __str__(self) -> str:
        return str(self.application)
