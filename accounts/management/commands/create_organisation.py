"""manage.py create_organisation --name "..." --slug ngo --type NGO [--region R] [--home]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import OrganisationType
from accounts.services import organisation_create
from ngo_cases.errors import Invalid


class Command(BaseCommand):
    help = "Create an organisation: the home NGO (--home) or a partner."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="Short name used by create_staff --org.")
        parser.add_argument("--type", dest="org_type", required=True, choices=OrganisationType.values)
        parser.add_argument("--region", default="")
        parser.add_argument("--home", action="store_true", help="This is the NGO that runs the system.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = organisation_create(
                name=options["name"],
                slug=options["slug"],
                org_type=options["org_type"],
                region=options["region"],
                is_home=options["home"],
            )
        except Invalid as exc:
            raise CommandError("; ".join(exc.messages())) from exc
        self.stdout.write(f"created organisation {organisation.slug} ({organisation.pk})")
