"""manage.py bench_statistics [--cases N] [--rounds N] [--export]: every
statistics panel at a million cases, from the summary beat rebuilds
(reporting.models.CaseFact), and the rebuilds themselves. (The panels
computed live over cases and consents, with plain indexes, were measured
with this command at commit 9d090ae: docs/performance.md.)

Runs on the case benchmark's data set (``make bench-cases`` builds it; this
command builds it too when missing) and adds, once, what the panels count
besides cases: a reporting consent on 85 % of cases (5 % of them revoked,
2 % expired), reasonable and conclusive grounds milestones on 40 %, two
follow-ups per case, a referral from a quarter of them — with SQL, history
triggers off, encrypted columns left as an empty placeholder nothing reads.

Prints the rebuild's time and a revocation's during it, then per panel p50
and p95 of ``reporting.panels.table`` (the query and the suppression) for
the whole organisation, one year, and one team, and two panels with 1,000
consents revoked since the rebuild; with ``--export``, one export of
everyone. Figures go in docs/performance.md; this is never a test.
"""

from __future__ import annotations

import datetime
import functools
import resource
import statistics
import threading
import time
from typing import Any

from django.core.management.base import CommandParser
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Organisation, OrganisationType, Role, User
from cases.models import Case, Consent
from reporting.models import PanelCount
from reporting.panels import PANELS, table
from reporting.selectors import Filters
from reporting.services import case_facts_refresh, export_build, export_request

from .base import Benchmark, time_ms
from .case_data import MARKER_ORG, CaseDataSet

PLACEHOLDER = b"\x00"  # encrypted columns of generated rows: never decrypted here


