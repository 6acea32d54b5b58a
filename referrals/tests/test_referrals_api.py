"""Referrals over the API: the workflow, consent, what a partner sees,
illegal transitions, concurrency, letters, access withdrawal."""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Organisation, OrganisationType, Role, User
from accounts.tests.factories import OrganisationFactory, UserFactory, issue_token
from cases.models import Case, Consent
from cases.services import consent_revoke, survivor_erase
from cases.tests.factories import make_case, make_survivor
from conftest import Cast
from referrals.models import Referral, ReferralGroupObjectPermission, ReferralStatus, ReferralUserObjectPermission
from referrals.tests.factories import assign, give_referral_consent, make_draft, make_sent

PROBLEM = "application/problem+json"
Client = Callable[[User | None], APIClient]


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def url(referral: Referral | str, suffix: str = "") -> str:
    referral_id = referral.pk if isinstance(referral, Referral) else referral
    return f"/api/v1/referrals/{referral_id}{suffix}"


def etag(client: APIClient, referral: Referral | str) -> str:
    response = client.get(url(referral))
    assert response.status_code == 200, response.content
    return str(response["ETag"])


def act(client: APIClient, referral: Referral | str, action: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url(referral, f"/{action}"), body or {}, format="json", HTTP_IF_MATCH=etag(client, referral))


@pytest.fixture
def alices_case(cast: Cast) -> Case:
    return make_case(opened_by=cast.alice, team=cast.team_a, risk_level="high")


@pytest.fixture
def offline_org(db: None) -> Organisation:
    """A state hospital: in the directory, no accounts."""
    return OrganisationFactory.create(
        name="City Hospital No. 1", slug="hospital", org_type=OrganisationType.HEALTH_SERVICE
    )


# --- the workflow -------------------------------------------------------------------------------


