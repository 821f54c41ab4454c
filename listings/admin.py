from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from listings.models import Institution, ListingEntry, PeriodTarget, StageEvent, Target


@admin.register(ListingEntry)
class ListingEntryAdmin(SimpleHistoryAdmin):
    list_display = ["enterprise", "list_kind", "stage", "added_at"]
    list_filter = ["list_kind", "stage"]
    raw_id_fields = ["enterprise"]


@admin.register(StageEvent)
class StageEventAdmin(SimpleHistoryAdmin):
    list_display = ["entry", "from_stage", "to_stage", "happened_on"]
    raw_id_fields = ["entry"]


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "contact_name", "contact_phone"]


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["year", "district", "reformed", "listed", "merged_domestic", "merged_foreign"]


@admin.register(PeriodTarget)
class PeriodTargetAdmin(SimpleHistoryAdmin):
    list_display = ["start_year", "end_year", "reformed", "listed", "merged_domestic", "merged_foreign"]
