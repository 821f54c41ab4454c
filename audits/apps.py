from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("市工作小组办公室")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from audits.aggregates import register_sqlite_median

        connection_created.connect(register_sqlite_median, dispatch_uid="audits-sqlite-median")
