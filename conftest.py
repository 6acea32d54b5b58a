"""Shared fixtures: the cast of personas every endpoint is tested with.

Like healthchecks' alice/bob/charlie:

* alice   - caseworker, owner of the objects under test (team A)
* bob     - caseworker, alice's teammate (team A)
* charlie - caseworker in another team: "should have no access to alice's stuff"
* sam     - supervisor of team A
* cora    - coordinator of the home NGO
* pat     - partner caseworker (partner organisation)
* petra   - coordinator of the partner organisation (its referral desk)
* audrey  - auditor
* adam    - admin (system administrator)
* root    - a superuser from createsuperuser (no organisation)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import Organisation, OrganisationType, Role, Team, User
from accounts.tests.factories import (
    TEST_PASSWORD,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
    home_organisation,
    issue_token,
)
from tests.live_server import install as install_live_server

install_live_server()


@dataclass
class Cast:
    home: Organisation
    partner_org: Organisation
    team_a: Team
    team_b: Team
    alice: User
    bob: User
    charlie: User
    sam: User
    cora: User
    pat: User
    petra: User
    audrey: User
    adam: User
    root: User

    def persona(self, name: str) -> User:
        user: User = getattr(self, name)
        return user


PERSONAS = ["alice", "bob", "charlie", "sam", "cora", "pat", "petra", "audrey", "adam", "root"]


@pytest.fixture
def cast(db: None) -> Cast:
    home = home_organisation()
    partner_org = OrganisationFactory.create(name="Partner Shelter", slug="shelter", org_type=OrganisationType.SHELTER)
    team_a = TeamFactory.create(organisation=home, name="Team A")
    team_b = TeamFactory.create(organisation=home, name="Team B")
    root = User.objects.create_superuser("root", "root@example.invalid", TEST_PASSWORD)
    return Cast(
        home=home,
        partner_org=partner_org,
        team_a=team_a,
        team_b=team_b,
        alice=UserFactory.create(username="alice", organisation=home, role=Role.CASEWORKER, teams=[team_a]),
        bob=UserFactory.create(username="bob", organisation=home, role=Role.CASEWORKER, teams=[team_a]),
        charlie=UserFactory.create(username="charlie", organisation=home, role=Role.CASEWORKER, teams=[team_b]),
        sam=UserFactory.create(username="sam", organisation=home, role=Role.SUPERVISOR, teams=[team_a]),
        cora=UserFactory.create(username="cora", organisation=home, role=Role.COORDINATOR),
        pat=UserFactory.create(username="pat", organisation=partner_org, role=Role.PARTNER_CASEWORKER),
        petra=UserFactory.create(username="petra", organisation=partner_org, role=Role.COORDINATOR),
        audrey=UserFactory.create(username="audrey", organisation=home, role=Role.AUDITOR),
        adam=UserFactory.create(username="adam", organisation=home, role=Role.ADMIN),
        root=root,
    )


@pytest.fixture(autouse=True)
def attachment_dir(settings: Any, tmp_path: Path) -> Path:
    """Each test's stored attachments in a directory of its own, to look into."""
    directory = tmp_path / "attachments"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "attachments.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(directory)},
        },
    }
    return directory


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Callable[[User | None], APIClient]:
    """``client_for(user)``: an API client holding a fresh bearer token."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")
        return client

    return make
