from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = _("专家")

    def ready(self) -> None:
        from accounts.models import Role
        from certification.applications.permissions import register_material_gate, register_reader_rule
        from certification.workflow import Audience, register_audience
        from experts import clocks
        from experts.permissions import applications_read_by_expert, panel_users, require_pledge
        from experts.services.reviews import reviews_moved_by_calendar
        from notifications.clocks import register_clocks
        from workdays.services import register_recomputer

        # Which applications an expert reads, the pledge before any material, the panel as an audience.
        register_reader_rule(Role.EXPERT, applications_read_by_expert)
        register_material_gate(require_pledge)
        register_audience(Audience.EXPERTS, panel_users)
        # A newly entered calendar year moves the due dates of assigned reviews.
        register_recomputer(reviews_moved_by_calendar)
        # The scoring deadline of an assigned review.
        register_clocks(*clocks.CLOCKS)
