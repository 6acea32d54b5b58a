"""Benchmark: case list, case detail and duplicate search at scale, over the
API, beside guardian's ``get_objects_for_user`` and one raw SQL query for the
same answer, in the same run. Prints figures; asserts nothing. Not in CI.

    make bench-cases                      # 1,000,000 cases in database ngo_cases_bench
    manage.py bench_case_access --cases 50000 --rounds 100

The data set is benchmarks/case_data.py's: a million cases of 2,000 staff
in 200 teams, made once and reused while its size matches (``--regenerate``
to rebuild).
"""

from __future__ import annotations

import random
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management.base import CommandParser
from django.db import connection
from guardian.shortcuts import get_objects_for_user
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from cases import selectors
from cases.models import (
    Case,
    Survivor,
)
from cases.permissions import cases_visible_to

from .base import Benchmark, time_ms
from .case_data import CaseDataSet, bench_supervisor, small_caseload_user


class CaseAccessBenchmark(Benchmark):
    help = "Benchmark case access at scale (prints figures; builds its own data set once)."
    baseline_name = "raw SQL"

    @classmethod
    def add_arguments(cls, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--rounds", type=int, default=200)
        parser.add_argument("--regenerate", action="store_true")
        parser.add_argument("--seed", type=int, default=2026)

    def run(self, cases: int, rounds: int, regenerate: bool, seed: int, **options: Any) -> None:
        if "bench" not in connection.settings_dict["NAME"]:
            self.stderr.write("Refusing: run against a database whose name contains 'bench' (make bench-cases).")
            return
        CaseDataSet(self.stdout).ensure(cases, regenerate=regenerate, seed=seed)
        self._measure(rounds, random.Random(seed + 1))

    def _measure(self, rounds: int, rng: random.Random) -> None:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        caseworker = small_caseload_user()
        supervisor = bench_supervisor()
        total = Case.objects.count()
        self.stdout.write(
            f"\nngo-cases case access benchmark: {total:,} cases, {rounds} rounds, PostgreSQL {connection.pg_version}"  # type: ignore[attr-defined]
        )
        for label, user in (("caseworker", caseworker), ("supervisor", supervisor)):
            visible = Case.objects.filter(pk__in=cases_visible_to(user).values("pk")).count()
            self.stdout.write(f"\n{label} {user.username}: sees {visible:,} cases")
            self._measure_user(user, rounds, rng)

    def _measure_user(self, user: User, rounds: int, rng: random.Random) -> None:
        _instance, token = ApiToken.objects.create(user=user, device="bench")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        view = Permission.objects.get(codename="view_case", content_type__app_label="cases").pk
        membership_table = User.groups.through._meta.db_table

        # The same page as the API's list: the listed columns and the workers array.
        raw_list_sql = (
            "SELECT c.id, c.reference, c.survivor_id, c.team_id, c.status, c.risk_level, c.trafficking_status,"
            " c.exploitation_types, c.opened_at, c.closed_at,"
            " ARRAY(SELECT w.user_id FROM cases_caseuserobjectpermission w WHERE w.content_object_id = c.id"
            "  AND w.reason IN ('owner', 'assigned') AND w.permission_id = %s ORDER BY w.user_id)"
            " FROM cases_case c JOIN ("
            " SELECT content_object_id FROM cases_caseuserobjectpermission"
            "  WHERE user_id = %s AND permission_id = %s AND (expires_at IS NULL OR expires_at > now())"
            " UNION SELECT g.content_object_id FROM cases_casegroupobjectpermission g"
            f"  JOIN {membership_table} m ON m.group_id = g.group_id WHERE m.user_id = %s AND g.permission_id = %s"
            ") v ON v.content_object_id = c.id ORDER BY c.opened_at DESC, c.id DESC LIMIT 50"
        )

        def raw_list() -> None:
            with connection.cursor() as cursor:
                cursor.execute(raw_list_sql, [view, user.pk, view, user.pk, view])
                cursor.fetchall()

        def orm_list() -> None:
            list(selectors.case_list(fetched_by=user).order_by("-opened_at", "-id")[:50])

        def guardian_list() -> None:
            list(
                get_objects_for_user(user, "cases.view_case", Case, accept_global_perms=False).order_by(
                    "-opened_at", "-id"
                )[:50]
            )

        def api_list() -> None:
            response = client.get("/api/v1/cases/?page_size=50")
            assert response.status_code == 200, response.content  # noqa: S101

        def api_me() -> None:
            response = client.get("/api/v1/me")
            assert response.status_code == 200, response.content  # noqa: S101

        self.row("a small signed-in request for comparison: GET /api/v1/me", time_ms(api_me, rounds))
        raw = time_ms(raw_list, rounds)
        self.row("case list: one raw SQL query (baseline)", raw)
        self.row("case list: the API's scoped queryset (ORM, +workers)", time_ms(orm_list, rounds), raw)
        self.row(
            "case list: guardian get_objects_for_user", time_ms(guardian_list, max(5, rounds // 20), warmup=1), raw
        )
        self.row("case list: GET /api/v1/cases/ (full request)", time_ms(api_list, rounds), raw)

        case_ids = list(cases_visible_to(user).values_list("pk", flat=True)[:200])

        def raw_detail() -> None:
            case_id = rng.choice(case_ids)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT c.* FROM cases_case c WHERE c.id = %s AND (EXISTS (SELECT 1 FROM"
                    " cases_caseuserobjectpermission u WHERE u.content_object_id = c.id AND u.user_id = %s"
                    " AND u.permission_id = %s) OR EXISTS (SELECT 1 FROM cases_casegroupobjectpermission g"
                    f" JOIN {membership_table} m ON m.group_id = g.group_id WHERE g.content_object_id = c.id"
                    " AND m.user_id = %s AND g.permission_id = %s))",
                    [case_id, user.pk, view, user.pk, view],
                )
                cursor.fetchall()

        def guardian_detail() -> None:
            from guardian.core import ObjectPermissionChecker

            case = Case.objects.get(pk=rng.choice(case_ids))
            ObjectPermissionChecker(user).has_perm("view_case", case)

        def api_detail() -> None:
            response = client.get(f"/api/v1/cases/{rng.choice(case_ids)}")
            assert response.status_code == 200, response.content  # noqa: S101

        raw = time_ms(raw_detail, rounds)
        self.row("case detail: one raw SQL query (baseline)", raw)
        self.row("case detail: get + guardian ObjectPermissionChecker", time_ms(guardian_detail, rounds), raw)
        self.row("case detail: GET /api/v1/cases/{id} (full request)", time_ms(api_detail, rounds), raw)

        survivors = list(Survivor.objects.filter(cases__in=case_ids[:50]).select_related("data_key")[:50])
        names = [f"{s.given_names} {s.family_name}" for s in survivors]

        def raw_duplicates() -> None:
            from ngo_cases.crypto.blind_index import IndexKind, blind_index

            digest = blind_index(IndexKind.NAME, rng.choice(names))
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT survivor_id, kind FROM cases_survivorindexentry WHERE kind = 'name' AND value = %s",
                    [digest],
                )
                cursor.fetchall()

        def api_duplicates() -> None:
            response = client.post("/api/v1/survivors/duplicates", {"name": rng.choice(names)}, format="json")
            assert response.status_code == 200, response.content  # noqa: S101

        raw = time_ms(raw_duplicates, rounds)
        self.row("duplicate search: blind-index lookup, raw SQL (baseline)", raw)
        self.row("duplicate search: POST /api/v1/survivors/duplicates", time_ms(api_duplicates, rounds), raw)
        ApiToken.objects.filter(user=user, device="bench").delete()
