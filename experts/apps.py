from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = _("专家")

    def ready(self) -> None:
        from experts import clocks
        from experts.services.reviews import reviews_moved_by_calendar
        from notifications.clocks import register_clocks
        from workdays.services import register_recomputer

        # A newly entered calendar year moves the due dates of assigned reviews.
        register_recomputer(reviews_moved_by_calendar)
        # The scoring deadline of an assigned review.
        register_clocks(*clocks.CLOCKS)
