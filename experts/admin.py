from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from experts.models import Expert, ExpertRelation, Pledge


@admin.register(Expert)
class ExpertAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "title", "employer", "active", "yearly_cap"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "employer", "employer_uscc"]
    filter_horizontal = ["fields"]


@admin.register(ExpertRelation)
class ExpertRelationAdmin(SimpleHistoryAdmin):
    list_display = ["expert", "uscc", "enterprise_name", "declared_at"]
    search_fields = ["expert__name", "uscc", "enterprise_name"]
    list_select_related = ["expert"]
    raw_id_fields = ["expert"]


@admin.register(Pledge)
class PledgeAdmin(SimpleHistoryAdmin):
    """Read-only: a pledge is signed by the expert in person (experts.services.pool.pledge_sign)."""

    list_display = ["expert", "year", "text_version", "signed_at"]
    list_filter = ["year"]
    search_fields = ["expert__name"]
    list_select_related = ["expert"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def, override]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def, override]
        return False
