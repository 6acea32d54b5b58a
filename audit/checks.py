"""System check (production): the application's database role cannot empty,
alter or switch off the audit trail. Runs with ``check --database default``
(and before ``migrate``); the migration step, which must run as the owner,
sets ``NGO_DATABASE_ROLE=owner``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.database)
def application_role_is_not_the_owner(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Error]:
    if not databases or "default" not in databases or getattr(settings, "NGO_DATABASE_ROLE", "") != "application":
        return []
    from .database_roles import role_powers

    return [
        Error(
            f"The application's database role can change the audit trail: {power}.",
            hint="Run the application as a role with row privileges only; migrate as the owner with "
            "NGO_DATABASE_ROLE=owner (docs/operations.md, 'Database roles').",
            id="ngo_cases.E001",
        )
        for power in role_powers()
    ]
