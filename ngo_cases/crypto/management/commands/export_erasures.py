"""manage.py export_erasures [--output PATH]

Write the erasure ledger (the ids of destroyed data keys, no personal data)
to PATH, atomically, or print it. Beat does the same every few minutes when
NGO_ERASURE_LEDGER_PATH is set; run it by hand after an urgent erasure and
before taking a backup off site (docs/operations.md, "Backup and restore").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ngo_cases.crypto.erasures import ledger_text, ledger_write


class Command(BaseCommand):
    help = "Write the erasure ledger (destroyed data keys' ids) to a file, or print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="The ledger file to write (atomically).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["output"]:
            count = ledger_write(Path(options["output"]))
            self.stdout.write(f"{count} destroyed data keys written to {options['output']}")
        else:
            self.stdout.write(ledger_text(), ending="")
