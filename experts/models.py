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
