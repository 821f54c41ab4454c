from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    """Its own app because certification, experts and notifications all count in working days.

    It imports none of them: when a year is entered, the apps whose dates depend on the calendar
    recompute them through the recomputers they register (``workdays.services.register_recomputer``)."""

    name = "workdays"
    verbose_name = _("工作日历")

    def ready(self) -> None:
        from notifications.clocks import register_clocks, use_calendar
        from workdays import clocks
        from workdays.services import working_calendar

        # The steps counted in working days use the calendar in force; next year's calendar has a clock.
        use_calendar(working_calendar)
        register_clocks(*clocks.CLOCKS)
