"""The case and survivor admin: metadata for admins and supervisors, identity
and free text masked for anyone without a grant (the superuser included),
grant screens that record reason and grantor."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cases.models import Case, CaseUserObjectPermission, GrantReason
from cases.tests.factories import make_case, make_survivor
from conftest import Cast

CANARY_NAME = "Zhanna-CANARY-Kuznetsova"
CANARY_SUMMARY = "CANARY-SUMMARY-held-at-the-farm"


def admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def case(cast: Cast) -> Case:
    survivor = make_survivor(created_by=cast.alice, given_names=CANARY_NAME)
    return make_case(opened_by=cast.alice, team=cast.team_a, survivor=survivor, summary=CANARY_SUMMARY)


@pytest.mark.parametrize("persona", ["adam", "root"])
def test_admins_see_case_metadata_but_never_content(cast: Cast, case: Case, persona: str) -> None:
    client = admin_client(cast.persona(persona))
    listing = client.get(reverse("admin:cases_case_changelist"))
    assert listing.status_code == 200
    assert case.reference in listing.content.decode()
    for url in (
        reverse("admin:cases_case_change", args=[case.pk]),
        reverse("admin:cases_survivor_changelist"),
        reverse("admin:cases_survivor_change", args=[case.survivor_id]),
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        body = page.content.decode()
        assert "CANARY" not in body, url
        if "/case/" in url:
            # no case content at all, masked or not: only what administration needs
            assert "field-reference" in body and "field-access_list" in body
            for content in ("summary_masked", "exploitation_types_words", "means_of_control_words", "risk_level"):
                assert f"field-{content}" not in body, content
            assert 'name="_save"' not in body  # nothing to save on a read-only page
        else:
            assert "••••••" in body, url


def test_supervisor_with_grant_reads_identity_in_admin(cast: Cast, case: Case) -> None:
    client = admin_client(cast.sam)
    assert CANARY_SUMMARY in client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert CANARY_NAME in client.get(reverse("admin:cases_survivor_changelist")).content.decode()


def test_supervisor_lists_only_cases_they_may_see(cast: Cast, case: Case) -> None:
    other = make_case(opened_by=cast.charlie, team=cast.team_b)
    body = admin_client(cast.sam).get(reverse("admin:cases_case_changelist")).content.decode()
    assert case.reference in body
    assert other.reference not in body
    assert admin_client(cast.sam).get(reverse("admin:cases_case_change", args=[other.pk])).status_code in (302, 404)


def test_caseworkers_do_not_get_the_case_admin(cast: Cast, case: Case) -> None:
    assert admin_client(cast.alice).get(reverse("admin:cases_case_changelist")).status_code == 302


def test_auditors_go_from_a_case_to_its_access_log_without_seeing_identity(cast: Cast, case: Case) -> None:
    from audit.models import AccessLogEntry

    client = admin_client(cast.audrey)
    page = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "CANARY" not in html and "field-summary_masked" not in html
    link = reverse("admin:audit_accesslogentry_changelist") + f"?case={case.pk}"
    assert link in html
    # the access list in words: who and why
    assert "alice: Opened the case" in html and "Team A — team supervisors: Supervisor of the case" in html
    viewed = AccessLogEntry.objects.order_by("-id").first()
    assert viewed is not None
    assert (viewed.action, viewed.actor_id, viewed.case_ids) == ("admin_view", cast.audrey.pk, [case.pk])
    log = client.get(link)
    assert log.status_code == 200 and "Admin view" in log.content.decode()
    # no changes, no grant screens, and no button leading to them
    assert "permissionslink" not in html
    assert client.post(reverse("admin:cases_case_change", args=[case.pk]), {}).status_code == 403
    assert client.get(reverse("admin:cases_case_permissions", args=[case.pk])).status_code in (302, 403)


def test_grant_screen_records_reason_and_grantor(cast: Cast, case: Case) -> None:
    client = admin_client(cast.adam)
    assert "permissionslink" in client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert client.get(reverse("admin:cases_case_permissions", args=[case.pk])).status_code == 200
    url = reverse("admin:cases_case_permissions_manage_user", args=[case.pk, cast.bob.pk])
    response = client.post(url, {"permissions": ["view_case"]})
    assert response.status_code == 302
    grant = CaseUserObjectPermission.objects.get(content_object=case, user=cast.bob)
    assert (grant.permission.codename, grant.reason, grant.granted_by_id) == (
        "view_case",
        GrantReason.ASSIGNED,
        cast.adam.pk,
    )
    client.post(url, {"permissions": [], "submit_manage_user": "1"})
    assert not CaseUserObjectPermission.objects.filter(content_object=case, user=cast.bob).exists()
    assert admin_client(cast.sam).post(url, {"permissions": ["view_case"]}).status_code == 302  # to the index
    assert not CaseUserObjectPermission.objects.filter(content_object=case, user=cast.bob).exists()


def test_grant_screens_answer_404_for_malformed_ids(cast: Cast, case: Case) -> None:
    client = admin_client(cast.adam)
    for url in (
        "/admin/cases/case/not-a-uuid/permissions/",
        f"/admin/cases/case/{case.pk}/permissions/user-manage/not-a-uuid/",
        f"/admin/cases/case/not-a-uuid/permissions/user-manage/{cast.bob.pk}/",
        f"/admin/cases/case/{case.pk}/permissions/group-manage/not-a-number/",
    ):
        assert client.get(url).status_code == 404, url


def test_history_shows_who_changed_which_fields_never_the_values(cast: Cast, case: Case) -> None:
    from cases.services import case_update

    case_update(case=case, acting_user=cast.alice, expected_version=case.version, summary="CANARY-NEW-SUMMARY")
    client = admin_client(cast.audrey)
    change = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "historylink" in change
    from audit.models import AccessLogEntry

    views_before = AccessLogEntry.objects.filter(action="admin_view", case_ids=[case.pk]).count()
    page = client.get(reverse("admin:cases_case_history", args=[case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "CANARY" not in html
    assert "Created" in html and "Changed" in html and "Summary" in html
    # the history page is a look at the case: logged like its change page
    seen = AccessLogEntry.objects.order_by("-id").first()
    assert seen is not None and (seen.action, seen.actor_id, seen.case_ids) == ("admin_view", cast.audrey.pk, [case.pk])
    assert AccessLogEntry.objects.filter(action="admin_view", case_ids=[case.pk]).count() == views_before + 1


def test_no_history_button_where_no_history_is_recorded(cast: Cast) -> None:
    from audit.models import AccessLogEntry

    entry = AccessLogEntry.objects.create(action="read", object_type="case")
    html = admin_client(cast.audrey).get(reverse("admin:audit_accesslogentry_change", args=[entry.pk])).content.decode()
    assert "historylink" not in html
