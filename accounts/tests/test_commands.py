"""Operator commands: create_organisation, create_staff (password on stdin), seed_demo."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from accounts.models import Organisation, Role, User
from accounts.tests.factories import OrganisationFactory, TeamFactory

pytestmark = pytest.mark.django_db
STRONG = "a strong staff password 2026"


def test_create_organisation_then_staff_with_password_from_stdin() -> None:
    out = io.StringIO()
    call_command("create_organisation", name="Hope NGO", slug="hope", org_type="NGO", home=True, stdout=out)
    home = Organisation.objects.get(slug="hope")
    assert home.is_home
    TeamFactory.create(organisation=home, name="North")
    call_command(
        "create_staff",
        username="irina",
        org="hope",
        role=Role.SUPERVISOR,
        team=["North"],
        time_zone="Asia/Yekaterinburg",
        stdin=io.StringIO(STRONG + "\n"),
        stdout=out,
    )
    irina = User.objects.get(username="irina")
    assert irina.check_password(STRONG)
    assert (irina.role, irina.organisation, irina.time_zone) == (Role.SUPERVISOR, home, "Asia/Yekaterinburg")
    assert [t.name for t in irina.teams.all()] == ["North"]
    assert irina.groups.filter(name="role:supervisor").exists()
    assert irina.is_staff and not irina.is_superuser
    assert STRONG not in out.getvalue()


def test_create_staff_refuses_weak_password_unknown_org_and_bad_role() -> None:
    OrganisationFactory.create(slug="hope", is_home=True)
    with pytest.raises(CommandError, match=r"too short|too common"):
        call_command("create_staff", username="u1", org="hope", role="caseworker", stdin=io.StringIO("short\n"))
    with pytest.raises(CommandError, match="No organisation"):
        call_command("create_staff", username="u2", org="nope", role="caseworker", stdin=io.StringIO(STRONG))
    with pytest.raises(CommandError):
        call_command("create_staff", username="u3", org="hope", role="overlord", stdin=io.StringIO(STRONG))
    with pytest.raises(CommandError, match="partner organisation"):
        call_command("create_staff", username="u4", org="hope", role="partner_caseworker", stdin=io.StringIO(STRONG))
    assert not User.objects.exists()


def test_seed_demo_creates_one_user_per_role_once(settings) -> None:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert User.objects.count() == 7  # one per role, and the shelter's coordinator
    assert Organisation.objects.count() == 3
    assert Organisation.objects.filter(is_home=True).count() == 1
    assert "caseworker-demo-2026!" in out.getvalue()
    from cases.models import Case
    from cases.permissions import cases_visible_to

    case = Case.objects.get()  # one demo case, not two
    assert list(cases_visible_to(User.objects.get(username="caseworker"))) == [case]
    assert list(cases_visible_to(User.objects.get(username="supervisor"))) == [case]
    assert not cases_visible_to(User.objects.get(username="admin")).exists()
    from referrals.permissions import referrals_visible_to

    referral = case.referrals.get()  # sent to the shelter, waiting for its desk
    assert referral.status == "sent"
    assert list(referrals_visible_to(User.objects.get(username="shelterdesk"))) == [referral]
    assert not referrals_visible_to(User.objects.get(username="partner")).exists()


def test_seed_demo_refuses_on_a_server() -> None:
    with pytest.raises(CommandError, match="local machine"):
        call_command("seed_demo")


def test_role_groups_exist_after_migrate() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= {f"role:{r}" for r in Role.values}
    admin_perms = set(Group.objects.get(name="role:admin").permissions.values_list("codename", flat=True))
    assert {"add_user", "change_user", "view_organisation"} <= admin_perms
    assert not Group.objects.get(name="role:caseworker").permissions.exists()
