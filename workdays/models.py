"""The working calendar's tables. They were created by certification and keep their names
(``certification_calendaryear``, ``certification_calendarday`` and their history tables)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CalendarYear(models.Model):
    """A year of the working calendar; `official` once the State Council's schedule is entered."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    official = models.BooleanField(_("官方安排"), default=False)
    source = models.CharField(_("来源"), max_length=40, blank=True)
    entered_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now=True)
    history = HistoricalRecords(table_name="certification_historicalcalendaryear")

    class Meta:
        db_table = "certification_calendaryear"
        ordering = ["-year"]
        verbose_name = _("工作日历年度")
        verbose_name_plural = _("工作日历年度")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that differs from the plain weekday rule: a weekday holiday or a weekend make-up working day (调休)."""

    date = models.DateField(_("日期"), unique=True)
    working = models.BooleanField(_("上班"))
    note = models.CharField(_("说明"), max_length=40, blank=True)
    history = HistoricalRecords(table_name="certification_historicalcalendarday")

    class Meta:
        db_table = "certification_calendarday"
        ordering = ["date"]
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.working else '休'}"
