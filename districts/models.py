from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class District(models.Model):
    """A district of Tianjin (GB/T 2260 code) and its working group (区县工作小组)."""

    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=20)
    government_name = models.CharField(_("区人民政府名称"), max_length=40)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("区")
        verbose_name_plural = _("区")

    def __str__(self) -> str:
        return self.name
