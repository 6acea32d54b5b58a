"""A referral shares the attachments its sender picks (the documents group):
the recipient opens those, and only while the referral is open and its
consent live; nothing else of the case."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from attachments.models import Attachment
from attachments.tests.factories import make_attachment, small_pdf
from cases.models import Case
from cases.tests.factories import make_case
from conftest import Cast
from referrals.models import Referral
from referrals.services import referral_accept, referral_complete, referral_start
from referrals.tests.factories import assign, make_sent

Client = Callable[[User | None], APIClient]


def files(referral: Referral, suffix: str = "") -> str:
    return f"/api/v1/referrals/{referral.pk}/attachments/{suffix}"


@pytest.fixture
def case(cast: Cast) -> Case:
    return make_case(opened_by=cast.alice, team=cast.team_a)


def _share(cast: Cast, case: Case, groups: list[str]) -> tuple[Referral, Attachment, Attachment]:
    passport = make_attachment(by=cast.alice, survivor=case.survivor, data=small_pdf(), name="passport.pdf")
    medical = make_attachment(by=cast.alice, survivor=case.survivor, case=case, name="medical.pdf")
    referral = make_sent(case, cast.partner_org, cast.alice, shared_groups=groups, shared_attachments=[passport.pk])
    return assign(referral, cast.pat, cast.petra), passport, medical


def test_the_recipient_opens_only_what_was_shared(cast: Cast, client_for: Client, case: Case) -> None:
    referral, passport, medical = _share(cast, case, ["needs", "documents"])
    as_pat = client_for(cast.pat)
    listed = as_pat.get(files(referral))
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [str(passport.pk)]
    assert listed.json()["results"][0]["name"] == "passport.pdf"
    download = as_pat.get(files(referral, f"{passport.pk}/content"))
    assert download.status_code == 200 and b"".join(download.streaming_content) == small_pdf()  # type: ignore[attr-defined]
    assert as_pat.get(files(referral, f"{medical.pk}")).status_code == 404
    assert as_pat.get(files(referral, f"{medical.pk}/content")).status_code == 404
    # the referral's shared data names them; the case's own routes stay closed
    detail = as_pat.get(f"/api/v1/referrals/{referral.pk}").json()
    assert [d["id"] for d in detail["shared"]["documents"]["shared_attachments"]] == [str(passport.pk)]
    assert as_pat.get(f"/api/v1/cases/{case.pk}/attachments/").status_code == 403
    # read only: no upload, no deletion through the referral
    assert as_pat.post(files(referral), {}).status_code == 405
    assert as_pat.delete(files(referral, f"{passport.pk}")).status_code == 405


def test_without_the_documents_group_nothing_opens(cast: Cast, client_for: Client, case: Case) -> None:
    referral, passport, _ = _share(cast, case, ["needs"])
    as_pat = client_for(cast.pat)
    assert as_pat.get(files(referral)).json()["results"] == []
    assert as_pat.get(files(referral, f"{passport.pk}/content")).status_code == 404
    # the sender side still sees what it chose
    assert [r["id"] for r in client_for(cast.alice).get(files(referral)).json()["results"]] == [str(passport.pk)]


def test_a_completed_referral_closes_the_documents(cast: Cast, client_for: Client, case: Case) -> None:
    referral, passport, _ = _share(cast, case, ["documents"])
    referral = referral_accept(referral=referral, acting_user=cast.pat, expected_version=referral.version)
    referral = referral_start(referral=referral, acting_user=cast.pat, expected_version=referral.version)
    referral_complete(referral=referral, acting_user=cast.pat, expected_version=referral.version, outcome="Provided")
    as_pat = client_for(cast.pat)
    assert as_pat.get(files(referral)).json()["results"] == []
    assert as_pat.get(files(referral, f"{passport.pk}/content")).status_code == 404


def test_a_revoked_consent_closes_the_documents(cast: Cast, client_for: Client, case: Case) -> None:
    from cases.services import consent_revoke

    referral, passport, _ = _share(cast, case, ["documents"])
    consent = referral.consent
    assert consent is not None
    consent_revoke(consent=consent, acting_user=cast.alice, expected_version=consent.version)
    assert client_for(cast.pat).get(files(referral, f"{passport.pk}/content")).status_code == 404


def test_only_the_cases_own_attachments_can_be_shared(cast: Cast, client_for: Client, case: Case) -> None:
    other = make_case(opened_by=cast.alice, team=cast.team_a)
    foreign = make_attachment(by=cast.alice, survivor=other.survivor, case=other)
    from referrals.tests.factories import give_referral_consent

    give_referral_consent(case, cast.partner_org, cast.alice)
    refused = client_for(cast.alice).post(
        "/api/v1/referrals/",
        {
            "case": str(case.pk),
            "organisation": str(cast.partner_org.pk),
            "services": ["shelter"],
            "reason": "Needs a safe place.",
            "shared_groups": ["documents"],
            "shared_attachments": [str(foreign.pk)],
        },
        format="json",
    )
    assert refused.status_code == 400 and "shared_attachments" in refused.json()["errors"]
