"""Benchmark: the reminder dispatcher over 1,000,000 follow-ups of which
10,000 are due. Prints time and query count per run, and the plan of the
query a run with nothing due makes. Asserts nothing; not in CI.

    make bench-reminders                     # database ngo_cases_bench_reminders
    manage.py bench_reminders --follow-ups 100000 --due 1000 --rounds 3

The data set (made once, reused while its size matches; ``--regenerate``):
one team of 200 caseworkers (each with an email address, time zones spread
over Russia's eleven) and a supervisor; 20,000 open cases, each owned by one
caseworker; the follow-ups spread over those cases, assigned to the owner,
``--due`` of them due today and the rest due on a day of the next year; and
the plan the planner would make for them (due, overdue and escalation
reminders: 3 per follow-up). Case, survivor and follow-up rows are copies
of one made through the services (same ciphertext: the dispatcher never
decrypts); the plan is inserted with SQL and the planner's triggers are off
while generating.

Each round resets the due reminders and runs ``dispatch_due`` as of 12:00
UTC today, with the broker publish replaced by a counter (publishing is
the broker's cost, one message per 20 deliveries). Then a run with nothing
due, and ``EXPLAIN (ANALYZE, BUFFERS)`` of its one query.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from unittest import mock

from django.core.management.base import CommandError, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation, OrganisationType, Role, Team, User
from accounts.services import staff_create
from cases.models import Case, FollowUp
from cases.services import case_open, follow_up_create, survivor_create
from reminders.models import Delivery, PlanRequest, Reminder
from reminders.rules import EARLIEST_OFFSET
from reminders.services import dispatch_due

from .base import Benchmark

ZONES = [
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "Asia/Magadan",
    "Asia/Kamchatka",
]
BENCH_PASSWORD = "bench-only-Reminders-2026"  # noqa: S105  # benchmark accounts in a bench database
CASES = 20_000
CASEWORKERS = 200


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]


def _clone_sql(table: str, template_id: Any, replace: dict[str, str], source: str) -> str:
    """INSERT … SELECT copying the template row, with some columns computed from ``source``."""
    columns = _columns(table)
    select = ", ".join(replace.get(c, f"t.{c}") for c in columns)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # table and columns from the catalogue
        f"SELECT {select} FROM {table} t, {source} WHERE t.id = '{template_id}'"
    )


class ReminderDispatchBenchmark(Benchmark):
    help = "Benchmark the reminder dispatcher (prints figures; not part of the test suite)."

    @classmethod
    def add_arguments(cls, parser: CommandParser) -> None:
        parser.add_argument("--follow-ups", type=int, default=1_000_000)
        parser.add_argument("--due", type=int, default=10_000)
        parser.add_argument("--rounds", type=int, default=3)
        parser.add_argument("--regenerate", action="store_true")

    def run(self, **options: Any) -> None:
        if "bench" not in connection.settings_dict["NAME"]:
            raise CommandError("run on a database whose name contains 'bench' (make bench-reminders)")
        total, due = options["follow_ups"], options["due"]
        today = dt.datetime.now(tz=dt.UTC).date()
        if options["regenerate"] or FollowUp.objects.count() != total:
            self._generate(total, due, today)
        now = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
        self.stdout.write(
            f"data: {FollowUp.objects.count():,} follow-ups, {Reminder.objects.count():,} planned reminders, "
            f"{Case.objects.count():,} cases; dispatching as of {now.isoformat()}"
        )
        published: list[int] = []
        for round_no in range(1, options["rounds"] + 1):
            self._reset(today)
            with (
                mock.patch("reminders.tasks.deliver_reminders.delay", side_effect=lambda ids: published.append(1)),
                CaptureQueriesContext(connection) as queries,
            ):
                started = time.perf_counter()
                counts = dispatch_due(now=now)
                elapsed = time.perf_counter() - started
            self.stdout.write(
                f"round {round_no}: {counts.visited:,} reminders visited in {elapsed:.2f} s "
                f"({counts.batches} batches, {len(queries.captured_queries)} queries), "
                f"{counts.deliveries_created:,} deliveries recorded, {counts.enqueued:,} enqueued "
                f"in {len(published):,} messages"
            )
            published.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            counts = dispatch_due(now=now)
            elapsed = time.perf_counter() - started
        statements = [q["sql"] for q in queries.captured_queries]
        self.stdout.write(
            f"nothing due: {counts.visited} visited in {elapsed * 1000:.2f} ms, {len(statements)} queries "
            f"({', '.join(s.split(' ')[0] for s in statements)})"
        )
        probe = next(s for s in statements if s.startswith("SELECT"))
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + probe)
            self.stdout.write("plan of the nothing-due query:\n  " + "\n  ".join(r[0] for r in cursor.fetchall()))

    def _reset(self, today: dt.date) -> None:
        """The due reminders as the planner left them: not yet dispatched."""
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM reminders_delivery")
            cursor.execute(
                "UPDATE reminders_reminder SET dispatched_at = NULL, done_at = NULL, outcome = '', "
                "next_check_at = fire_at WHERE due_on = %s AND kind = 'follow_up_due'",
                [today],
            )
            cursor.execute("ANALYZE reminders_reminder")

    @transaction.atomic
    def _generate(self, total: int, due: int, today: dt.date) -> None:
        started = time.perf_counter()
        self.stdout.write(f"generating {total:,} follow-ups ({due:,} due) on {CASES:,} cases…")
        with connection.cursor() as cursor:
            for table in ("reminders_delivery", "reminders_reminder", "reminders_planrequest", "cases_followup"):
                cursor.execute(f"DELETE FROM {table}")  # constant names
        home = Organisation.objects.filter(is_home=True).first() or Organisation.objects.create(
            name="Bench NGO", slug="bench", org_type=OrganisationType.NGO, is_home=True
        )
        team, _ = Team.objects.get_or_create(organisation=home, name="Bench reminders")
        workers = list(User.objects.filter(username__startswith="rbench-cw-").order_by("username"))
        for n in range(len(workers), CASEWORKERS):
            workers.append(
                staff_create(
                    username=f"rbench-cw-{n:03d}",
                    organisation=home,
                    role=Role.CASEWORKER,
                    teams=[team],
                    password=BENCH_PASSWORD,
                    email="caseworker@bench.invalid",
                    time_zone=ZONES[n % len(ZONES)],
                )
            )
        if not User.objects.filter(username="rbench-sup").exists():
            staff_create(
                username="rbench-sup", organisation=home, role=Role.SUPERVISOR, teams=[team], password=BENCH_PASSWORD
            )
        template_survivor = survivor_create(created_by=workers[0], given_names="Bench", family_name="Template")
        template_case = case_open(survivor=template_survivor, team=team, opened_by=workers[0])
        template_fu = follow_up_create(
            case=template_case, created_by=workers[0], assignee=workers[0], due_on=today, description="Bench."
        )
        existing = Case.objects.filter(team=team).count()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")  # no planner or history triggers
            cursor.execute("CREATE TEMP TABLE bench_workers (n int, id uuid) ON COMMIT DROP")
            cursor.executemany("INSERT INTO bench_workers VALUES (%s, %s)", list(enumerate(w.pk for w in workers)))
            missing = max(0, CASES - existing)
            cursor.execute(
                "CREATE TEMP TABLE bench_cases ON COMMIT DROP AS "
                "SELECT g AS n, gen_random_uuid() AS case_id, gen_random_uuid() AS survivor_id "
                "FROM generate_series(1, %s) g",
                [missing],
            )
            cursor.execute(_clone_sql("cases_survivor", template_survivor.pk, {"id": "b.survivor_id"}, "bench_cases b"))
            cursor.execute(
                _clone_sql(
                    "cases_case",
                    template_case.pk,
                    {
                        "id": "b.case_id",
                        "survivor_id": "b.survivor_id",
                        "reference": "'RB-' || b.n",
                        "opened_by_id": f"(SELECT id FROM bench_workers WHERE n = mod(b.n, {CASEWORKERS}))",
                    },
                    "bench_cases b",
                )
            )
            cursor.execute(
                "INSERT INTO cases_caseuserobjectpermission "
                "(user_id, permission_id, content_object_id, reason, granted_by_id, granted_at) "
                "SELECT c.opened_by_id, g.permission_id, c.id, 'owner', c.opened_by_id, now() "
                "FROM cases_case c JOIN bench_cases b ON b.case_id = c.id, "
                "(SELECT permission_id FROM cases_caseuserobjectpermission WHERE content_object_id = %s LIMIT 1) g",
                [template_case.pk],
            )
            cursor.execute(
                "CREATE TEMP TABLE bench_case_list ON COMMIT DROP AS "
                "SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, opened_by_id FROM cases_case WHERE team_id = %s",
                [team.pk],
            )
            cases = Case.objects.filter(team=team).count()
            cursor.execute(
                _clone_sql(
                    "cases_followup",
                    template_fu.pk,
                    {
                        "id": "gen_random_uuid()",
                        "case_id": "c.id",
                        "assignee_id": "c.opened_by_id",
                        "due_on": f"CASE WHEN g < {due} THEN %s::date ELSE %s::date + 1 + mod(g, 365) END",
                    },
                    f"generate_series(1, {total - 1}) g JOIN bench_case_list c ON c.n = mod(g, {cases})",
                ),
                [today, today],
            )
            # The plan, as the planner makes it: due (day 0), overdue (+1), escalation (+3).
            cursor.execute(
                'INSERT INTO reminders_reminder (kind, case_id, source_type, source_id, due_on, "offset", '
                "fire_at, next_check_at, outcome, created_at) "
                "SELECT k.kind, f.case_id, 'follow_up', f.id, f.due_on, k.off, "
                "(f.due_on + k.off)::timestamp AT TIME ZONE 'UTC' + interval '8 hours' - %s::interval, "
                "(f.due_on + k.off)::timestamp AT TIME ZONE 'UTC' + interval '8 hours' - %s::interval, '', now() "
                "FROM cases_followup f, (VALUES ('follow_up_due', 0), ('follow_up_overdue', 1), "
                "('follow_up_escalation', 3)) AS k(kind, off)",
                [f"{EARLIEST_OFFSET.total_seconds():.0f} seconds"] * 2,
            )
            cursor.execute("ANALYZE")
        PlanRequest.objects.all().delete()
        Delivery.objects.all().delete()
        self.stdout.write(f"generated in {time.perf_counter() - started:.0f} s")
