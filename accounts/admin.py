from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User


@admin.register(User)
class PortalUserAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "full_name", "role", "district", "enterprise", "is_active"]
    list_filter = ["role", "district", "is_active"]
    search_fields = ["username", "full_name", "email", "enterprise__name", "enterprise__uscc"]
    fieldsets = UserAdmin.fieldsets + (
        (_("门户角色"), {"fields": ("role", "full_name", "phone", "district", "enterprise")}),
    )
    autocomplete_fields = ["enterprise"]
