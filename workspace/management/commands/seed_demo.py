"""manage.py seed_demo: the demo NGO, two partners, a team and one user of
each role, printed with their passwords. Runs once: a second call only
prints the logins again. For local use; refuses to run with DEBUG off unless
--force (a demo password on a server is an open door)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, OrganisationType, Role, Team, User
from accounts.services import organisation_create, staff_create, team_create

DEMO_PASSWORD_SUFFIX = "-demo-2026!"  # noqa: S105 - known demo passwords are the point; refused on servers
DEMO_USERS = [
    # username, organisation slug, role, in team
    ("caseworker", "demo-ngo", Role.CASEWORKER, True),
    ("supervisor", "demo-ngo", Role.SUPERVISOR, True),
    ("coordinator", "demo-ngo", Role.COORDINATOR, False),
    ("partner", "demo-shelter", Role.PARTNER_CASEWORKER, False),
    ("shelterdesk", "demo-shelter", Role.COORDINATOR, False),
    ("auditor", "demo-ngo", Role.AUDITOR, False),
    ("admin", "demo-ngo", Role.ADMIN, False),
]


def demo_password(username: str) -> str:
    return f"{username}{DEMO_PASSWORD_SUFFIX}"


class Command(BaseCommand):
    help = "Create demo organisations, a team, one user per role and one invented case (once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Allow with DEBUG off.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo creates known passwords; use it on a local machine (or pass --force).")
        with transaction.atomic():
            if not Organisation.objects.filter(slug="demo-ngo").exists():
                self._seed()
                self.stdout.write("Demo data created.")
            else:
                self.stdout.write("Demo data already present.")
        self.stdout.write("Demo logins (username / password / role):")
        for username, _org, role, _team in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"  {username:<12} {demo_password(username):<28} {role}")

    def _seed(self) -> None:
        ngo = organisation_create(
            name="Demo Anti-Trafficking NGO",
            slug="demo-ngo",
            org_type=OrganisationType.NGO,
            region="Moscow",
            is_home=True,
        )
        shelter = organisation_create(
            name="Demo Women's Shelter", slug="demo-shelter", org_type=OrganisationType.SHELTER, region="Moscow"
        )
        legal = organisation_create(
            name="Demo Legal Aid Clinic",
            slug="demo-legal",
            org_type=OrganisationType.LEGAL_SERVICE,
            region="Saint Petersburg",
        )
        team = team_create(organisation=ngo, name="Moscow casework")
        organisations = {"demo-ngo": ngo, "demo-shelter": shelter}
        for username, org_slug, role, in_team in DEMO_USERS:
            teams: list[Team] = [team] if in_team else []
            staff_create(
                username=username,
                password=demo_password(username),
                organisation=organisations[org_slug],
                role=role,
                teams=teams,
                email=f"{username}@demo.invalid",
                time_zone="Europe/Moscow",
            )
        self._seed_case(team, shelter, legal)

    def _seed_case(self, team: Team, shelter: Organisation, legal: Organisation) -> None:
        """One invented survivor with an open case of the demo caseworker."""
        import datetime

        from cases.services import case_note_create, case_open, follow_up_create, survivor_create

        caseworker = User.objects.get(username="caseworker")
        survivor = survivor_create(
            created_by=caseworker,
            given_names="Demo",
            family_name="Person",
            date_of_birth=datetime.date(1995, 5, 17),
            gender="Feminine",
            age_band="25-34",
            citizenships=["UZB"],
            languages=["uz", "ru"],
            migration_status="Irregular",
        )
        case = case_open(
            survivor=survivor,
            team=team,
            opened_by=caseworker,
            exploitation_types=["ForcedLabour"],
            means_of_control=["WithholdsDocuments", "DebtBondage"],
            risk_level="high",
            summary="Invented demo case: garment workshop, passport withheld.",
        )
        case_note_create(case=case, author=caseworker, body="Demo note: first meeting at the drop-in centre.")
        follow_up_create(
            case=case,
            created_by=caseworker,
            assignee=caseworker,
            due_on=timezone.localdate() + datetime.timedelta(days=3),
            description="Call the shelter about a bed.",
        )
        # Overdue: its reminders reach the demo caseworker's inbox within minutes of `make run`.
        follow_up_create(
            case=case,
            created_by=caseworker,
            assignee=caseworker,
            due_on=timezone.localdate() - datetime.timedelta(days=1),
            description="Send the clinic the appointment letter.",
        )
        self._seed_referral(case, caseworker, shelter, legal)

    def _seed_referral(self, case: Any, caseworker: User, shelter: Organisation, legal: Organisation) -> None:
        """The directory's services, a consent and a referral to the shelter
        waiting for its desk (shelterdesk) to assign it to the partner."""
        from cases.services import consent_record
        from referrals.services import contact_create, referral_create, referral_send, service_create

        coordinator = User.objects.get(username="coordinator")
        service_create(organisation=shelter, created_by=coordinator, service="shelter", languages=["ru", "uz"])
        service_create(organisation=shelter, created_by=coordinator, service="psychological", languages=["ru"])
        service_create(organisation=legal, created_by=coordinator, service="legal_aid", regions=["Moscow"])
        contact_create(
            organisation=shelter, created_by=coordinator, name="Intake desk (demo)", phone="+7 000 000 00 00"
        )
        consent_record(
            case=case,
            recorded_by=caseworker,
            scope="referral",
            organisation=shelter,
            given_by="survivor",
            method="written",
            given_at=timezone.now(),
        )
        draft = referral_create(
            case=case,
            created_by=caseworker,
            organisation=shelter,
            services=["shelter", "psychological"],
            urgency="urgent",
            reason="Invented demo referral: needs a safe bed this week.",
            needs="Speaks Uzbek and some Russian.",
            shared_groups=["identity", "needs"],
        )
        referral_send(referral=draft, acting_user=caseworker, expected_version=draft.version)
