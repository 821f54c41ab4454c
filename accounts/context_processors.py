from __future__ import annotations

from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    """Who is signed in, in what role and for which district: shown in every page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    district = user.district or (user.enterprise.district if user.enterprise_id else None)
    return {
        "portal_role": user.get_role_display() if user.role else ("系统管理员" if user.is_superuser else ""),
        "portal_district": district,
    }
