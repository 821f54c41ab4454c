from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    name = "cadres"
    verbose_name = _("干部帮扶")

    def ready(self) -> None:
        from cadres import clocks
        from notifications.clocks import register_clocks

        # The half-year development data's deadlines (实施方案 二(二)4).
        register_clocks(*clocks.CLOCKS)
