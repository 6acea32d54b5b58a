"""The million-case data set shared by the case-access and access-log
benchmarks (``make bench-cases`` builds it in database ngo_cases_bench; made
once, reused while its size matches; ``--regenerate`` to rebuild):

* one NGO, 200 teams; 2,000 active staff: 1,600 caseworkers, 200
  supervisors (one per team), 100 coordinators, 50 partner caseworkers, 25
  auditors, 25 admins; 4,000 former caseworkers (inactive) who opened the
  historical cases;
* every active caseworker owns 20-50 open cases (uniform) and a few closed
  ones; the rest of the cases are closed and belong to former staff; a
  third of open cases also have a second assignee from the team;
* one survivor per case, with a data key and all ten identity fields
  encrypted exactly as the application does it, and blind indexes for
  names, date of birth and phone;
* HTCDS-shaped distributions of exploitation types, means of control,
  recruitment, risk and countries;
* the grants the services would make: owner (view, change), assigned
  (view, change), team supervisors (view, change, assign as group grants).

Rows go in with COPY; nothing here is how the application writes (the
services are), only what it writes.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from accounts.models import ApiToken, Organisation, OrganisationType, Role, Team, TeamMembership, User
from accounts.services import team_groups_sync
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    GrantReason,
    Survivor,
    SurvivorIndexEntry,
)
from cases.services import CASE_FIELDS, PROFILE_FIELDS, _index_values
from ngo_cases.crypto import aead, keys
from ngo_cases.crypto.fields import EncryptedField
from ngo_cases.crypto.models import DataKey

MARKER_ORG = "bench-ngo"
GIVEN = ["Анна", "Мария", "Ольга", "Gulnara", "Dilnoza", "Nodira", "Aigerim", "Ivan", "Rustam", "Farrukh", "Elena"]
# about 2,500 family names: a name search matches a few dozen people in a million, as in life
FAMILY_STEMS = [
    "Ivan",
    "Petr",
    "Karim",
    "Rakhim",
    "Smirn",
    "Nazar",
    "Sidor",
    "Ali",
    "Yusup",
    "Khodj",
    "Tursun",
    "Abdull",
    "Kuzn",
    "Sokol",
    "Mirz",
    "Umar",
    "Sharip",
    "Bek",
    "Orl",
    "Zakir",
    "Valiy",
    "Ergash",
    "Saidov",
    "Kholmat",
    "Islam",
]
FAMILY_ENDINGS = ["ova", "yova", "eva", "ina", "aeva", "ovna", "bekova", "zoda", "ieva", "ulina"]
FAMILY = [
    f"{stem}{ending}{suffix}"
    for stem in FAMILY_STEMS
    for ending in FAMILY_ENDINGS
    for suffix in ("", "-Ali", "-Bek", "-Zade", "-Khan", "-Nur", "-Gul", "-Mir", "-Sher", "-Tash")
]
EXPLOITATION = [
    ("ForcedLabour", 40),
    ("SexualExploitation", 35),
    ("ForcedBegging", 6),
    ("ForcedMarriage", 5),
    ("Servitude", 5),
    ("ForcedCriminality", 4),
    ("ChildLabour", 3),
    ("OrganRemoval", 1),
    ("Other", 1),
]
CONTROL = [
    "DebtBondage",
    "WithholdsDocuments",
    "PhysicalThreats",
    "TakesEarnings",
    "RestrictsMovement",
    "FalsePromises",
    "PsychologicalAbuse",
    "ThreatensFamily",
    "ExcessiveWorkingHours",
]
RECRUITMENT = [
    "ThroughPersonalContact",
    "ThroughFamily",
    "ThroughARecruitmentAgency",
    "ThroughAnOnlineAdvertisement",
    "ThroughOnlineSocialNetworks",
]
COUNTRIES = ["UZB", "KGZ", "TJK", "KAZ", "RUS", "UKR", "MDA", "TKM", "AZE", "ARM"]
RISK = [("high", 15), ("medium", 55), ("low", 30)]
CLOSURE = ["GoalsAchieved", "LostContact", "Returned", "SurvivorDeclined", "Referred"]


# A current caseworker who holds 28-35 cases: where guardian's shortcut is slowest (PERFORMANCE.md).
SMALL_CASELOAD_SQL = """
SELECT u.user_id FROM cases_caseuserobjectpermission u JOIN auth_permission p ON p.id = u.permission_id
WHERE p.codename = 'view_case' GROUP BY u.user_id HAVING count(*) BETWEEN 28 AND 35 LIMIT 1
"""


def _weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


class CaseDataSet:
    """Builds the data set (see the module's docstring) and finds its users."""

    def __init__(self, stdout: Any) -> None:
        self.stdout = stdout

    def ensure(self, n_cases: int, *, regenerate: bool, seed: int) -> None:
        """The data set with ``n_cases`` cases: kept if it has them, else made anew."""
        existing = Case.objects.filter(organisation__slug=MARKER_ORG).count()
        if not regenerate and existing == n_cases:
            return
        # Generated rows are not history: the change-history triggers (and
        # FK checks) are off for this session while a million rows go in.
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            self._generate(n_cases, random.Random(seed))
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")

    def log(self, message: str, started: float) -> None:
        self.stdout.write(f"  {message} ({time.monotonic() - started:.0f} s)")
        self.stdout.flush()

    def _generate(self, n_cases: int, rng: random.Random) -> None:
        started = time.monotonic()
        self.stdout.write(f"generating {n_cases:,} cases …")
        with connection.cursor() as cursor:
            for model in (
                CaseUserObjectPermission,
                CaseGroupObjectPermission,
                SurvivorIndexEntry,
                Case,
                Survivor,
                DataKey,
                ApiToken,
                TeamMembership,
            ):
                cursor.execute(f"TRUNCATE {connection.ops.quote_name(model._meta.db_table)} CASCADE")
        User.objects.filter(username__startswith="bench-").delete()
        Team.objects.filter(organisation__slug=MARKER_ORG).delete()
        Group.objects.filter(name__startswith="team-supervisors:").delete()
        Organisation.objects.filter(slug=MARKER_ORG).delete()

        org = Organisation.objects.create(name="Bench NGO", slug=MARKER_ORG, org_type=OrganisationType.NGO)
        teams = Team.objects.bulk_create(Team(organisation=org, name=f"Team {i:03d}") for i in range(200))
        roles = (
            [Role.CASEWORKER] * 1600
            + [Role.SUPERVISOR] * 200
            + [Role.COORDINATOR] * 100
            + [Role.PARTNER_CASEWORKER] * 50
            + [Role.AUDITOR] * 25
            + [Role.ADMIN] * 25
        )
        staff = User.objects.bulk_create(
            User(username=f"bench-{i:04d}", organisation=org, role=role, password="!", is_active=True)
            for i, role in enumerate(roles)
        )
        former = User.objects.bulk_create(
            User(
                username=f"bench-former-{i:04d}", organisation=org, role=Role.CASEWORKER, password="!", is_active=False
            )
            for i in range(4000)
        )
        caseworkers = [u for u in staff if u.role == Role.CASEWORKER]
        supervisors = [u for u in staff if u.role == Role.SUPERVISOR]
        team_of: dict[uuid.UUID, Team] = {}
        memberships = []
        for i, user in enumerate(caseworkers):
            team_of[user.pk] = teams[i % 200]
        for i, user in enumerate(former):
            team_of[user.pk] = teams[i % 200]
        for i, user in enumerate(supervisors):
            team_of[user.pk] = teams[i]
        for user in [*caseworkers, *supervisors]:
            memberships.append(TeamMembership(team=team_of[user.pk], user=user))
        TeamMembership.objects.bulk_create(memberships)
        for user in supervisors:
            team_groups_sync(user=user)
        team_group = {t.pk: Team.objects.get(pk=t.pk).supervisor_group_id for t in teams}
        self.log("staff and teams", started)

        # who owns which case: open caseloads first, then closed history
        owners: list[tuple[User, bool]] = []
        for user in caseworkers:
            owners += [(user, True)] * rng.randint(20, 50)
            owners += [(user, False)] * rng.randint(0, 10)
        while len(owners) < n_cases:
            owners.append((former[len(owners) % len(former)], False))
        owners = owners[:n_cases]
        rng.shuffle(owners)
        by_team: dict[uuid.UUID, list[User]] = {}
        for user in caseworkers:
            by_team.setdefault(team_of[user.pk].pk, []).append(user)

        perm = {
            p.codename: p.pk for p in Permission.objects.filter(content_type=ContentType.objects.get_for_model(Case))
        }
        keyring = keys.get_keyring()
        master = keyring.master_cipher(keyring.current_version)
        survivor_fields = [f for f in Survivor._meta.concrete_fields if isinstance(f, EncryptedField)]
        case_sealed = {f.name: f for f in Case._meta.concrete_fields if isinstance(f, EncryptedField)}
        now = datetime.datetime.now(tz=datetime.UTC)
        grant_time = now

        def rows() -> Iterator[
            tuple[list[Any], list[Any], list[Any], list[list[Any]], list[list[Any]], list[list[Any]]]
        ]:
            for number, (owner, is_open) in enumerate(owners, start=1):
                dk_id, survivor_id, case_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
                raw = aead.new_key()
                wrapped = aead.seal(master, raw, keys._wrap_aad(dk_id, keyring.current_version))
                data_key = DataKey(id=dk_id, wrapped_key=wrapped, master_version=keyring.current_version)
                data_key._cipher = aead.AESGCM(raw)  # type: ignore[attr-defined]
                given, family = rng.choice(GIVEN), rng.choice(FAMILY)
                dob = datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randint(0, 13000))
                values = {
                    "given_names": given,
                    "middle_names": "",
                    "family_name": family,
                    "aliases": [f"{given} {family}"],
                    "date_of_birth": dob,
                    "place_of_birth": "Samarkand",
                    "phone": f"+99890{rng.randint(1000000, 9999999)}",
                    "email": "",
                    "address": f"Street {number}, Tashkent",
                    "identity_documents": [{"type": "passport", "number": f"AB{number:07d}", "issuing_country": "UZB"}],
                }
                survivor = Survivor(id=survivor_id, data_key=data_key, **values)
                sealed = {f.attname: f.encrypt(survivor, values[f.name]).blob for f in survivor_fields}
                opened = now - datetime.timedelta(
                    days=rng.randint(0, 3650) if not is_open else rng.randint(0, 400), seconds=rng.randint(0, 86400)
                )
                team = team_of[owner.pk]
                survivor_row = [
                    survivor_id,
                    dk_id,
                    *[sealed[f.attname] for f in survivor_fields],
                    "Feminine" if rng.random() < 0.7 else "Masculine",
                    dob.year,
                    "25-34",
                    [rng.choice(COUNTRIES)],
                    ["ru"],
                    "Labour",
                    owner.pk,
                    opened,
                    opened,
                    None,
                    None,
                    1,
                ]
                index_rows = [[survivor_id, kind, value] for kind, value in _index_values(survivor)]
                case = Case(id=case_id, data_key=data_key)
                summary = case_sealed["summary"].encrypt(case, "Met at the border; needs shelter.").blob
                decided_by = case_sealed["trafficking_status_decided_by"].encrypt(case, "").blob
                no_regions = case_sealed["regions_of_recruitment"].encrypt(case, []).blob
                no_regions_x = case_sealed["regions_of_exploitation"].encrypt(case, []).blob
                exploitation = _weighted(rng, EXPLOITATION)
                status = "Active" if is_open else "Closed"
                closed_at = None if is_open else opened + datetime.timedelta(days=rng.randint(30, 300))
                case_row = [
                    case_id,
                    dk_id,
                    survivor_id,
                    org.pk,
                    team.pk,
                    f"C-{opened.year}-{number:07d}",
                    status,
                    "" if is_open else rng.choice(CLOSURE),
                    "PossibleVictim",
                    decided_by,
                    [exploitation],
                    [],
                    "",
                    rng.sample(CONTROL, 2),
                    [rng.choice(RECRUITMENT)],
                    "",
                    [rng.choice(COUNTRIES)],
                    ["RUS"],
                    no_regions,
                    no_regions_x,
                    _weighted(rng, RISK),
                    summary,
                    owner.pk,
                    opened,
                    closed_at,
                    opened,
                    opened,
                    1,
                ]
                user_grants = [
                    [owner.pk, perm[c], case_id, GrantReason.OWNER, owner.pk, grant_time, None]
                    for c in ("view_case", "change_case")
                ]
                if is_open and rng.random() < 1 / 3:
                    mates = [u for u in by_team[team.pk] if u.pk != owner.pk]
                    second = rng.choice(mates)
                    user_grants += [
                        [second.pk, perm[c], case_id, GrantReason.ASSIGNED, owner.pk, grant_time, None]
                        for c in ("view_case", "change_case")
                    ]
                group_grants = [
                    [team_group[team.pk], perm[c], case_id, GrantReason.TEAM_SUPERVISOR, owner.pk, grant_time]
                    for c in ("view_case", "change_case", "assign_case")
                ]
                yield (
                    [dk_id, wrapped, keyring.current_version, now, None],
                    survivor_row,
                    case_row,
                    index_rows,
                    user_grants,
                    group_grants,
                )

        def columns(model: Any, names: list[str]) -> str:
            return ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)

        survivor_cols = [
            "id",
            "data_key",
            *[f.name for f in survivor_fields],
            *PROFILE_FIELDS,
            "created_by",
            "created_at",
            "updated_at",
            "erased_at",
            "erased_by",
            "version",
        ]
        case_cols = [
            "id",
            "data_key",
            "survivor",
            "organisation",
            "team",
            "reference",
            "status",
            "closure_reason",
            *CASE_FIELDS,
            "opened_by",
            "opened_at",
            "closed_at",
            "created_at",
            "updated_at",
            "version",
        ]
        user_grant_cols = [
            "user",
            "permission",
            "content_object",
            "reason",
            "granted_by",
            "granted_at",
            "expires_at",
        ]
        group_grant_cols = ["group", "permission", "content_object", "reason", "granted_by", "granted_at"]
        statements = {
            "keys": 'COPY "keystore"."crypto_datakey" (id, wrapped_key, master_version, created_at, destroyed_at) '
            "FROM STDIN",
            "survivors": f"COPY cases_survivor ({columns(Survivor, survivor_cols)}) FROM STDIN",
            "cases": f"COPY cases_case ({columns(Case, case_cols)}) FROM STDIN",
            "index": "COPY cases_survivorindexentry (survivor_id, kind, value) FROM STDIN",
            "user_grants": f"COPY cases_caseuserobjectpermission ({columns(CaseUserObjectPermission, user_grant_cols)})"
            " FROM STDIN",
            "group_grants": "COPY cases_casegroupobjectpermission "
            f"({columns(CaseGroupObjectPermission, group_grant_cols)}) FROM STDIN",
        }
        batch: dict[str, list[Any]] = {k: [] for k in statements}

        def flush() -> None:
            with transaction.atomic(), connection.cursor() as cursor:
                for name in ("keys", "survivors", "cases", "index", "user_grants", "group_grants"):
                    with cursor.copy(statements[name]) as copy:
                        for row in batch[name]:
                            copy.write_row(row)
                    batch[name].clear()

        for count, (key_row, survivor_row, case_row, index_rows, user_grants, group_grants) in enumerate(rows(), 1):
            batch["keys"].append(key_row)
            batch["survivors"].append(survivor_row)
            batch["cases"].append(case_row)
            batch["index"].extend(index_rows)
            batch["user_grants"].extend(user_grants)
            batch["group_grants"].extend(group_grants)
            if count % 20000 == 0:
                flush()
                self.log(f"{count:,} cases", started)
        flush()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.log(f"done: {n_cases:,} cases", started)

    # --- measurements ------------------------------------------------------------------------


def small_caseload_user() -> User:
    """A current caseworker who holds 28-35 cases (SMALL_CASELOAD_SQL)."""
    with connection.cursor() as cursor:
        cursor.execute(SMALL_CASELOAD_SQL)
        row = cursor.fetchone()
    return User.objects.get(pk=row[0])


def bench_supervisor() -> User:
    """A supervisor of a team with open cases (the data set's first open case's team)."""
    team_id = Case.objects.filter(closed_at__isnull=True).values_list("team_id", flat=True).first()
    if team_id is None:
        raise LookupError("No open case: build the data set with make bench-cases.")
    supervisor = User.objects.filter(
        username__startswith="bench-", role=Role.SUPERVISOR, is_active=True, team_memberships__team_id=team_id
    ).first()
    if supervisor is None:
        raise LookupError("No benchmark supervisor: build the data set with make bench-cases.")
    return supervisor
