from django.apps import AppConfig
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def _eligibility_gettext():  # type: ignore[no-untyped-def]
    """The eligibility engine's messages are Chinese msgids: nothing to do unless another language is active."""
    language = translation.get_language()
    if not language or language.startswith("zh"):
        return None
    return translation.gettext


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("认定管理")

    def ready(self) -> None:
        from certification import clocks
        from certification.eligibility import engine as eligibility
        from certification.publicity import services as publicity
        from notifications.clocks import register_clocks
        from workdays.services import register_recomputer

        eligibility.use_translation(_eligibility_gettext)
        # A newly entered calendar year moves the ends of open notices (renames' notices among them).
        register_recomputer(publicity.notices_moved_by_calendar)
        # The procedure's clocks (completeness, 40-day limit, publicity, objections, certificates …).
        register_clocks(*clocks.CLOCKS)
