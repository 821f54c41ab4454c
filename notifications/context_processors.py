from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


def inbox(request: HttpRequest) -> dict:
    """The inbox link and its unread count in every page header (one indexed COUNT per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    try:
        url = reverse("notifications:inbox")
    except NoReverseMatch:  # the URLconf does not include notifications.urls
        return {}
    from notifications.selectors import unread_count

    return {"inbox_url": url, "inbox_unread": unread_count(user)}
