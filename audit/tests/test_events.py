"""Authentication events and grants reach the access log, without the
username as typed or any survivor data."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD, UserFactory
from accounts.tests.test_mfa import code_for, enrol
from audit.models import AccessLogEntry, Action
from conftest import Cast

LOGIN = "/api/v1/auth/login"


def actions(**filters: Any) -> list[str]:
    return list(AccessLogEntry.objects.filter(**filters).order_by("id").values_list("action", flat=True))


def login(api: APIClient, username: str, password: str, **extra: str) -> Any:
    return api.post(LOGIN, {"username": username, "password": password, **extra}, format="json")


@pytest.mark.django_db
def test_sign_in_success_failure_and_lockout(api: APIClient, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    anna = UserFactory.create(username="anna")
    assert login(api, "anna", TEST_PASSWORD).status_code == 200
    assert actions(subject=anna) == [Action.TOKEN_CREATED, Action.LOGIN]
    row = AccessLogEntry.objects.get(subject=anna, action=Action.LOGIN)
    assert (row.actor_id, row.ip, row.endpoint) == (anna.pk, "127.0.0.1", "api:auth-login")
    login(api, "anna", "wrong password")
    login(api, "anna", "wrong again")
    # django-axes announces the lockout before the failure reaches the log
    assert sorted(actions(subject=anna)[2:]) == sorted([Action.LOGIN_FAILED, Action.LOGIN_FAILED, Action.LOCKOUT])
    failed = AccessLogEntry.objects.filter(action=Action.LOGIN_FAILED).first()
    assert failed is not None and failed.actor_id is None
    # someone typing a password into the username field: nothing of it is kept
    login(api, "correct horse battery", "x")
    typo = AccessLogEntry.objects.filter(action=Action.LOGIN_FAILED).order_by("-id").first()
    assert typo is not None and typo.subject_id is None
    assert not AccessLogEntry.objects.filter(detail__icontains="horse").exists()


@pytest.mark.django_db
def test_mfa_failure_token_revocation_and_logout_all(api: APIClient, client_for: Any) -> None:
    anna = UserFactory.create(username="anna")
    enrol(client_for(anna), anna)
    signed_in = login(api, "anna", TEST_PASSWORD, otp=code_for(anna, steps_ahead=1))
    assert signed_in.status_code == 200, signed_in.content
    token = signed_in.json()["token"]
    assert login(APIClient(), "anna", TEST_PASSWORD, otp="000000").status_code == 401
    assert actions(subject=anna)[-1] == Action.MFA_FAILED
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.post("/api/v1/auth/logout").status_code == 204
    assert actions(subject=anna)[-1] == Action.TOKEN_REVOKED
    assert client_for(anna).post("/api/v1/auth/logout-all").status_code == 204
    assert actions(subject=anna)[-1] == Action.LOGOUT_ALL


@pytest.mark.django_db
def test_admin_sign_in_is_logged() -> None:
    from django.test import Client

    adam = UserFactory.create(username="adam", role="admin")
    client = Client()
    client.post("/admin/login/", {"username": "adam", "password": TEST_PASSWORD})
    assert Action.LOGIN in actions(subject=adam)


def test_grants_and_withdrawals_are_logged(cast: Cast) -> None:
    from cases.services import case_assign
    from cases.tests.factories import make_case
    from referrals.services import referral_withdraw
    from referrals.tests.factories import assign, make_sent

    case = make_case(opened_by=cast.alice, team=cast.team_a)
    granted = AccessLogEntry.objects.filter(action=Action.GRANT_CREATED, object_ids=[case.pk])
    details = sorted(granted.values_list("detail", flat=True))
    assert len(details) == 5  # owner: view, change; team supervisors: view, change, assign
    assert sum("reason=owner" in d for d in details) == 2 and sum("group=" in d for d in details) == 3
    assert granted.filter(subject=cast.alice).count() == 2
    case_assign(case=case, acting_user=cast.sam, assignees=[cast.bob], expected_version=case.version)
    case.refresh_from_db()
    case_assign(case=case, acting_user=cast.sam, assignees=[], expected_version=case.version)
    withdrawn = AccessLogEntry.objects.filter(action=Action.GRANT_REVOKED, subject=cast.bob, object_ids=[case.pk])
    assert withdrawn.count() == 2
    referral = assign(make_sent(case, cast.partner_org, cast.alice), cast.pat, cast.petra)
    assert (
        AccessLogEntry.objects.filter(
            action=Action.GRANT_CREATED, object_type="referral", object_ids=[referral.pk], subject=cast.pat
        ).count()
        == 2
    )
    assert (
        AccessLogEntry.objects.filter(
            action=Action.GRANT_CREATED, object_ids=[referral.pk], subject__isnull=True, case_ids=[case.pk]
        ).count()
        == 4
    )  # receiving desk: view, answer, assign; sending desk: view
    referral_withdraw(
        referral=referral, acting_user=cast.alice, expected_version=referral.version, withdraw_reason="SentInError"
    )
    assert AccessLogEntry.objects.filter(action=Action.GRANT_REVOKED, object_ids=[referral.pk]).count() == 5
    assert User.objects.filter(pk=cast.pat.pk).exists()
