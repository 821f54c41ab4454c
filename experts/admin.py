from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from experts.models import Expert


@admin.register(Expert)
class ExpertAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "title", "employer", "active", "yearly_cap"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "employer", "employer_uscc"]
    filter_horizontal = ["fields"]
