"""manage.py verify_audit_chain [--expect-head SEQ:HASH] [--export-head]

Recomputes every access-log hash in the database and checks each link. Prints
the head (``seq:hash``) to keep outside the database; exits 1 at the first
broken link, naming it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.chain import verify


class Command(BaseCommand):
    help = "Verify the access log's hash chain; print its head for safekeeping."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--expect-head", help="A head exported earlier (seq:hash) that must still be in the chain.")
        parser.add_argument("--export-head", action="store_true", help="Print only the head, seq:hash.")

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify(expect_head=options.get("expect_head"))
        if not verdict.ok:
            where = f"seq {verdict.broken_seq}" if verdict.broken_seq else "entry"
            raise CommandError(f"BROKEN at {where} (entry id {verdict.broken_id}): {verdict.problem}")
        if options["export_head"]:
            self.stdout.write(verdict.head)
            return
        self.stdout.write(f"OK: {verdict.entries} entries, chain intact. Head {verdict.head}")
