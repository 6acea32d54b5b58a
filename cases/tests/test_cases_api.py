"""Survivors and cases over the API: access by grants only, scoped lists with
a fixed query count, concurrency, consent rules, break-glass, duplicates."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import TeamMembership, User
from accounts.tests.factories import UserFactory
from cases.models import Case, CaseNote, CaseUserObjectPermission, Consent, GrantReason
from cases.tasks import notify_break_glass
from cases.tests.factories import make_case, make_survivor
from conftest import Cast

PROBLEM = "application/problem+json"
Client = Callable[[User | None], APIClient]


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def case_url(case: Case, suffix: str = "") -> str:
    return f"/api/v1/cases/{case.pk}{suffix}"


@pytest.fixture
def alices_case(cast: Cast) -> Case:
    return make_case(opened_by=cast.alice, team=cast.team_a, risk_level="high")


# --- access -------------------------------------------------------------------------------


def test_case_is_seen_by_owner_and_team_supervisor_only(cast: Cast, client_for: Client, alices_case: Case) -> None:
    for persona, expected in [("alice", 200), ("sam", 200), ("bob", 404), ("charlie", 404)]:
        response = client_for(cast.persona(persona)).get(case_url(alices_case))
        assert response.status_code == expected, persona
    for persona in ("cora", "pat", "audrey", "adam", "root"):
        problem(client_for(cast.persona(persona)).get(case_url(alices_case)), 403)


def test_unseen_and_nonexistent_cases_answer_the_same(cast: Cast, client_for: Client, alices_case: Case) -> None:
    as_charlie = client_for(cast.charlie)
    unseen = as_charlie.get(case_url(alices_case))
    missing = as_charlie.get("/api/v1/cases/00000000-0000-4000-8000-000000000000")
    assert unseen.status_code == missing.status_code == 404
    assert unseen.json() == missing.json()


def test_superuser_sees_no_cases(cast: Cast, client_for: Client, alices_case: Case) -> None:
    problem(client_for(cast.root).get("/api/v1/cases/"), 403)
    problem(client_for(cast.root).get(case_url(alices_case)), 403)


def test_access_list_says_who_and_why(cast: Cast, client_for: Client, alices_case: Case) -> None:
    entries = client_for(cast.alice).get(case_url(alices_case, "/access/")).json()
    reasons = {(e["user"]["username"] if e["user"] else e["group"], e["reason"]) for e in entries}
    assert ("alice", GrantReason.OWNER) in reasons
    assert any(reason == GrantReason.TEAM_SUPERVISOR for _, reason in reasons)
    owner = next(e for e in entries if e["reason"] == GrantReason.OWNER)
    assert owner["permissions"] == ["change_case", "view_case"]
    assert owner["granted_by"] == str(cast.alice.pk)
    supervisors = next(e for e in entries if e["reason"] == GrantReason.TEAM_SUPERVISOR)
    assert supervisors["team"] == str(cast.team_a.pk)
    assert supervisors["permissions"] == ["assign_case", "change_case", "view_case"]


def test_assignment_grants_and_withdraws_access(cast: Cast, client_for: Client, alices_case: Case) -> None:
    as_sam, as_bob = client_for(cast.sam), client_for(cast.bob)
    assert as_bob.get(case_url(alices_case)).status_code == 404
    etag = as_sam.get(case_url(alices_case))["ETag"]
    response = as_sam.post(case_url(alices_case, "/assign"), {"assignees": [str(cast.bob.pk)]}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert str(cast.bob.pk) in response.json()["assignees"]
    assert as_bob.get(case_url(alices_case)).status_code == 200
    grant = CaseUserObjectPermission.objects.get(
        content_object=alices_case, user=cast.bob, permission__codename="view_case"
    )
    assert (grant.reason, grant.granted_by_id) == (GrantReason.ASSIGNED, cast.sam.pk)

    response = as_sam.post(case_url(alices_case, "/assign"), {"assignees": []}, HTTP_IF_MATCH=response["ETag"])
    assert response.status_code == 200
    assert as_bob.get(case_url(alices_case)).status_code == 404
    assert client_for(cast.alice).get(case_url(alices_case)).status_code == 200  # the owner stays


def test_assignees_must_be_caseworkers_of_the_team(cast: Cast, client_for: Client, alices_case: Case) -> None:
    as_sam = client_for(cast.sam)
    etag = as_sam.get(case_url(alices_case))["ETag"]
    for outsider in (cast.charlie, cast.cora, cast.pat):
        body = problem(
            as_sam.post(case_url(alices_case, "/assign"), {"assignees": [str(outsider.pk)]}, HTTP_IF_MATCH=etag), 400
        )
        assert "assignees" in body["errors"]
    assert not CaseUserObjectPermission.objects.filter(content_object=alices_case, reason="assigned").exists()


def test_ids_in_a_body_must_name_rows_the_caller_may_name(cast: Cast, client_for: Client, alices_case: Case) -> None:
    """Scoped related fields: an unknown, inactive or out-of-scope id is a 400
    naming the field (never a 404 or 500), and nothing is written."""
    import uuid

    as_sam, as_alice = client_for(cast.sam), client_for(cast.alice)
    etag = as_sam.get(case_url(alices_case))["ETag"]
    gone = UserFactory.create(username="gone")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    for bad in (str(uuid.uuid4()), str(gone.pk)):
        body = problem(as_sam.post(case_url(alices_case, "/assign"), {"assignees": [bad]}, HTTP_IF_MATCH=etag), 400)
        assert body["errors"] == {"assignees.0": ["Unknown or inactive user."]}
        body = problem(
            as_alice.post(case_url(alices_case, "/follow-ups/"), {"due_on": "2030-01-01", "assignee": bad}), 400
        )
        assert body["errors"] == {"assignee": ["Unknown or inactive user."]}
    survivor = make_survivor(created_by=cast.alice)
    for team in (cast.team_b.pk, uuid.uuid4()):  # not alice's team; no team at all
        body = problem(as_alice.post("/api/v1/cases/", {"survivor": str(survivor.pk), "team": str(team)}), 400)
        assert body["errors"] == {"team": ["You can open cases only in your own teams."]}
    assert not alices_case.follow_ups.exists() and Case.objects.count() == 1


def test_owner_may_not_assign_or_reopen(cast: Cast, client_for: Client, alices_case: Case) -> None:
    as_alice = client_for(cast.alice)
    etag = as_alice.get(case_url(alices_case))["ETag"]
    problem(as_alice.post(case_url(alices_case, "/assign"), {"assignees": []}, HTTP_IF_MATCH=etag), 403)


def test_supervisor_access_follows_team_membership(cast: Cast, client_for: Client, alices_case: Case) -> None:
    assert client_for(cast.sam).get(case_url(alices_case)).status_code == 200
    TeamMembership.objects.filter(user=cast.sam, team=cast.team_a).delete()
    assert client_for(cast.sam).get(case_url(alices_case)).status_code == 404
    TeamMembership.objects.create(user=cast.sam, team=cast.team_a)
    assert client_for(cast.sam).get(case_url(alices_case)).status_code == 200


def test_notes_of_a_case_are_only_for_those_on_it(cast: Cast, client_for: Client, alices_case: Case) -> None:
    response = client_for(cast.alice).post(case_url(alices_case, "/notes/"), {"body": "Met at the shelter."})
    assert response.status_code == 201
    assert client_for(cast.sam).get(case_url(alices_case, "/notes/")).json()["results"][0]["body"] == (
        "Met at the shelter."
    )
    problem(client_for(cast.charlie).get(case_url(alices_case, "/notes/")), 404)
    problem(client_for(cast.charlie).post(case_url(alices_case, "/notes/"), {"body": "x"}), 404)
    assert CaseNote.objects.filter(case=alices_case).count() == 1


# --- lists: scoped in the database, fixed query count -------------------------------------


def test_case_list_shows_only_visible_cases(cast: Cast, client_for: Client, alices_case: Case) -> None:
    charlies = make_case(opened_by=cast.charlie, team=cast.team_b)
    ids = lambda who: {c["id"] for c in client_for(who).get("/api/v1/cases/").json()["results"]}  # noqa: E731
    assert ids(cast.alice) == {str(alices_case.pk)}
    assert ids(cast.charlie) == {str(charlies.pk)}
    assert ids(cast.sam) == {str(alices_case.pk)}
    assert ids(cast.bob) == set()


def test_case_list_filters(cast: Cast, client_for: Client) -> None:
    high = make_case(
        opened_by=cast.alice, team=cast.team_a, risk_level="high", exploitation_types=["SexualExploitation"]
    )
    low = make_case(opened_by=cast.alice, team=cast.team_a, risk_level="low", exploitation_types=["ForcedBegging"])
    as_alice = client_for(cast.alice)

    def ids(query: str) -> set[str]:
        response = as_alice.get(f"/api/v1/cases/?{query}")
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["results"]}

    assert ids("risk_level=high") == {str(high.pk)}
    assert ids("exploitation_type=ForcedBegging") == {str(low.pk)}
    assert ids("status=Active") == {str(high.pk), str(low.pk)}
    assert ids(f"assignee={cast.alice.pk}") == {str(high.pk), str(low.pk)}
    assert ids(f"assignee={cast.bob.pk}") == set()
    assert ids(f"team={cast.team_b.pk}") == set()
    assert ids("opened_after=2000-01-01T00:00:00Z") == {str(high.pk), str(low.pk)}
    assert ids("opened_before=2000-01-01T00:00:00Z") == set()
    problem(as_alice.get("/api/v1/cases/?opened_after=yesterday"), 400)
    problem(as_alice.get("/api/v1/cases/?assignee=not-a-uuid"), 400)
    problem(as_alice.get("/api/v1/cases/?status=Open"), 400)  # not a case status: an error, not an empty list
    problem(as_alice.get("/api/v1/cases/?risk_level=extreme"), 400)
    problem(as_alice.get("/api/v1/cases/?exploitation_type=Piracy"), 400)


def test_case_rows_name_the_survivor_and_the_next_follow_up(cast: Cast, client_for: Client) -> None:
    from audit.models import AccessLogEntry
    from cases.services import follow_up_create, survivor_erase

    today = timezone.localdate()
    late = make_case(
        opened_by=cast.alice, team=cast.team_a, survivor=make_survivor(given_names="Aigul", family_name="Ten")
    )
    soon = make_case(opened_by=cast.alice, team=cast.team_a)
    quiet = make_case(opened_by=cast.alice, team=cast.team_a)
    follow_up_create(
        case=late, created_by=cast.alice, assignee=cast.alice, due_on=today - datetime.timedelta(days=2), description=""
    )
    follow_up_create(
        case=late, created_by=cast.alice, assignee=cast.alice, due_on=today + datetime.timedelta(days=9), description=""
    )
    follow_up_create(case=soon, created_by=cast.alice, assignee=cast.alice, due_on=today, description="")
    rows = {row["reference"]: row for row in client_for(cast.alice).get("/api/v1/cases/").json()["results"]}
    assert rows[late.reference]["survivor_name"] == "Aigul Ten"
    assert rows[late.reference]["next_follow_up_on"] == (today - datetime.timedelta(days=2)).isoformat()
    assert rows[late.reference]["follow_up_overdue"] is True
    assert rows[soon.reference]["follow_up_overdue"] is False  # due today is not overdue
    assert rows[quiet.reference]["next_follow_up_on"] is None and rows[quiet.reference]["follow_up_overdue"] is False
    entry = AccessLogEntry.objects.filter(actor=cast.alice, object_type="case").latest("id")
    assert set(entry.survivor_ids) == {
        late.survivor_id,
        soon.survivor_id,
        quiet.survivor_id,
    }  # names shown = survivors read
    survivor_erase(survivor=late.survivor, acting_user=cast.adam)
    rows = {row["reference"]: row for row in client_for(cast.alice).get("/api/v1/cases/").json()["results"]}
    assert rows[late.reference]["survivor_name"] is None


def test_a_supervisor_sees_the_teams_overdue_follow_ups_with_assignee_anyone(cast: Cast, client_for: Client) -> None:
    from cases.services import follow_up_create

    today = timezone.localdate()
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    late = follow_up_create(
        case=case, created_by=cast.alice, assignee=cast.alice, due_on=today - datetime.timedelta(days=4), description=""
    )
    follow_up_create(case=case, created_by=cast.alice, assignee=cast.alice, due_on=today, description="")

    def ids(user: User, query: str) -> list[str]:
        response = client_for(user).get(f"/api/v1/follow-ups/{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(cast.sam, "?when=overdue") == []  # none of them is the supervisor's own
    assert ids(cast.sam, "?when=overdue&assignee=anyone") == [str(late.pk)]
    assert len(ids(cast.sam, "?assignee=anyone")) == 2
    assert ids(cast.alice, "?when=overdue&assignee=me") == [str(late.pk)]
    assert ids(cast.charlie, "?assignee=anyone") == []  # another team's cases stay unseen
    problem(client_for(cast.sam).get("/api/v1/follow-ups/?assignee=everyone"), 400)


def test_cases_are_found_by_reference_and_by_survivor(cast: Cast, client_for: Client) -> None:
    first = make_case(opened_by=cast.alice, team=cast.team_a)
    second = make_case(opened_by=cast.alice, team=cast.team_a)
    as_alice = client_for(cast.alice)
    found = as_alice.get(f"/api/v1/cases/?reference={first.reference.lower()}").json()["results"]
    assert [row["id"] for row in found] == [str(first.pk)]
    found = as_alice.get(f"/api/v1/cases/?survivor={second.survivor_id}").json()["results"]
    assert [row["id"] for row in found] == [str(second.pk)]
    assert as_alice.get("/api/v1/cases/?reference=C-").json()["results"]  # the start of a reference
    assert problem(as_alice.get("/api/v1/cases/?colour=red"), 400)["errors"] == {"colour": ["Unknown query parameter."]}
    problem(as_alice.get("/api/v1/cases/?reference=%25"), 400)  # no LIKE patterns


@pytest.mark.parametrize(
    ("url", "per_page"),
    [("/api/v1/cases/", "cases"), ("/api/v1/survivors/", "survivors"), ("/api/v1/follow-ups/", "follow-ups")],
)
def test_list_query_count_does_not_grow_with_page_size(cast: Cast, client_for: Client, url: str, per_page: str) -> None:
    from cases.services import follow_up_create

    for _ in range(6):
        case = make_case(opened_by=cast.alice, team=cast.team_a)
        follow_up_create(
            case=case, created_by=cast.alice, assignee=cast.alice, due_on=datetime.date(2026, 1, 1), description="call"
        )
    as_alice = client_for(cast.alice)
    counts = []
    for size in (2, 6):
        with CaptureQueriesContext(connection) as queries:
            response = as_alice.get(f"{url}?page_size={size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # 1-2: the bearer token and its user (knox); 3: the page, scoped by the
    # grant tables (cases: with the workers and the next follow-up as
    # columns); cases also 4: the page's survivors with their data keys, for
    # their names; then the access-log row of the page's ids; the request's
    # transaction adds SAVEPOINT and RELEASE around the view.
    expected = 7 if per_page == "cases" else 6
    assert counts[0] == expected, [q["sql"][:80] for q in queries.captured_queries]


# --- writes: ETags, concurrency, constraints, bad input ------------------------------------


def test_concurrent_updates_with_one_etag_lose_nothing(cast: Cast, client_for: Client, alices_case: Case) -> None:
    as_alice, as_sam = client_for(cast.alice), client_for(cast.sam)
    etag = as_alice.get(case_url(alices_case))["ETag"]
    first = as_alice.patch(case_url(alices_case), {"risk_level": "low"}, HTTP_IF_MATCH=etag)
    second = as_sam.patch(case_url(alices_case), {"summary": "Supervisor edit"}, HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    problem(second, 412)
    alices_case.refresh_from_db()
    assert (alices_case.risk_level, alices_case.summary, alices_case.version) == ("low", "", 2)
    problem(as_sam.patch(case_url(alices_case), {"summary": "x"}), 428)


@pytest.mark.django_db(transaction=True)
def test_concurrent_case_openings_get_unique_references(cast: Cast) -> None:
    survivors = [make_survivor(created_by=cast.alice) for _ in range(8)]
    references: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(survivors))

    def open_one(survivor: Any) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                references.append(make_case(opened_by=cast.alice, team=cast.team_a, survivor=survivor).reference)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_one, args=(s,)) for s in survivors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    year = timezone.now().year
    assert sorted(references) == [f"C-{year}-{n:06d}" for n in range(1, 9)]


def test_closing_needs_a_reason_and_reopening_a_supervisor(cast: Cast, client_for: Client, alices_case: Case) -> None:
    as_alice, as_sam = client_for(cast.alice), client_for(cast.sam)
    etag = as_alice.get(case_url(alices_case))["ETag"]
    problem(as_alice.post(case_url(alices_case, "/close"), {}, HTTP_IF_MATCH=etag), 400)
    problem(as_alice.post(case_url(alices_case, "/close"), {"closure_reason": "Bored"}, HTTP_IF_MATCH=etag), 400)
    closed = as_alice.post(case_url(alices_case, "/close"), {"closure_reason": "GoalsAchieved"}, HTTP_IF_MATCH=etag)
    assert closed.status_code == 200
    assert closed.json()["status"] == "Closed"
    problem(as_alice.post(case_url(alices_case, "/notes/"), {"body": "late"}), 409)
    problem(as_alice.post(case_url(alices_case, "/reopen"), HTTP_IF_MATCH=closed["ETag"]), 403)
    reopened = as_sam.post(case_url(alices_case, "/reopen"), HTTP_IF_MATCH=closed["ETag"])
    assert reopened.status_code == 200
    assert (reopened.json()["status"], reopened.json()["closure_reason"]) == ("Active", "")


def test_database_refuses_a_closed_case_without_reason(alices_case: Case) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=alices_case.pk).update(status="Closed", closed_at=timezone.now())


@pytest.mark.parametrize(
    "payload",
    [
        {"risk_level": "extreme"},
        {"exploitation_types": ["Piracy"]},
        {"exploitation_types": "ForcedLabour"},
        {"countries_of_exploitation": ["Russia"]},
        {"labour_industry": "Z"},
        {"summary": 12},
        {"summary": "x" * 20001},
        {"trafficking_status": None},
        {"regions_of_recruitment": [{"a": 1}]},
    ],
)
def test_bad_case_input_is_a_problem_and_changes_nothing(
    cast: Cast, client_for: Client, alices_case: Case, payload: dict[str, Any]
) -> None:
    as_alice = client_for(cast.alice)
    etag = as_alice.get(case_url(alices_case))["ETag"]
    body = problem(as_alice.patch(case_url(alices_case), payload, format="json", HTTP_IF_MATCH=etag), 400)
    assert set(body["errors"]) & set(payload) or body["errors"]
    alices_case.refresh_from_db()
    assert alices_case.version == 1
    create = as_alice.post(
        "/api/v1/cases/",
        {"survivor": str(alices_case.survivor_id), "team": str(cast.team_a.pk), **payload},
        format="json",
    )
    problem(create, 400)
    assert Case.objects.count() == 1


def test_opening_a_case_in_someone_elses_team_is_refused(cast: Cast, client_for: Client) -> None:
    survivor = make_survivor(created_by=cast.alice)
    body = problem(
        client_for(cast.alice).post("/api/v1/cases/", {"survivor": str(survivor.pk), "team": str(cast.team_b.pk)}),
        400,
    )
    assert "team" in body["errors"]
    problem(
        client_for(cast.charlie).post("/api/v1/cases/", {"survivor": str(survivor.pk), "team": str(cast.team_b.pk)}),
        404,
    )


# --- consents -----------------------------------------------------------------------------


def test_consent_rules(cast: Cast, client_for: Client, alices_case: Case) -> None:
    as_alice = client_for(cast.alice)
    url = case_url(alices_case, "/consents/")
    base = {"given_by": "survivor", "method": "written", "given_at": "2026-11-01T10:00:00Z"}
    problem(as_alice.post(url, {**base, "scope": "referral"}), 400)  # no organisation
    problem(as_alice.post(url, {**base, "scope": "services", "organisation": str(cast.partner_org.pk)}), 400)
    problem(as_alice.post(url, {**base, "scope": "services", "expires_at": "2026-10-01T00:00:00Z"}), 400)
    problem(as_alice.post(url, {**base, "scope": "services", "given_at": "2099-01-01T00:00:00Z"}), 400)
    assert Consent.objects.count() == 0

    created = as_alice.post(url, {**base, "scope": "referral", "organisation": str(cast.partner_org.pk)})
    assert created.status_code == 201, created.content
    assert created.json()["expires_at"] == "2027-01-30T10:00:00Z"  # 90 days
    assert created.json()["is_live"] is True
    revoke = case_url(alices_case, f"/consents/{created.json()['id']}/revoke")
    problem(as_alice.post(revoke), 428)
    revoked = as_alice.post(revoke, HTTP_IF_MATCH=created["ETag"])
    assert revoked.status_code == 200
    assert revoked.json()["is_live"] is False
    assert revoked.json()["revoked_by"] == str(cast.alice.pk)
    problem(as_alice.post(revoke, HTTP_IF_MATCH=revoked["ETag"]), 409)


def test_database_refuses_a_consent_expiring_before_it_was_given(alices_case: Case, cast: Cast) -> None:
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(
            case=alices_case,
            scope="services",
            given_by="survivor",
            method="verbal",
            given_at=now,
            expires_at=now - datetime.timedelta(days=1),
            recorded_by=cast.alice,
        )


# --- break-glass ----------------------------------------------------------------------------


def test_break_glass_opens_a_case_for_a_time_and_notifies(
    cast: Cast, client_for: Client, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    charlies = make_case(opened_by=cast.charlie, team=cast.team_b, summary="CANARY-SUMMARY")
    cast.audrey.email = "audrey@example.invalid"
    cast.audrey.save()
    as_sam = client_for(cast.sam)
    assert as_sam.get(case_url(charlies)).status_code == 404
    problem(as_sam.post(case_url(charlies, "/break-glass"), {"reason": "short"}), 400)
    problem(client_for(cast.alice).post(case_url(charlies, "/break-glass"), {"reason": "I need it right now"}), 404)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = as_sam.post(case_url(charlies, "/break-glass"), {"reason": "Survivor at the door, CANARY-REASON"})
    assert response.status_code == 201, response.content
    assert len(callbacks) == 1
    assert as_sam.get(case_url(charlies)).status_code == 200
    problem(as_sam.patch(case_url(charlies), {"risk_level": "low"}, HTTP_IF_MATCH='"v1"'), 403)  # read only
    problem(as_sam.post(case_url(charlies, "/break-glass"), {"reason": "Survivor at the door again"}), 409)

    grant = CaseUserObjectPermission.objects.get(content_object=charlies, user=cast.sam, reason="break_glass")
    assert notify_break_glass(str(grant.pk)) == 1
    assert notify_break_glass(str(grant.pk)) == 0  # a retried task mails nobody twice
    message = mail.outbox[-1]
    assert message.to == ["audrey@example.invalid"]
    assert charlies.reference in message.body
    assert "CANARY" not in f"{message.subject} {message.body}"

    CaseUserObjectPermission.objects.filter(pk=grant.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert as_sam.get(case_url(charlies)).status_code == 404


def test_break_glass_by_reference_reaches_only_existing_cases_and_only_for_holders(
    cast: Cast, client_for: Client
) -> None:
    charlies = make_case(opened_by=cast.charlie, team=cast.team_b)
    url = "/api/v1/cases/break-glass"
    body = {"reference": charlies.reference.lower(), "reason": "Survivor at the door, no file here"}
    problem(client_for(cast.alice).post(url, body), 404)  # no break-glass permission: the case does not exist
    problem(client_for(cast.sam).post(url, {**body, "reference": "C-1999-000001"}), 404)
    as_sam = client_for(cast.sam)
    answer = as_sam.post(url, body)
    assert answer.status_code == 201 and answer.json()["case"] == str(charlies.pk)
    detail = as_sam.get(case_url(charlies)).json()
    assert detail["allowed_actions"] == []  # read only
    entry = as_sam.get(case_url(charlies, "/access/")).json()
    assert any(row["reason"] == "break_glass" and row["user"]["username"] == "sam" for row in entry)


# --- survivors and duplicates ------------------------------------------------------------------


def test_survivor_registration_and_duplicates_across_scripts(cast: Cast, client_for: Client) -> None:
    as_alice = client_for(cast.alice)
    created = as_alice.post(
        "/api/v1/survivors/",
        {
            "given_names": "Анна",
            "family_name": "Иванова",
            "date_of_birth": "1999-03-04",
            "phone": "+7 916 123-45-67",
            "identity_documents": [{"type": "passport", "number": "AB 123456", "issuing_country": "UZB"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    survivor_id = created.json()["id"]
    assert created.json()["family_name"] == "Иванова"

    found = as_alice.post("/api/v1/survivors/duplicates", {"name": "Anna Ivanova"}).json()
    assert found == {"matches": [{"survivor_id": survivor_id, "matched_on": ["name"]}], "others_exist": False}
    found = as_alice.post(
        "/api/v1/survivors/duplicates", {"phone": "89161234567", "document_number": "ab-123456"}
    ).json()
    assert found["matches"][0]["matched_on"] == ["document", "phone"]

    as_charlie = client_for(cast.charlie)
    assert as_charlie.post("/api/v1/survivors/duplicates", {"name": "IVANOVA Anna"}).json() == {
        "matches": [],
        "others_exist": True,
    }
    problem(as_charlie.get(f"/api/v1/survivors/{survivor_id}"), 404)
    problem(as_alice.post("/api/v1/survivors/duplicates", {}), 400)
    problem(as_alice.get("/api/v1/survivors/duplicates"), 405)


def test_survivor_update_needs_if_match_and_reindexes(cast: Cast, client_for: Client) -> None:
    as_alice = client_for(cast.alice)
    created = as_alice.post("/api/v1/survivors/", {"given_names": "Olga", "family_name": "Petrova"}, format="json")
    url = f"/api/v1/survivors/{created.json()['id']}"
    problem(as_alice.patch(url, {"family_name": "Smirnova"}), 428)
    updated = as_alice.patch(url, {"family_name": "Smirnova"}, HTTP_IF_MATCH=created["ETag"])
    assert updated.status_code == 200
    problem(as_alice.patch(url, {"family_name": "Again"}, HTTP_IF_MATCH=created["ETag"]), 412)
    assert as_alice.post("/api/v1/survivors/duplicates", {"name": "Olga Smirnova"}).json()["matches"]
    assert not as_alice.post("/api/v1/survivors/duplicates", {"name": "Olga Petrova"}).json()["matches"]
    # a survivor keeps a name or an alias
    etag = as_alice.get(url)["ETag"]
    blank = as_alice.patch(url, {"given_names": "", "family_name": ""}, format="json", HTTP_IF_MATCH=etag)
    assert "given_names" in problem(blank, 400)["errors"]
    assert as_alice.get(url).json()["family_name"] == "Smirnova"


@pytest.mark.parametrize(
    "payload",
    [
        {"given_names": 5},
        {"given_names": "x" * 201},
        {"date_of_birth": "31/12/1990"},
        {"date_of_birth": "1990-02-30"},
        {"aliases": "Anna"},
        {"aliases": [1, 2]},
        {"email": "not-an-email"},
        {"citizenships": ["Uzbekistan"]},
        {"languages": ["Russian"]},
        {"birth_year": 1800},
        {"gender": "Unknown"},
        {"identity_documents": [{"type": "passport"}]},
        {"identity_documents": [{"type": "passport", "number": "1", "expiry": "soon"}]},
        {"identity_documents": {"type": "passport", "number": "1"}},
    ],
)
def test_bad_survivor_input_is_a_problem_and_changes_nothing(
    cast: Cast, client_for: Client, payload: dict[str, Any]
) -> None:
    response = client_for(cast.alice).post("/api/v1/survivors/", {"family_name": "Ok", **payload}, format="json")
    body = problem(response, 400)
    assert set(body["errors"]) & {key.split(".")[0] for key in payload} or any(
        key.startswith(tuple(payload)) for key in body["errors"]
    )
    assert "x" * 201 not in response.content.decode()  # errors never echo input
    from cases.models import Survivor

    assert Survivor.objects.count() == 0


def test_erased_survivor_shows_no_identity(cast: Cast, client_for: Client, alices_case: Case) -> None:
    from cases.services import survivor_erase

    survivor_erase(survivor=alices_case.survivor, acting_user=cast.sam)
    body = client_for(cast.alice).get(f"/api/v1/survivors/{alices_case.survivor_id}").json()
    assert body["erased"] is True
    assert body["given_names"] is None and body["identity_documents"] is None
    assert body["citizenships"] == ["UZB"]  # statistics stay
    assert client_for(cast.alice).get(case_url(alices_case)).json()["summary"] is None


def test_no_survivor_pii_in_logs_of_a_full_workflow(
    cast: Cast, client_for: Client, caplog: pytest.LogCaptureFixture
) -> None:
    canary = "Canaryname-Zhazira"
    as_alice, as_sam = client_for(cast.alice), client_for(cast.sam)
    with caplog.at_level("DEBUG"):
        survivor = as_alice.post(
            "/api/v1/survivors/", {"given_names": canary, "phone": "+79990001122", "address": canary}, format="json"
        ).json()
        case = as_alice.post(
            "/api/v1/cases/",
            {"survivor": survivor["id"], "team": str(cast.team_a.pk), "summary": canary},
            format="json",
        )
        assert case.status_code == 201
        url = f"/api/v1/cases/{case.json()['id']}"
        as_alice.post(f"{url}/notes/", {"body": canary})
        as_sam.post(f"{url}/assign", {"assignees": [str(cast.bob.pk)]}, HTTP_IF_MATCH=case["ETag"], format="json")
        as_alice.post("/api/v1/survivors/duplicates", {"name": canary})
        client_for(cast.charlie).get(url)
        client_for(cast.charlie).post(f"{url}/notes/", {"body": canary})
    assert caplog.records, "the workflow logs something (grants, assignments)"
    assert all(
        canary not in record.getMessage() and "79990001122" not in record.getMessage() for record in caplog.records
    )


@pytest.mark.django_db(transaction=True)
def test_simultaneous_updates_with_one_etag_one_wins(cast: Cast) -> None:
    """Six clients PATCH the same case at once with the same ETag: exactly one
    200, five 412, and the case holds the winner's change only."""
    from accounts.tests.factories import issue_token

    case = make_case(opened_by=cast.alice, team=cast.team_a)
    tokens = [issue_token(cast.alice, device=f"d{i}") for i in range(6)]
    statuses: list[int] = []
    barrier = threading.Barrier(len(tokens))

    def patch(i: int, token: str) -> None:
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
            barrier.wait()
            statuses.append(
                client.patch(
                    case_url(case), {"summary": f"writer {i}"}, format="json", HTTP_IF_MATCH='"v1"'
                ).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=patch, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 412, 412, 412, 412, 412]
    case.refresh_from_db()
    assert case.version == 2
    assert (case.summary or "").startswith("writer ")


