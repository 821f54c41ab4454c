from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistrictsConfig(AppConfig):
    name = "districts"
    verbose_name = _("区县")

    def ready(self) -> None:
        from districts import clocks
        from notifications.clocks import register_clocks

        # A filing waiting for the municipal office.
        register_clocks(*clocks.CLOCKS)
