"""manage.py create_staff --username U --org ORG --role ROLE [--team T] < password

The password is read from standard input (one line), never from the command
line, so it stays out of shell history and process lists.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Language, Organisation, Role, Team
from accounts.services import staff_create
from ngo_cases.errors import Invalid


class Command(BaseCommand):
    help = "Create a staff account; the password is read from stdin."
    stealth_options = ("stdin",)  # tests and scripts may pass a stream

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--org", required=True, help="Organisation short name (slug).")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--team", action="append", default=[], help="Team name in that organisation (repeatable).")
        parser.add_argument("--email", default="")
        parser.add_argument("--language", default=Language.ENGLISH, choices=Language.values)
        parser.add_argument("--time-zone", default=None, help="IANA name; default: the organisation's time zone")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with short name {options['org']!r}.")
        teams = []
        for name in options["team"]:
            team = Team.objects.filter(organisation=organisation, name=name).first()
            if team is None:
                raise CommandError(f"No team {name!r} in {organisation.slug}.")
            teams.append(team)

        stdin = options.get("stdin") or sys.stdin
        if stdin.isatty():
            import getpass

            password = getpass.getpass("Password: ")
        else:
            password = stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("No password on standard input.")

        try:
            user = staff_create(
                username=options["username"],
                password=password,
                organisation=organisation,
                role=options["role"],
                teams=teams,
                email=options["email"],
                language=options["language"],
                time_zone=options["time_zone"],
            )
        except Invalid as exc:
            raise CommandError("; ".join(exc.messages())) from exc
        self.stdout.write(f"created {user.role} {user.username} in {organisation.slug} ({user.pk})")
