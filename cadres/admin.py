from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cadres.models import (
    Assessment,
    AssessmentScore,
    AssessmentSheet,
    Assignment,
    Cadre,
    DevelopmentData,
    Evaluation,
    Goal,
    HelpListEntry,
    HelpRecord,
    Indicator,
    Ledger,
    NeedsSurvey,
    Training,
)


@admin.register(Cadre)
class CadreAdmin(SimpleHistoryAdmin):
    list_display = ["user", "level", "unit", "municipal_unit"]
    list_filter = ["level", "municipal_unit"]


@admin.register(HelpListEntry)
class HelpListEntryAdmin(SimpleHistoryAdmin):
    list_display = ["enterprise", "help_list", "is_key", "year_added"]
    list_filter = ["help_list", "is_key"]
    search_fields = ["enterprise__name", "enterprise__uscc"]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["entry", "cadre", "kind", "starts_on", "ends_on"]


@admin.register(NeedsSurvey, Goal, HelpRecord, DevelopmentData, Training, Evaluation)
class CadreRecordAdmin(SimpleHistoryAdmin):
    pass


@admin.register(Ledger)
class LedgerAdmin(SimpleHistoryAdmin):
    list_display = ["entry", "year", "half", "status"]
    list_filter = ["status", "half"]
    # Status changes go through cadres.services (the workflow's ledger pairs), never the admin.
    readonly_fields = ["status"]


@admin.register(AssessmentSheet, Indicator, AssessmentScore)
class AssessmentPartAdmin(SimpleHistoryAdmin):
    pass


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["cadre", "year", "half", "status", "total"]
    list_filter = ["status", "half", "year"]
    # Status changes go through cadres.services (the workflow's assessment pair), never the admin.
    readonly_fields = ["status", "finalised_at"]