def test_full_workflow_from_draft_to_completion(cast: Cast, client_for: Client, alices_case: Case) -> None:
    as_alice, as_petra, as_pat = client_for(cast.alice), client_for(cast.petra), client_for(cast.pat)
    give_referral_consent(alices_case, cast.partner_org, cast.alice)
    created = as_alice.post(
        "/api/v1/referrals/",
        {
            "case": str(alices_case.pk),
            "organisation": str(cast.partner_org.pk),
            "services": ["shelter", "psychological"],
            "urgency": "emergency",
            "reason": "Left the employer's flat last night.",
            "shared_groups": ["needs"],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["reference"].startswith("R-")
    assert body["allowed_actions"] == ["edit", "send", "withdraw"]
    referral_id = body["id"]
    # a draft is invisible to the receiving organisation
    problem(as_petra.get(url(referral_id)), 404)
    assert act(as_alice, referral_id, "send").status_code == 200
    # the receiving desk sees it, unassigned, and assigns it to pat
    queue = as_petra.get("/api/v1/referrals/?awaiting=me").json()["results"]
    assert [row["id"] for row in queue] == [referral_id]
    assert "case" not in queue[0] and "case_reference" not in queue[0]
    problem(as_pat.get(url(referral_id)), 404)
    assigned = act(as_petra, referral_id, "assign", {"assignee": str(cast.pat.pk)})
    assert assigned.status_code == 200 and assigned.json()["assigned_to"] == str(cast.pat.pk)
    assert as_pat.get(url(referral_id)).json()["allowed_actions"] == ["accept", "decline"]
    assert act(as_pat, referral_id, "accept").json()["status"] == "accepted"
    assert act(as_pat, referral_id, "start").json()["status"] == "in_progress"
    delivery = as_pat.post(
        url(referral_id, "/deliveries/"),
        {"service": "shelter", "started_on": "2026-11-01", "ended_on": "2026-11-20", "outcome": "Provided"},
        format="json",
    )
    assert delivery.status_code == 201, delivery.content
    problem(as_pat.post(url(referral_id, "/deliveries/"), {"service": "legal_aid", "started_on": "2026-11-01"}), 400)
    done = act(as_pat, referral_id, "complete", {"outcome": "Provided", "notes": "Moved to long-term housing."})
    assert done.json()["status"] == "completed" and done.json()["ended_at"]
    # the sender sees everything, the deliveries and the outcome
    as_sender = as_alice.get(url(referral_id)).json()
    assert as_sender["case"] == str(alices_case.pk) and as_sender["outcome"] == "Provided"
    assert as_sender["closing_notes"] == "Moved to long-term housing."
    assert len(as_alice.get(url(referral_id, "/deliveries/")).json()["results"]) == 1
    # the recipient keeps access for the grace period only
    grants = ReferralUserObjectPermission.objects.filter(content_object_id=referral_id)
    assert grants and all(g.expires_at and g.expires_at > timezone.now() for g in grants)
    grants.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    ReferralGroupObjectPermission.objects.filter(content_object_id=referral_id, reason="referral").update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    problem(as_pat.get(url(referral_id)), 404)
    problem(as_petra.get(url(referral_id)), 404)
    assert as_alice.get(url(referral_id)).status_code == 200


def test_unknown_organisations_and_assignees_are_named_errors(
    cast: Cast, client_for: Client, alices_case: Case
) -> None:
    import uuid

    as_alice, as_petra = client_for(cast.alice), client_for(cast.petra)
    nowhere = str(uuid.uuid4())
    draft = {"case": str(alices_case.pk), "organisation": nowhere, "services": ["shelter"], "reason": "Needs a bed."}
    body = problem(as_alice.post("/api/v1/referrals/", draft, format="json"), 400)
    assert body["errors"] == {"organisation": ["Unknown organisation."]}
    assert not Referral.objects.exists()
    sent = make_sent(alices_case, cast.partner_org, cast.alice)
    body = problem(act(as_petra, sent, "assign", {"assignee": nowhere}), 400)
    assert body["errors"] == {"assignee": ["Unknown user."]}
    assert Referral.objects.get(pk=sent.pk).assigned_to_id is None


def test_grace_period_is_configurable(cast: Cast, alices_case: Case, settings: Any) -> None:
    from referrals.services import referral_decline

    settings.NGO_REFERRAL_GRACE_DAYS = 2
    referral = assign(make_sent(alices_case, cast.partner_org, cast.alice), cast.pat, cast.petra)
    referral_decline(
        referral=referral, acting_user=cast.pat, expected_version=referral.version, decline_reason="NoCapacity"
    )
    expiry = ReferralUserObjectPermission.objects.filter(content_object=referral).values_list("expires_at", flat=True)
    for expires_at in expiry:
        assert expires_at is not None
        assert datetime.timedelta(days=1, hours=23) < expires_at - timezone.now() <= datetime.timedelta(days=2)


# --- consent ----------------------------------------------------------------------------------------


def test_send_needs_a_live_consent_for_that_organisation(cast: Cast, client_for: Client, alices_case: Case) -> None:
    as_alice = client_for(cast.alice)
    other = OrganisationFactory.create(name="Legal Aid Centre", slug="legal")
    draft = make_draft(alices_case, cast.partner_org, cast.alice)
    # no consent; then consent for another organisation; then an expired one; then a revoked one
    body = problem(act(as_alice, draft, "send"), 409)
    assert body["type"] == "urn:ngo-cases:problem:consent-required"
    give_referral_consent(alices_case, other, cast.alice)
    problem(act(as_alice, draft, "send"), 409)
    long_ago = timezone.now() - datetime.timedelta(days=200)
    give_referral_consent(alices_case, cast.partner_org, cast.alice, given_at=long_ago)  # 90 days: expired
    problem(act(as_alice, draft, "send"), 409)
    revoked = give_referral_consent(alices_case, cast.partner_org, cast.alice)
    consent_revoke(consent=revoked, acting_user=cast.alice, expected_version=revoked.version)
    problem(act(as_alice, draft, "send"), 409)
    draft.refresh_from_db()
    assert (draft.status, draft.version) == (ReferralStatus.DRAFT, 1)
    assert not ReferralGroupObjectPermission.objects.filter(content_object=draft).exists()
    live = give_referral_consent(alices_case, cast.partner_org, cast.alice)
    sent = act(as_alice, draft, "send")
    assert sent.status_code == 200
    draft.refresh_from_db()
    assert draft.consent_id == live.pk and draft.consent_overridden_by is None


def test_consent_override_needs_its_permission_and_a_reason(
    cast: Cast, client_for: Client, alices_case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    draft = make_draft(alices_case, cast.partner_org, cast.alice)
    reason = "Survivor unconscious, admitted tonight"
    # a caseworker does not hold the override permission; the draft's actions say who does
    problem(act(client_for(cast.alice), draft, "send", {"override_reason": reason}), 403)
    as_sam = client_for(cast.sam)
    assert "send_with_override" not in client_for(cast.alice).get(url(draft)).json()["allowed_actions"]
    assert as_sam.get(url(draft)).json()["allowed_actions"] == ["edit", "send", "send_with_override", "withdraw"]
    problem(act(as_sam, draft, "send", {"override_reason": "urgent"}), 400)
    draft.refresh_from_db()
    assert draft.status == ReferralStatus.DRAFT
    with caplog.at_level("WARNING"):
        sent = act(as_sam, draft, "send", {"override_reason": reason})
    assert sent.status_code == 200, sent.content
    body = sent.json()
    assert body["consent"] is None and body["consent_overridden_by"] == str(cast.sam.pk)
    assert body["consent_override_reason"] == reason
    assert any("WITHOUT consent" in r.getMessage() and str(draft.pk) in r.getMessage() for r in caplog.records)
    assert all(reason not in r.getMessage() for r in caplog.records)
    # an overridden referral shares its groups with the recipient
    assign(Referral.objects.get(pk=draft.pk), cast.pat, cast.petra)
    assert client_for(cast.pat).get(url(draft)).json()["shared"].keys() == {"identity", "needs"}


def test_revoking_the_consent_withdraws_the_referral_and_access_at_once(
    cast: Cast, client_for: Client, alices_case: Case
) -> None:
    referral = assign(make_sent(alices_case, cast.partner_org, cast.alice), cast.pat, cast.petra)
    as_pat, as_petra = client_for(cast.pat), client_for(cast.petra)
    assert as_pat.get(url(referral)).status_code == 200
    consent = Consent.objects.get(referrals=referral)
    response = client_for(cast.alice).post(
        f"/api/v1/cases/{alices_case.pk}/consents/{consent.pk}/revoke", HTTP_IF_MATCH=f'"v{consent.version}"'
    )
    assert response.status_code == 200
    problem(as_pat.get(url(referral)), 404)
    problem(as_petra.get(url(referral)), 404)
    assert as_pat.get("/api/v1/referrals/").json()["results"] == []
    referral.refresh_from_db()
    assert (referral.status, referral.withdraw_reason) == (ReferralStatus.WITHDRAWN, "ConsentRevoked")
    assert not ReferralUserObjectPermission.objects.filter(content_object=referral).exists()


def test_an_expired_consent_hides_the_shared_data_but_not_the_referral(
    cast: Cast, client_for: Client, alices_case: Case
) -> None:
    referral = assign(make_sent(alices_case, cast.partner_org, cast.alice), cast.pat, cast.petra)
    as_pat = client_for(cast.pat)
    assert as_pat.get(url(referral)).json()["shared"]["identity"]["given_names"] == "Test"
    Consent.objects.filter(referrals=referral).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    body = as_pat.get(url(referral)).json()
    assert body["shared"] == {} and body["consent_lapsed"] is True and body["reason"] is None
    assert body["allowed_actions"] == ["accept", "decline"]  # they can still answer
    assert client_for(cast.alice).get(url(referral)).json()["shared"]["identity"]["given_names"] == "Test"


def test_withdrawing_ends_the_recipients_access_at_once(cast: Cast, client_for: Client, alices_case: Case) -> None:
    referral = assign(make_sent(alices_case, cast.partner_org, cast.alice), cast.pat, cast.petra)
    as_alice = client_for(cast.alice)
    problem(act(as_alice, referral, "withdraw", {}), 400)
    withdrawn = act(as_alice, referral, "withdraw", {"withdraw_reason": "NoLongerNeeded"})
    assert withdrawn.json()["status"] == "withdrawn"
    problem(client_for(cast.pat).get(url(referral)), 404)
    problem(client_for(cast.petra).get(url(referral)), 404)
    # the home NGO's desk still sees what was sent (its grant is not a recipient's)
    assert client_for(cast.cora).get(url(referral)).status_code == 200


def test_erasing_the_survivor_withdraws_open_referrals(cast: Cast, client_for: Client, alices_case: Case) -> None:
    referral = assign(make_sent(alices_case, cast.partner_org, cast.alice), cast.pat, cast.petra)
    survivor_erase(survivor=alices_case.survivor, acting_user=cast.adam)
    referral.refresh_from_db()
    assert (referral.status, referral.withdraw_reason) == (ReferralStatus.WITHDRAWN, "SurvivorErased")
    problem(client_for(cast.pat).get(url(referral)), 404)
    body = client_for(cast.alice).get(url(referral)).json()
    assert body["reason"] is None and body["shared"]["identity"]["given_names"] is None


# --- illegal transitions ------------------------------------------------------------------------------

# Every (state, action) pair the workflow does not allow must be refused with
# 409; the allowed ones are exactly these (docs/referrals.md).
STATES = ["draft", "sent", "accepted", "in_progress", "declined", "completed", "withdrawn"]
ACTIONS = ["send", "accept", "decline", "start", "complete", "withdraw"]
LEGAL = {
    ("draft", "send"),
    ("sent", "accept"),
    ("sent", "decline"),
    ("accepted", "start"),
    ("in_progress", "complete"),
    *((state, "withdraw") for state in ("draft", "sent", "accepted", "in_progress")),
}
ILLEGAL = [(state, action) for state in STATES for action in ACTIONS if (state, action) not in LEGAL]
ILLEGAL += [("declined", "assign")]
BODIES = {
    "decline": {"decline_reason": "NoCapacity"},
    "complete": {"outcome": "Provided"},
    "withdraw": {"withdraw_reason": "SentInError"},
}
PATH = {
    "sent": ["send"],
    "accepted": ["send", "accept"],
    "in_progress": ["send", "accept", "start"],
    "completed": ["send", "accept", "start", "complete"],
    "declined": ["send", "decline"],
    "withdrawn": ["withdraw"],
}


def _offline_referral_in(state: str, cast: Cast, case: Case, offline_org: Organisation) -> Referral:
    """A referral to an organisation without accounts: alice records every answer."""
    from referrals import services

    give_referral_consent(case, offline_org, cast.alice)
    referral = make_draft(case, offline_org, cast.alice)
    steps: dict[str, Callable[..., Referral]] = {
        "send": services.referral_send,
        "accept": services.referral_accept,
        "decline": services.referral_decline,
        "start": services.referral_start,
        "complete": services.referral_complete,
        "withdraw": services.referral_withdraw,
    }
    for step in PATH.get(state, []):
        referral = steps[step](
            referral=referral, acting_user=cast.alice, expected_version=referral.version, **BODIES.get(step, {})
        )
    assert referral.status == state
    return referral


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=[f"{s}-{a}" for s, a in ILLEGAL])
def test_illegal_transitions_are_409_and_change_nothing(
    cast: Cast, client_for: Client, alices_case: Case, offline_org: Organisation, state: str, action: str
) -> None:
    referral = _offline_referral_in(state, cast, alices_case, offline_org)
    before = Referral.objects.filter(pk=referral.pk).values().get()
    as_alice = client_for(cast.alice)
    body = BODIES.get(action, {})
    if action == "assign":  # the receiving desk's action; an organisation without accounts has none
        other = assign(make_sent(alices_case, cast.partner_org, cast.alice), cast.pat, cast.petra)
        from referrals.services import referral_decline

        referral = referral_decline(
            referral=other, acting_user=cast.pat, expected_version=other.version, decline_reason="NoCapacity"
        )
        before = Referral.objects.filter(pk=referral.pk).values().get()
        as_alice, body = client_for(cast.petra), {"assignee": str(cast.pat.pk)}
    response = act(as_alice, referral, action, body)
    assert problem(response, 409)["type"] == "urn:ngo-cases:problem:illegal-transition"
    assert Referral.objects.filter(pk=referral.pk).values().get() == before


def test_a_sent_referral_cannot_be_edited(cast: Cast, client_for: Client, alices_case: Case) -> None:
    referral = make_sent(alices_case, cast.partner_org, cast.alice)
    as_alice = client_for(cast.alice)
    response = as_alice.patch(
        url(referral), {"shared_groups": ["contact"]}, format="json", HTTP_IF_MATCH=etag(as_alice, referral)
    )
    problem(response, 409)
    referral.refresh_from_db()
    assert referral.shared_groups == ["identity", "needs"]


def test_drafts_are_edited_with_if_match(cast: Cast, client_for: Client, alices_case: Case) -> None:
    draft = make_draft(alices_case, cast.partner_org, cast.alice)
    as_alice = client_for(cast.alice)
    tag = etag(as_alice, draft)
    changed = as_alice.patch(
        url(draft), {"shared_groups": ["contact"], "needs": "Russian-speaking doctor"}, format="json", HTTP_IF_MATCH=tag
    )
    assert changed.status_code == 200 and changed.json()["shared_groups"] == ["contact"]
    problem(as_alice.patch(url(draft), {"urgency": "urgent"}, format="json", HTTP_IF_MATCH=tag), 412)
    problem(as_alice.patch(url(draft), {"urgency": "urgent"}, format="json"), 428)


@pytest.mark.parametrize(
    "payload",
    [
        {"services": []},
        {"services": ["shelter", "shelter"]},
        {"services": ["spa"]},
        {"shared_groups": ["everything"]},
        {"urgency": "yesterday"},
        {"reason": 12},
        {"organisation": "not-a-uuid"},
        {"organisation": "00000000-0000-4000-8000-000000000000"},
    ],
)
def test_bad_referral_input_is_a_problem_and_changes_nothing(
    cast: Cast, client_for: Client, alices_case: Case, payload: dict[str, Any]
) -> None:
    body = {
        "case": str(alices_case.pk),
        "organisation": str(cast.partner_org.pk),
        "services": ["shelter"],
        "reason": "x",
    } | payload
    problem(client_for(cast.alice).post("/api/v1/referrals/", body, format="json"), 400)
    assert not Referral.objects.exists()


def test_referring_to_the_cases_own_organisation_is_refused(cast: Cast, client_for: Client, alices_case: Case) -> None:
    body = {"case": str(alices_case.pk), "organisation": str(cast.home.pk), "services": ["shelter"], "reason": "x"}
    problem(client_for(cast.alice).post("/api/v1/referrals/", body, format="json"), 400)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_accepts_leave_one_accepted(cast: Cast) -> None:
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    referral = assign(make_sent(case, cast.partner_org, cast.alice), cast.pat, cast.petra)
    tag = f'"v{referral.version}"'
    tokens = [issue_token(cast.pat, device="pat"), issue_token(cast.petra, device="petra")]
    statuses: list[int] = []
    barrier = threading.Barrier(len(tokens))

    def accept(token: str) -> None:
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
            barrier.wait()
            statuses.append(client.post(url(referral, "/accept"), {}, format="json", HTTP_IF_MATCH=tag).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses)[0] == 200 and sorted(statuses)[1] in (409, 412), statuses
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED and referral.version == 4


# --- what the partner sees ----------------------------------------------------------------------------

CANARIES = {
    "given_names": "CanaryGiven",
    "middle_names": "CanaryMiddle",
    "family_name": "CanaryFamily",
    "aliases": ["CanaryAlias"],
    "place_of_birth": "CanaryBirthplace",
    "phone": "+79990007788",
    "email": "canary@example.invalid",
    "address": "CanaryStreet 1",
    "identity_documents": [{"type": "passport", "number": "CANARYDOC99", "issuing_country": "UZB"}],
}
UNSHARED_CANARIES = ["CanaryStreet", "79990007788", "canary@example", "CanarySummary", "CanaryNote", "CanaryOther"]
SHARED_CANARIES = ["CanaryGiven", "CanaryFamily", "CANARYDOC99", "CanaryNeeds"]


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")
    else:
        yield path, str(value)


def test_partner_responses_hold_nothing_outside_the_shared_groups(cast: Cast, client_for: Client) -> None:
    from cases.services import case_note_create

    survivor = make_survivor(created_by=cast.alice, **CANARIES)
    case = make_case(opened_by=cast.alice, team=cast.team_a, survivor=survivor, summary="CanarySummary of events")
    case_note_create(case=case, author=cast.alice, body="CanaryNote: trafficker's name")
    other_org = OrganisationFactory.create(name="Other Clinic", slug="clinic")
    other = make_sent(case, other_org, cast.alice, reason="CanaryOther referral")
    referral = assign(
        make_sent(case, cast.partner_org, cast.alice, shared_groups=["identity", "needs"], needs="CanaryNeeds"),
        cast.pat,
        cast.petra,
    )
    as_pat = client_for(cast.pat)
    responses = [
        as_pat.get(url(referral)),
        as_pat.get("/api/v1/referrals/"),
        as_pat.get(url(referral, "/deliveries/")),
        act(as_pat, referral, "accept"),
        client_for(cast.petra).get(url(referral)),
        client_for(cast.petra).get("/api/v1/referrals/?direction=received"),
    ]
    for response in responses:
        assert response.status_code == 200, response.content
        for path, text in _walk(response.json()):
            for canary in UNSHARED_CANARIES:
                assert canary not in text, f"{canary} at {path}"
            assert str(case.pk) not in text and case.reference not in text, path
    detail = responses[0].json()
    assert set(detail["shared"]) == {"identity", "needs"}
    shown = json.dumps(detail)
    for canary in SHARED_CANARIES:
        assert canary in shown
    assert {row["id"] for row in responses[1].json()["results"]} == {str(referral.pk)}
    # nothing else of the case: its notes, the case itself, the other referral
    problem(as_pat.get(f"/api/v1/cases/{case.pk}/notes/"), 403)
    problem(as_pat.get(f"/api/v1/cases/{case.pk}"), 403)
    problem(as_pat.get(url(other)), 404)


def test_sending_desk_sees_the_shared_subset_not_the_case(cast: Cast, client_for: Client, alices_case: Case) -> None:
    referral = make_sent(alices_case, cast.partner_org, cast.alice, shared_groups=["needs"])
    body = client_for(cast.cora).get(url(referral)).json()
    assert set(body["shared"]) == {"needs"} and "case" not in body
    assert body["allowed_actions"] == []
    problem(client_for(cast.cora).get(f"/api/v1/cases/{alices_case.pk}"), 403)


def test_case_access_list_shows_referral_grants(cast: Cast, client_for: Client, alices_case: Case) -> None:
    referral = assign(make_sent(alices_case, cast.partner_org, cast.alice), cast.pat, cast.petra)
    entries = client_for(cast.alice).get(f"/api/v1/cases/{alices_case.pk}/access/").json()
    referral_entries = [e for e in entries if e["referral"] == referral.reference]
    assert {(e["user"]["username"] if e["user"] else e["group"], e["reason"]) for e in referral_entries} == {
        ("pat", "referral"),
        (f"referral-desk:{cast.partner_org.pk}", "referral"),
        (f"referral-desk:{cast.home.pk}", "sender_desk"),
    }


def test_desk_access_follows_the_coordinator_role(cast: Cast, client_for: Client, alices_case: Case) -> None:
    referral = make_sent(alices_case, cast.partner_org, cast.alice)
    as_petra = client_for(cast.petra)
    assert as_petra.get(url(referral)).status_code == 200
    cast.petra.role = Role.PARTNER_CASEWORKER
    cast.petra.save()
    problem(as_petra.get(url(referral)), 404)
    newcomer = UserFactory.create(username="nadia", organisation=cast.partner_org, role=Role.COORDINATOR)
    assert client_for(newcomer).get(url(referral)).status_code == 200
    # as the admin's add form does it: a plain save, no service
    made_in_admin = User.objects.create(username="olga", organisation=cast.partner_org, role=Role.COORDINATOR)
    assert client_for(made_in_admin).get(url(referral)).status_code == 200
    made_in_admin.is_active = False
    made_in_admin.save(update_fields=["is_active"])
    assert not made_in_admin.groups.filter(desk_of__isnull=False).exists()


def test_assignee_must_be_staff_of_the_receiving_organisation(
    cast: Cast, client_for: Client, alices_case: Case
) -> None:
    referral = make_sent(alices_case, cast.partner_org, cast.alice)
    as_petra = client_for(cast.petra)
    for wrong in (cast.alice, cast.cora):
        problem(act(as_petra, referral, "assign", {"assignee": str(wrong.pk)}), 400)
    problem(act(as_petra, referral, "assign", {"assignee": "00000000-0000-4000-8000-000000000000"}), 400)
    colleague = UserFactory.create(username="pavel", organisation=cast.partner_org, role=Role.PARTNER_CASEWORKER)
    assert act(as_petra, referral, "assign", {"assignee": str(cast.pat.pk)}).status_code == 200
    assert act(as_petra, referral, "assign", {"assignee": str(colleague.pk)}).status_code == 200
    problem(client_for(cast.pat).get(url(referral)), 404)  # reassigned: pat's grant is gone
    assert client_for(colleague).get(url(referral)).status_code == 200


# --- organisations without accounts: on-behalf answers and letters ------------------------------------


def test_letter_for_an_organisation_without_accounts(
    cast: Cast, client_for: Client, offline_org: Organisation, caplog: pytest.LogCaptureFixture
) -> None:
    survivor = make_survivor(created_by=cast.alice, **CANARIES)
    case = make_case(opened_by=cast.alice, team=cast.team_a, survivor=survivor, summary="CanarySummary")
    referral = make_sent(case, offline_org, cast.alice, shared_groups=["identity"], reason="Needs an X-ray")
    as_alice = client_for(cast.alice)
    with caplog.at_level("INFO"):
        letter = as_alice.get(url(referral, "/letter"))
    assert letter.status_code == 200
    assert letter["Content-Type"].startswith("text/html")
    assert letter["Cache-Control"] == "no-store"
    html = letter.content.decode()
    assert referral.reference in html and "CanaryGiven" in html and "CANARYDOC99" in html
    for canary in UNSHARED_CANARIES:
        assert canary not in html
    assert any("letter produced" in r.getMessage() and str(referral.pk) in r.getMessage() for r in caplog.records)
    from audit.models import AccessLogEntry

    logged = AccessLogEntry.objects.order_by("-id").first()
    assert logged is not None
    assert (logged.action, logged.object_type, logged.object_ids) == ("letter", "referral", [referral.pk])
    assert logged.survivor_ids == [survivor.pk]
    assert client_for(cast.cora).get(url(referral, "/letter")).status_code == 200
    # the sender records the hospital's answers
    assert act(as_alice, referral, "accept").json()["status"] == "accepted"
    # no letter once the consent has lapsed
    Consent.objects.filter(referrals=referral).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    problem(as_alice.get(url(referral, "/letter")), 409)


def test_no_letter_for_an_organisation_with_accounts(cast: Cast, client_for: Client, alices_case: Case) -> None:
    referral = make_sent(alices_case, cast.partner_org, cast.alice)
    problem(client_for(cast.alice).get(url(referral, "/letter")), 403)
    problem(act(client_for(cast.alice), referral, "accept"), 403)


# --- lists: filters and query counts ---------------------------------------------------------------


def test_referral_list_filters(cast: Cast, client_for: Client, alices_case: Case, offline_org: Organisation) -> None:
    to_shelter = assign(make_sent(alices_case, cast.partner_org, cast.alice, urgency="urgent"), cast.pat, cast.petra)
    to_hospital = make_sent(alices_case, offline_org, cast.alice, services=["medical"])
    draft = make_draft(alices_case, cast.partner_org, cast.alice, services=["legal_aid"])
    as_alice = client_for(cast.alice)

    def ids(query: str, client: APIClient = as_alice) -> set[str]:
        response = client.get(f"/api/v1/referrals/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    every = {str(to_shelter.pk), str(to_hospital.pk), str(draft.pk)}
    assert ids("") == every == ids("direction=sent")
    assert ids("direction=received") == set()
    assert ids("status=draft") == {str(draft.pk)}
    assert ids("status=sent&status=draft") == every
    assert ids("service=medical") == {str(to_hospital.pk)}
    assert ids("urgency=urgent") == {str(to_shelter.pk)}
    assert ids(f"organisation={offline_org.pk}") == {str(to_hospital.pk)}
    assert ids(f"case={alices_case.pk}") == every
    # alice: her draft, and the hospital's answer she must record
    assert ids("awaiting=me") == {str(draft.pk), str(to_hospital.pk)}
    assert ids("awaiting=me", client_for(cast.pat)) == {str(to_shelter.pk)}
    assert ids("direction=received", client_for(cast.pat)) == {str(to_shelter.pk)}
    for bad in ("status=lost", "direction=up", "awaiting=you", "case=12", "colour=red"):
        problem(as_alice.get(f"/api/v1/referrals/?{bad}"), 400)


@pytest.mark.parametrize("path", ["/api/v1/referrals/", "/api/v1/organisations/", "/api/v1/services/"])
def test_list_query_count_is_fixed(cast: Cast, client_for: Client, path: str) -> None:
    from referrals.services import service_create

    for n in range(6):
        organisation = OrganisationFactory.create()
        service_create(organisation=organisation, created_by=cast.cora, service="shelter")
        case = make_case(opened_by=cast.alice, team=cast.team_a)
        make_sent(case, organisation if n % 2 else cast.partner_org, cast.alice)
    client = client_for(cast.alice)
    counts = []
    for size in (2, 6):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{path}?page_size={size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    # token, user, SAVEPOINT, the page, RELEASE; referrals: the access-log row (+1);
    # the directory: the caller's organisation (+1), no access log (no survivor data)
    assert counts == [6, 6], counts


# --- the directory -----------------------------------------------------------------------------------


def test_directory_search_by_service_and_region(cast: Cast, client_for: Client) -> None:
    from referrals.services import service_create

    tver = OrganisationFactory.create(name="Tver Shelter", region="Tver", org_type=OrganisationType.SHELTER)
    moscow = OrganisationFactory.create(name="Moscow Clinic", region="Moscow")
    service_create(organisation=tver, created_by=cast.cora, service="shelter")
    service_create(organisation=moscow, created_by=cast.cora, service="medical", regions=["Tver"])
    as_bob = client_for(cast.bob)

    def names(query: str, path: str = "/api/v1/organisations/") -> set[str]:
        response = as_bob.get(f"{path}?{query}")
        assert response.status_code == 200, response.content
        return {row.get("name") or row.get("organisation_name") for row in response.json()["results"]}

    assert names("service=shelter") == {"Tver Shelter"}
    assert names("region=Tver") == {"Tver Shelter", "Moscow Clinic"}
    assert names("service=medical&region=Tver") == {"Moscow Clinic"}
    assert names("service=shelter&region=Moscow") == set()
    assert names("q=clinic") == {"Moscow Clinic"}
    assert names("service=medical", "/api/v1/services/") == {"Moscow Clinic"}
    assert names("region=tver", "/api/v1/services/") == {"Tver Shelter"}  # the organisation's region, any case
    problem(as_bob.get("/api/v1/organisations/?service=spa"), 400)
    assert "Tver Shelter" in names("active=true") and "Tver Shelter" not in names("active=false")
    assert "Tver Shelter" in names("active=true", "/api/v1/services/")
    problem(as_bob.get("/api/v1/organisations/?active=yes"), 400)  # a query boolean is true or false
    detail = as_bob.get(f"/api/v1/organisations/{moscow.pk}").json()
    assert [row["service"] for row in detail["offered"]] == ["medical"] and detail["services"] == ["medical"]


def test_coordinators_keep_the_directory(cast: Cast, client_for: Client) -> None:
    as_cora = client_for(cast.cora)
    created = as_cora.post(
        "/api/v1/organisations/",
        {
            "name": "Consulate of Uzbekistan",
            "slug": "uz-consulate",
            "org_type": "DiplomaticMission",
            "region": "Moscow",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    org_url = f"/api/v1/organisations/{created.json()['id']}"
    problem(
        as_cora.post("/api/v1/organisations/", {"name": "Consulate of Uzbekistan", "slug": "uz2", "org_type": "NGO"}),
        400,
    )
    offered = as_cora.post(
        "/api/v1/services/",
        {"organisation": created.json()["id"], "service": "return", "languages": ["uz", "ru"]},
        format="json",
    )
    assert offered.status_code == 201, offered.content
    problem(
        as_cora.post("/api/v1/services/", {"organisation": created.json()["id"], "service": "return"}, format="json"),
        400,
    )
    contact = as_cora.post(f"{org_url}/contacts/", {"name": "Consular officer", "phone": "+7 495 000"}, format="json")
    assert contact.status_code == 201
    renamed = as_cora.patch(org_url, {"region": "Moscow oblast"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert renamed.status_code == 200 and renamed.json()["region"] == "Moscow oblast"
    problem(as_cora.patch(org_url, {"region": "x"}, format="json", HTTP_IF_MATCH=created["ETag"]), 412)
    contact_url = f"{org_url}/contacts/{contact.json()['id']}"
    assert as_cora.delete(contact_url, HTTP_IF_MATCH=contact["ETag"]).status_code == 204
    assert as_cora.get(f"{org_url}/contacts/").json()["results"] == []
    problem(client_for(cast.alice).patch(org_url, {"region": "x"}, format="json", HTTP_IF_MATCH='"v2"'), 403)
    problem(client_for(cast.petra).get("/api/v1/organisations/"), 403)


def test_inactive_organisations_take_no_referrals(cast: Cast, client_for: Client, alices_case: Case) -> None:
    draft = make_draft(alices_case, cast.partner_org, cast.alice)
    give_referral_consent(alices_case, cast.partner_org, cast.alice)
    Organisation.objects.filter(pk=cast.partner_org.pk).update(active=False)
    problem(act(client_for(cast.alice), draft, "send"), 400)
    body = {
        "case": str(alices_case.pk),
        "organisation": str(cast.partner_org.pk),
        "services": ["shelter"],
        "reason": "x",
    }
    problem(client_for(cast.alice).post("/api/v1/referrals/", body, format="json"), 400)


def test_no_survivor_pii_in_logs_of_a_referral_workflow(
    cast: Cast, client_for: Client, caplog: pytest.LogCaptureFixture, offline_org: Organisation
) -> None:
    survivor = make_survivor(created_by=cast.alice, **CANARIES)
    case = make_case(opened_by=cast.alice, team=cast.team_a, survivor=survivor)
    give_referral_consent(case, cast.partner_org, cast.alice)
    give_referral_consent(case, offline_org, cast.alice)
    as_alice = client_for(cast.alice)
    with caplog.at_level("DEBUG"):
        for org in (cast.partner_org, offline_org):
            created = as_alice.post(
                "/api/v1/referrals/",
                {
                    "case": str(case.pk),
                    "organisation": str(org.pk),
                    "services": ["shelter"],
                    "reason": "CanaryReason",
                    "shared_groups": ["identity", "contact"],
                },
                format="json",
            ).json()
            act(as_alice, created["id"], "send")
        as_alice.get(url(created["id"], "/letter"))
        act(as_alice, created["id"], "decline", {"decline_reason": "Other", "notes": "CanaryDecline"})
    assert caplog.records
    for record in caplog.records:
        message = record.getMessage()
        for canary in ("Canary", "79990007788", "canary@example", "CANARYDOC"):
            assert canary not in message, message


def test_referral_errors_and_letters_in_the_users_language(
    cast: Cast, client_for: Client, alices_case: Case, offline_org: Organisation
) -> None:
    from accounts.models import User as UserModel

    UserModel.objects.filter(pk=cast.alice.pk).update(language="ru")
    as_alice = client_for(cast.alice)
    draft = make_draft(alices_case, cast.partner_org, cast.alice)
    body = problem(act(as_alice, draft, "send"), 409)
    assert body["title"] == "Требуется согласие"
    referral = make_sent(alices_case, offline_org, cast.alice)
    body = problem(act(as_alice, referral, "start"), 409)
    assert body["detail"] == "Невозможно, пока направление в состоянии «Отправлено»."
    assert (body["referral_status"], body["action"]) == ("sent", "start")
    html = as_alice.get(url(referral, "/letter")).content.decode()
    assert "КОНФИДЕНЦИАЛЬНО" in html and "Приют" in html


def test_recipients_read_the_reason_only_when_the_sender_shared_it(cast: Cast, client_for: Client) -> None:
    canary = "CANARY-REASON Ivanova was sold in Tver"
    kept = make_case(opened_by=cast.alice, team=cast.team_a)
    shared = make_case(opened_by=cast.alice, team=cast.team_a)
    kept_back = assign(
        make_sent(kept, cast.partner_org, cast.alice, reason=canary, shared_groups=["needs"]), cast.pat, cast.petra
    )
    told = assign(
        make_sent(shared, cast.partner_org, cast.alice, reason=canary, shared_groups=["needs", "reason"]),
        cast.pat,
        cast.petra,
    )
    for reader in (cast.pat, cast.petra):
        client = client_for(reader)
        assert client.get(url(kept_back)).json()["reason"] is None
        assert canary not in client.get(url(kept_back)).content.decode()
        assert client.get(url(told)).json()["reason"] == canary
    # the sender always reads it
    assert client_for(cast.alice).get(url(kept_back)).json()["reason"] == canary


def test_the_home_ngo_cannot_be_deactivated(cast: Cast, client_for: Client) -> None:
    client = client_for(cast.cora)
    path = f"/api/v1/organisations/{cast.home.pk}"
    response = client.patch(path, {"active": False}, format="json", HTTP_IF_MATCH=client.get(path)["ETag"])
    assert "active" in problem(response, 400)["errors"]
    cast.home.refresh_from_db()
    assert cast.home.active is True


def test_recipients_cannot_probe_which_case_a_referral_belongs_to(cast: Cast, client_for: Client) -> None:
    case = make_case(opened_by=cast.alice, team=cast.team_a)
    referral = assign(make_sent(case, cast.partner_org, cast.alice), cast.pat, cast.petra)
    for reader in (cast.pat, cast.petra):
        assert client_for(reader).get("/api/v1/referrals/", {"case": str(case.pk)}).json()["results"] == []
        assert len(client_for(reader).get("/api/v1/referrals/").json()["results"]) == 1
    mine = client_for(cast.alice).get("/api/v1/referrals/", {"case": str(case.pk)}).json()["results"]
    assert [row["id"] for row in mine] == [str(referral.pk)]


def test_reading_an_empty_delivery_list_logs_which_referral(cast: Cast, client_for: Client) -> None:
    from audit.models import AccessLogEntry

    case = make_case(opened_by=cast.alice, team=cast.team_a)
    referral = assign(make_sent(case, cast.partner_org, cast.alice), cast.pat, cast.petra)
    assert client_for(cast.pat).get(url(referral, "/deliveries/")).json()["results"] == []
    entry = AccessLogEntry.objects.filter(object_type="delivery").latest("id")
    assert entry.detail == f"referral={referral.pk}"
    assert entry.case_ids == [case.pk]
