from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from districts.models import District


@admin.register(District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "government_name"]
