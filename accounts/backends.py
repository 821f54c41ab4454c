"""The portal's sign-in backend: Django's, loading the signed-in user with their district and enterprise.

Nearly every page reads ``request.user.district`` (a district official's pages, the header) or
``request.user.enterprise`` (an enterprise's): joined here, they cost no query of their own."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class PortalBackend(ModelBackend):
    def get_user(self, user_id):  # type: ignore[no-untyped-def]
        try:
            user = User._default_manager.select_related("district", "enterprise").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
