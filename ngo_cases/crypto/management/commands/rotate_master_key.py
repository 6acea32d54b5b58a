"""manage.py rotate_master_key [--to-version N] [--batch-size 500] [--status]

Procedure (docs/security.md, "Rotating the master key"): add the new version
to NGO_MASTER_KEYS and make it current, restart the services, run this
command until it reports nothing left, then remove the old version.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ngo_cases.crypto.errors import CryptoError
from ngo_cases.crypto.services import master_key_rotate, master_key_status


class Command(BaseCommand):
    help = "Rewrap every data key under the current (or given) master key version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to-version", type=int, default=None)
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--status", action="store_true", help="Only report keys per master version.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            for version, count in sorted(master_key_status().items()):
                self.stdout.write(f"{version}: {count}")
            return
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be positive")
        try:
            report = master_key_rotate(to_version=options["to_version"], batch_size=options["batch_size"])
        except CryptoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.as_text())
        if report.remaining:
            raise CommandError(f"{report.remaining} data keys were locked by other work; run the command again.")
