"""manage.py apply_erasures LEDGER

After restoring a backup: destroy again every data key the erasure ledger
names that the restored database still holds, and mark those survivors
erased (their blind indexes deleted), so that an erasure made after the
backup holds in the restored system (docs/operations.md, "Backup and
restore"). Prints counts only; safe to run twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.services import erasures_apply
from ngo_cases.crypto.erasures import ledger_read


class Command(BaseCommand):
    help = "Apply the erasure ledger again after a restore."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ledger", help="The erasure ledger file (export_erasures / NGO_ERASURE_LEDGER_PATH).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            ids = ledger_read(Path(options["ledger"]))
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        keys, survivors = erasures_apply(key_ids=ids)
        self.stdout.write(f"ledger: {len(ids)} keys; destroyed again: {keys} keys, {survivors} survivors")
