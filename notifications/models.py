"""Every clock of the procedure as a row with an indexed due time, and what it sends.

- ``Deadline``: one step of one clock of one object (a reminder, an escalation, a transition). The
  sweep finds pending rows by the partial index on ``due_at``; the unique key (clock, object, step)
  makes scheduling idempotent, and ``done_at`` is written in the same transaction as the step's
  effect, so a step happens once. Step names carry the date they count from ("d10@2026-04-10"),
  so a restarted clock (a resubmission, a moved end date) gets new rows instead of colliding.
- ``Notification``: an inbox row per person, emailed at once or in the daily digest, with the
  delivery result.
- ``NotificationPreference``, ``SweepRun`` and ``FailedTask`` serve the person and the operations page.

History: simple-history records changes made through ``save()`` (preferences, retries, admin edits).
The sweep's and the inbox's bulk writes (``bulk_create``/``update``) are their own record: the row
says when it was done, with what outcome, after how many attempts.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Clock(models.TextChoices):
    COMPLETENESS = "completeness", _("形式审查期限")
    REVIEW_LIMIT = "review_limit", _("40 日办理期限")
    EXPERT_DEADLINE = "expert_deadline", _("专家评分期限")
    PUBLICITY_END = "publicity_end", _("公示期满")
    OBJECTION_FINDING = "objection_finding", _("异议核实")
    FILING = "filing", _("报备审核")
    CERTIFICATE_EXPIRY = "certificate_expiry", _("证书到期")
    MONITORING_REPORT = "monitoring_report", _("统计监测填报")
    CALENDAR_NEXT_YEAR = "calendar_next_year", _("下一年度工作日历")
    REPORT_FLAGS = "report_flags", _("统计监测缺报标记")
    DEVELOPMENT_DATA = "development_data", _("帮扶企业发展数据填报")


class Outcome(models.TextChoices):
    PENDING = "", _("待执行")
    DONE = "done", _("已执行")
    SKIPPED = "skipped", _("已不适用")
    CANCELLED = "cancelled", _("期限已变更")
    FAILED = "failed", _("多次失败")
    SET = "set", _("期限已设置")


class Deadline(models.Model):
    """One step of one clock for one object; pending while ``done_at`` is empty.

    System clocks (the next year's calendar, the daily report flags) have no content type; their
    ``object_id`` is the year (or 0). Every schedule also writes a marker step ``set@<anchor>``
    (done at once) so the periodic sync can tell "scheduled for this data" from "missing".
    """

    kind = models.CharField(_("期限类型"), max_length=30, choices=Clock.choices)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("对象类型"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("对象编号"), default=0)
    step = models.CharField(_("步骤"), max_length=60)
    due_at = models.DateTimeField(_("到期时间"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True, max_length=4000)
    # After an error the step waits (exponential backoff) before the sweep tries it again.
    retry_at = models.DateTimeField(_("重试时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("期限")
        verbose_name_plural = _("期限")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "step"],
                condition=Q(content_type__isnull=False),
                name="one_deadline_per_object_clock_step",
            ),
            models.UniqueConstraint(
                fields=["kind", "object_id", "step"],
                condition=Q(content_type__isnull=True),
                name="one_deadline_per_system_clock_step",
            ),
        ]
        indexes = [
            # The sweep's only query: pending rows by due time.
            models.Index(fields=["due_at"], condition=Q(done_at__isnull=True), name="deadline_pending_due"),
            models.Index(fields=["content_type", "object_id"], name="deadline_object"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.content_type_id}:{self.object_id} {self.step}"


class DeliveryMode(models.TextChoices):
    IMMEDIATE = "immediate", _("即时发送邮件")
    DIGEST = "digest", _("每日汇总邮件（08:00）")


class Language(models.TextChoices):
    CHINESE = "zh-hans", "简体中文"
    ENGLISH = "en", "English"


class NotificationPreference(models.Model):
    """How a person wants their notifications: an email each, or one digest a day; in which language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    mode = models.CharField(
        _("邮件方式"), max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.IMMEDIATE
    )
    language = models.CharField(
        _("邮件语言"), max_length=10, choices=Language.choices, default=Language.CHINESE
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return f"{self.user_id} {self.mode} {self.language}"


class Channel(models.TextChoices):
    EMAIL = "email", _("站内信和邮件")
    INBOX = "inbox", _("仅站内信")


class Notification(models.Model):
    """One message to one person: always in the inbox; emailed at once or in the digest (``digest``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=50)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), max_length=20000)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    # What the email templates are rendered with at delivery (JSON: ids, names, ISO dates).
    context = models.JSONField(_("模板数据"), default=dict, blank=True)
    deadline = models.ForeignKey(
        Deadline, verbose_name=_("期限"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    digest = models.BooleanField(_("每日汇总"), default=False)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    delivery_result = models.CharField(_("发送结果"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    enqueued_at = models.DateTimeField(_("排队时间"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["context"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [
            # A deadline step notifies each person once, whatever happens to the sweep.
            models.UniqueConstraint(
                fields=["deadline", "user"],
                condition=Q(deadline__isnull=False),
                name="one_notification_per_deadline_user",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_inbox"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(
                fields=["created_at"],
                condition=Q(delivered_at__isnull=True, digest=False, channel="email"),
                name="notification_undelivered",
            ),
            models.Index(
                fields=["user"],
                condition=Q(delivered_at__isnull=True, digest=True, channel="email"),
                name="notification_digest_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.subject}"


class SweepRun(models.Model):
    """One run of the sweep, for the operations page: when, how much, how many errors."""

    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    scheduled = models.PositiveIntegerField(_("新设期限"), default=0)
    processed = models.PositiveIntegerField(_("处理条数"), default=0)
    errors = models.PositiveIntegerField(_("错误数"), default=0)
    max_lock_seconds = models.FloatField(_("最长持锁（秒）"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("期限扫描")
        verbose_name_plural = _("期限扫描")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.processed}"


class FailedTask(models.Model):
    """A task (or a deadline step) that failed after its retries; the office may retry it."""

    task_name = models.CharField(_("任务"), max_length=200)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    args = models.JSONField(_("参数"), default=list, blank=True)
    kwargs = models.JSONField(_("关键字参数"), default=dict, blank=True)
    error = models.TextField(_("错误"), max_length=4000)
    failed_at = models.DateTimeField(_("失败时间"), default=timezone.now, db_index=True)
    retried_at = models.DateTimeField(_("重试时间"), null=True, blank=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("重试人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-failed_at", "-id"]
        verbose_name = _("失败任务")
        verbose_name_plural = _("失败任务")

    def __str__(self) -> str:
        return f"{self.task_name} {self.failed_at:%Y-%m-%d %H:%M}"
