from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from certification.models import Catalogue, Enterprise, Field, RuleSet


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "uscc", "district", "registered_on"]
    list_filter = ["district"]
    search_fields = ["name", "uscc"]


@admin.register(Catalogue)
class CatalogueAdmin(SimpleHistoryAdmin):
    list_display = ["version", "name", "in_force"]


@admin.register(Field)
class FieldAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "catalogue", "parent"]
    list_filter = ["catalogue"]
    search_fields = ["code", "name"]


@admin.register(RuleSet)
class RuleSetAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "is_default"]
