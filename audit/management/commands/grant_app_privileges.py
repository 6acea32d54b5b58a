"""``manage.py grant_app_privileges --role ngo_app``, run as the tables' owner
after ``migrate``: row privileges for the application role on every table,
and only SELECT and INSERT on the access log and the history tables."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from audit.database_roles import privileges_sql


class Command(BaseCommand):
    help = "Grant the application's database role row privileges only (run as the owner after migrate)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", required=True, help="the application's database role, e.g. ngo_app")

    def handle(self, *args: Any, **options: Any) -> None:
        statements = privileges_sql(options["role"])
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"{len(statements)} grants and revocations for role {options['role']}")
