from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from notifications.models import Deadline, FailedTask, Notification, NotificationPreference, SweepRun


@admin.register(Deadline)
class DeadlineAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "content_type", "object_id", "step", "due_at", "done_at", "outcome", "attempts")
    list_filter = ("kind", "outcome")
    search_fields = ("step",)
    date_hierarchy = "due_at"
    readonly_fields = ("created_at",)


@admin.register(Notification)
class NotificationAdmin(SimpleHistoryAdmin):
    list_display = ("user", "kind", "subject", "created_at", "read_at", "channel", "digest", "delivered_at")
    list_filter = ("kind", "channel", "digest")
    search_fields = ("subject", "user__username")
    raw_id_fields = ("user", "deadline")
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(SimpleHistoryAdmin):
    list_display = ("user", "mode", "language", "updated_at")
    raw_id_fields = ("user",)


@admin.register(SweepRun)
class SweepRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "finished_at", "scheduled", "processed", "errors", "max_lock_seconds")


@admin.register(FailedTask)
class FailedTaskAdmin(SimpleHistoryAdmin):
    list_display = ("task_name", "args", "failed_at", "retried_at", "retried_by")
    search_fields = ("task_name", "error")
    raw_id_fields = ("retried_by",)
