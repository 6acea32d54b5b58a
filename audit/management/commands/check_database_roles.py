"""``manage.py check_database_roles``: can the connected database role empty,
alter or switch off the access log and the change history? Exit 1 if so."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from audit.database_roles import role_powers


class Command(BaseCommand):
    help = "Report what the connected database role could do to the access log and the history tables."

    def handle(self, *args: Any, **options: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            role = cursor.fetchone()[0]
        powers = role_powers()
        if not powers:
            self.stdout.write(
                f"role {role}: rows only (SELECT, INSERT) on the access log and history — safe to run the application"
            )
            return
        for power in powers:
            self.stdout.write(f"role {role}: {power}")
        raise CommandError(
            f"role {role} can change the audit trail ({len(powers)} findings): run the application as a role "
            "without ownership, TRUNCATE or CREATE (docs/operations.md, 'Database roles')"
        )
