from typing import Any

from django.apps import AppConfig


class GrantsConfig(AppConfig):
    """Object grants (no tables of its own: the abstract grant rows, their
    SQL and services; see the package's docstring)."""

    name = "ngo_cases.grants"
    label = "grants"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # Permission ids are cached per process; a migrate or a test flush may renumber them.
        post_migrate.connect(_forget, dispatch_uid="grants_forget_permission_ids")


def _forget(**kwargs: Any) -> None:
    from .access import forget_permission_ids

    forget_permission_ids()