class StatisticsBenchmark(Benchmark):
    help = "Every statistics panel at a million cases: live queries against a summary table."
    label_width = 44

    @classmethod
    def add_arguments(cls, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--rounds", type=int, default=5)
        parser.add_argument("--regenerate", action="store_true")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--export", action="store_true", help="also build one anonymised export of everyone")

    def run(self, cases: int, rounds: int, regenerate: bool, seed: int, export: bool, **options: Any) -> None:
        CaseDataSet(self.stdout).ensure(cases, regenerate=regenerate, seed=seed)
        organisation = Organisation.objects.get(slug=MARKER_ORG)
        self._ensure_statistics_rows(organisation)
        team = Case.objects.filter(organisation=organisation).values_list("team_id", flat=True).first()
        year = timezone.localdate().year - 1
        scopes = {
            "all": Filters(organisation_id=organisation.pk),
            "one year": Filters(
                organisation_id=organisation.pk,
                opened_from=datetime.date(year, 1, 1),
                opened_to=datetime.date(year, 12, 31),
            ),
            "one team": Filters(organisation_id=organisation.pk, team_id=team),
        }
        counted = Consent.objects.filter(case__organisation=organisation, scope="reporting", revoked_at__isnull=True)
        self.stdout.write(f"statistics over {cases:,} cases ({counted.count():,} unrevoked reporting consents)")
        self._refresh(organisation)
        self.stdout.write("every panel from the summary, reporting.panels.table() (the query and the suppression):")
        slowest = 0.0
        for name, panel in PANELS.items():
            for scope, filters in scopes.items():
                samples = time_ms(functools.partial(table, panel, filters), rounds, warmup=1)
                slowest = max(slowest, statistics.median(samples))
                self.row(f"{name} · {scope}", samples)
        self.stdout.write(f"  slowest panel p50: {slowest:.0f} ms")
        self._withdrawn(organisation, scopes, rounds)
        if export:
            self._export(organisation)

    def _export(self, organisation: Organisation) -> None:
        """One anonymised export of the whole organisation: its time and the process's peak memory."""
        requester = User.objects.filter(organisation=organisation, role=Role.ADMIN).first()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        with transaction.atomic():
            made = export_request(requested_by=requester, filters=Filters(organisation_id=organisation.pk))
        export_build(made.pk)
        seconds = time.perf_counter() - started
        made.refresh_from_db()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            f"anonymised export of everyone: {seconds:.1f} s, {made.records:,} records ({made.withheld:,} withheld), "
            f"CSV {(made.csv_size or 0) / 1e6:.1f} MB, XLSX {(made.xlsx_size or 0) / 1e6:.1f} MB, "
            f"peak RSS {peak:.0f} MB (was {before:.0f} MB), generalisation {made.generalisation}"
        )

    # --- the data the panels count besides cases ------------------------------------------------

    def _ensure_statistics_rows(self, organisation: Organisation) -> None:
        if Consent.objects.filter(case__organisation=organisation, scope="reporting").exists():
            return
        started = time.monotonic()
        recorder = Case.objects.filter(organisation=organisation).values_list("opened_by_id", flat=True).first()
        partners = [
            Organisation.objects.get_or_create(
                slug=f"bench-partner-{kind.lower()}", defaults={"name": f"Bench {kind}", "org_type": kind}
            )[0].pk
            for kind in (OrganisationType.SHELTER, OrganisationType.HEALTH_SERVICE, OrganisationType.LEGAL_SERVICE)
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                """
                INSERT INTO cases_consent (id, version, case_id, scope, organisation_id, given_by, method, given_at,
                                           expires_at, revoked_at, revoked_by_id, recorded_by_id, created_at)
                SELECT gen_random_uuid(), 1, c.id, 'reporting', NULL, 'survivor', 'written', c.opened_at,
                       CASE WHEN r < 0.02 THEN c.opened_at + (now() - c.opened_at) / 2 END,
                       CASE WHEN r >= 0.02 AND r < 0.07 THEN c.opened_at + (now() - c.opened_at) / 2 END,
                       CASE WHEN r >= 0.02 AND r < 0.07 THEN %s::uuid END,
                       %s, c.opened_at
                FROM (SELECT id, opened_at, random() AS r FROM cases_case WHERE organisation_id = %s) c
                WHERE random() < 0.85
                """,
                [recorder, recorder, organisation.pk],
            )
            self.log("reporting consents", started)
            cursor.execute(
                """
                INSERT INTO cases_milestone (id, version, data_key_id, case_id, kind, decision, deciding_body,
                                             starts_on, ends_on, completed_on, description, recorded_by_id, created_at)
                SELECT gen_random_uuid(), 1, c.data_key_id, c.id, k.kind,
                       d.decision, %s, c.opened_at::date, NULL,
                       CASE WHEN d.decision <> 'pending' THEN c.opened_at::date + (random() * 400)::int END,
                       %s, %s, c.opened_at
                FROM cases_case c CROSS JOIN (VALUES ('reasonable_grounds'), ('conclusive_grounds')) k(kind)
                CROSS JOIN LATERAL (SELECT (ARRAY['pending', 'positive', 'positive', 'negative'])
                                           [1 + floor(random() * 4)::int] WHERE c.id IS NOT NULL) d(decision)
                WHERE c.organisation_id = %s AND random() < 0.4
                """,
                [PLACEHOLDER, PLACEHOLDER, recorder, organisation.pk],
            )
            self.log("identification milestones", started)
            cursor.execute(
                """
                INSERT INTO cases_followup (id, version, data_key_id, case_id, due_on, assignee_id, status,
                                            description, completed_at, created_by_id, created_at)
                SELECT gen_random_uuid(), 1, c.data_key_id, c.id, c.opened_at::date + n * 30, c.opened_by_id,
                       f.status, %s,
                       CASE WHEN f.status = 'done'
                            THEN c.opened_at + (n * 30 - 10 + (random() * 20)::int) * interval '1 day' END,
                       c.opened_by_id, c.opened_at
                FROM cases_case c CROSS JOIN generate_series(1, 2) n
                CROSS JOIN LATERAL (SELECT (ARRAY['open', 'done', 'done', 'cancelled'])[1 + floor(random() * 4)::int]
                                    WHERE c.id IS NOT NULL AND n > 0) f(status)
                WHERE c.organisation_id = %s
                """,
                [PLACEHOLDER, organisation.pk],
            )
            self.log("follow-ups", started)
            cursor.execute(
                """
                INSERT INTO referrals_referral (id, version, data_key_id, case_id, sender_organisation_id,
                    organisation_id, reference, services, urgency, reason, needs, shared_groups, status,
                    consent_overridden_by_id, consent_override_reason, created_by_id, created_at, updated_at,
                    sent_at, sent_by_id, decline_reason, completed_at, outcome, withdraw_reason, closing_notes,
                    ended_at)
                SELECT gen_random_uuid(), 1, c.data_key_id, c.id, c.organisation_id, p.partner,
                       'R-B-' || row_number() OVER (), ARRAY[p.service], 'routine', %s, %s, ARRAY['identity'],
                       p.status, c.opened_by_id, %s, c.opened_by_id, c.opened_at, c.opened_at, c.opened_at,
                       c.opened_by_id, CASE WHEN p.status = 'declined' THEN 'NoCapacity' ELSE '' END,
                       CASE WHEN p.status = 'completed' THEN c.opened_at + interval '60 days' END,
                       CASE WHEN p.status = 'completed' THEN 'Provided' ELSE '' END, '', %s,
                       CASE WHEN p.status IN ('declined', 'completed') THEN c.opened_at + interval '60 days' END
                FROM cases_case c
                CROSS JOIN LATERAL (
                    SELECT (%s::uuid[])[1 + floor(random() * %s)::int],
                           (ARRAY['shelter', 'medical', 'legal_aid', 'return'])[1 + floor(random() * 4)::int],
                           (ARRAY['sent', 'accepted', 'declined', 'completed', 'completed'])
                               [1 + floor(random() * 5)::int]
                    WHERE c.id IS NOT NULL
                ) p(partner, service, status)
                WHERE c.organisation_id = %s AND random() < 0.25
                """,
                [PLACEHOLDER, PLACEHOLDER, PLACEHOLDER, PLACEHOLDER, partners, len(partners), organisation.pk],
            )
            self.log("referrals", started)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.log("statistics rows ready", started)

    # --- the summary's rebuilds ------------------------------------------------------------------

    def _refresh(self, organisation: Organisation) -> None:
        """Beat's whole rebuild (then a vacuum), and a revocation's write during a
        whole rebuild (it touches no summary row, so it does not wait)."""
        started = time.perf_counter()
        rows = case_facts_refresh()
        self.stdout.write(
            f"summary rebuilt (beat): {rows:,} rows and {PanelCount.objects.count():,} kept counts "
            f"in {(time.perf_counter() - started) * 1000:.0f} ms"
        )
        started = time.perf_counter()
        self._vacuum()
        self.stdout.write(f"  then vacuumed (autovacuum would) in {(time.perf_counter() - started) * 1000:.0f} ms")
        whole = threading.Thread(target=self._rebuild_in_own_connection)
        whole.start()
        time.sleep(1)  # the whole rebuild is under way
        consent = Consent.objects.filter(case__organisation=organisation, scope="reporting", revoked_at__isnull=True)
        started = time.perf_counter()
        with transaction.atomic():  # what a revocation writes; rolled back
            Consent.objects.filter(pk=consent.values("pk")[:1]).update(
                revoked_at=timezone.now(), revoked_by_id=F("recorded_by_id")
            )
            waited = (time.perf_counter() - started) * 1000
            transaction.set_rollback(True)
        whole.join()
        self._vacuum()
        self.stdout.write(f"  a revocation 1 s into a whole rebuild: {waited:.0f} ms (it does not wait)")

    def _withdrawn(self, organisation: Organisation, scopes: dict[str, Filters], rounds: int) -> None:
        """Two panels with 1,000 consents revoked since the rebuild (rolled back after)."""
        with transaction.atomic():
            live = Consent.objects.filter(case__organisation=organisation, scope="reporting", revoked_at__isnull=True)
            Consent.objects.filter(pk__in=live.values("pk")[:1000]).update(
                revoked_at=timezone.now(), revoked_by_id=F("recorded_by_id")
            )
            for name in ("gender", "follow-ups"):
                samples = time_ms(functools.partial(table, PANELS[name], scopes["all"]), rounds, warmup=1)
                self.row(f"{name} · all, 1,000 revoked since", samples)
            transaction.set_rollback(True)

    @staticmethod
    def _vacuum() -> None:
        """What autovacuum does within a minute or so of each rebuild (it
        replaced every row): measured after it, as the panels run between
        rebuilds. (Measured straight after a rebuild they were up to twice as slow.)"""
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) reporting_casefact, reporting_panelcount")

    @staticmethod
    def _rebuild_in_own_connection() -> None:
        try:
            case_facts_refresh()
        finally:
            connection.close()
