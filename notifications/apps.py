from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Its own app because every other app sends through it: the clocks, the sweep, the inbox and email."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("通知与期限")
