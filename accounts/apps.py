from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账户与角色")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts import history_actor, tokens
        from accounts.middleware import start_session_clocks
        from core.history import build_history_managers_once

        build_history_managers_once()
        history_actor.connect()
        tokens.connect()
        user_logged_in.connect(start_session_clocks, dispatch_uid="accounts-session-clocks")