def test_case_errors_answer_in_the_users_language(cast: Cast, client_for: Client, alices_case: Case) -> None:
    cast.alice.language = "ru"
    cast.alice.save()
    as_alice = client_for(cast.alice)
    etag = as_alice.get(case_url(alices_case))["ETag"]
    closed = as_alice.post(case_url(alices_case, "/close"), {"closure_reason": "LostContact"}, HTTP_IF_MATCH=etag)
    again = as_alice.post(
        case_url(alices_case, "/close"), {"closure_reason": "LostContact"}, HTTP_IF_MATCH=closed["ETag"]
    )
    assert problem(again, 409)["detail"] == "Дело уже закрыто."
    assert again["Content-Language"] == "ru"


def test_an_erased_survivors_case_reads_without_identity_and_refuses_writes(cast: Cast, client_for: Client) -> None:
    """After crypto-shredding every read still answers (encrypted text as null)
    and every write that would encrypt with the destroyed key is a 409, never a 500."""
    from cases.services import survivor_erase
    from cases.tests.factories import make_case_with_everything

    ids = make_case_with_everything(cast.alice, cast.team_a)
    case = Case.objects.get(pk=ids["case_id"])
    survivor_erase(survivor=case.survivor, acting_user=cast.sam)
    as_alice = client_for(cast.alice)
    url = case_url(case)
    for suffix, field in [("/notes/", "body"), ("/milestones/", "description"), ("/follow-ups/", "description")]:
        response = as_alice.get(url + suffix)
        assert response.status_code == 200, (suffix, response.content)
        assert response.json()["results"][0][field] is None
    assert as_alice.get("/api/v1/follow-ups/").json()["results"][0]["description"] is None
    note = as_alice.get(f"{url}/notes/{ids['note_id']}")
    assert note.status_code == 200 and note.json()["body"] is None

    etag = as_alice.get(url)["ETag"]
    problem(as_alice.patch(url, {"summary": "new"}, HTTP_IF_MATCH=etag), 409)
    problem(as_alice.post(f"{url}/notes/", {"body": "new"}), 409)
    problem(as_alice.patch(f"{url}/notes/{ids['note_id']}", {"body": "new"}, HTTP_IF_MATCH=note["ETag"]), 409)
    problem(as_alice.post(f"{url}/milestones/", {"kind": "support_plan_item", "starts_on": "2026-01-01"}), 409)
    survivor = as_alice.get(f"/api/v1/survivors/{ids['survivor_id']}")
    problem(
        as_alice.patch(f"/api/v1/survivors/{ids['survivor_id']}", {"family_name": "X"}, HTTP_IF_MATCH=survivor["ETag"]),
        409,
    )


@pytest.mark.parametrize(
    ("given_at", "expires_at"),
    [
        ("0414-05-01T10:00:00Z", "1268-01-01T00:00:00Z"),
        ("1899-12-31T23:00:00Z", None),
        ("2026-11-01T10:00:00Z", "2200-01-01T00:00:00Z"),
    ],
)
def test_consent_dates_outside_1900_to_2199_are_refused(
    given_at: str, expires_at: str | None, cast: Cast, client_for: Client, alices_case: Case
) -> None:
    body = {"given_by": "survivor", "method": "written", "scope": "services", "given_at": given_at}
    if expires_at:
        body["expires_at"] = expires_at
    errors = problem(client_for(cast.alice).post(case_url(alices_case, "/consents/"), body), 400)["errors"]
    assert set(errors) <= {"given_at", "expires_at"} and errors
    assert Consent.objects.count() == 0
