from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import sync_role_groups

        # After every app's migrations: role groups name permissions of later apps (cases).
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts_sync_role_groups")

        from . import signals  # noqa: F401  (team supervisor groups follow memberships)
