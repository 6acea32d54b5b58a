from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Survivors (identity encrypted, blind-indexed), cases, grants, notes,
    consents, milestones, follow-ups and their API."""

    name = "cases"
    verbose_name = _("Cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # Permission ids are cached per process; a migrate or a test flush may renumber them.
        post_migrate.connect(_forget, dispatch_uid="cases_forget_permission_ids")


def _forget(**kwargs: Any) -> None:
    from .permissions import forget_permission_ids

    forget_permission_ids()
