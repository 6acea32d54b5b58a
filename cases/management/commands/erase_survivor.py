"""manage.py erase_survivor SURVIVOR_ID --by USERNAME

Crypto-shredding of one survivor (docs/security.md, "Erasure"). Prints ids
only. Afterwards runs VACUUM on the key table so that the destroyed key's old
row version is reclaimed without waiting for autovacuum.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from accounts.models import User
from cases.models import Survivor
from cases.services import survivor_erase
from ngo_cases.crypto.models import DataKey


class Command(BaseCommand):
    help = "Erase a survivor's identity for good by destroying their data key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("survivor_id")
        parser.add_argument("--by", required=True, help="Username of the person carrying out the erasure.")
        parser.add_argument("--no-vacuum", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            survivor_id = uuid.UUID(options["survivor_id"])
        except ValueError:
            raise CommandError("SURVIVOR_ID must be a UUID.") from None
        actor = User.objects.filter(username=options["by"], is_active=True).first()
        if actor is None:
            raise CommandError("No active user with that username.")
        survivor = Survivor.objects.filter(pk=survivor_id).first()
        if survivor is None:
            raise CommandError("No survivor with that id.")
        survivor = survivor_erase(survivor=survivor, acting_user=actor)
        if not options["no_vacuum"]:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM {connection.ops.quote_name(DataKey._meta.db_table)}")
        self.stdout.write(f"survivor {survivor.pk} erased at {survivor.erased_at.isoformat()}")  # type: ignore[union-attr]
