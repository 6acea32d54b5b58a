"""GET /colleagues/: whom work can be assigned to — one's own organisation only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import Cast

pytestmark = pytest.mark.django_db


def _usernames(client: Any, query: str = "") -> set[str]:
    response = client.get(f"/api/v1/colleagues/{query}")
    assert response.status_code == 200, response.content
    return {row["username"] for row in response.json()["results"]}


def test_colleagues_are_the_assignable_staff_of_ones_own_organisation(
    cast: Cast, client_for: Callable[[Any], Any]
) -> None:
    home = _usernames(client_for(cast.alice))
    assert {"alice", "bob", "charlie", "sam", "cora"} <= home
    assert not home & {"pat", "petra", "audrey", "adam", "root"}  # no partner staff, auditors or admins
    assert _usernames(client_for(cast.petra)) == {"pat", "petra"}
    assert _usernames(client_for(cast.petra), "?role=partner_caseworker") == {"pat"}
    assert _usernames(client_for(cast.sam), f"?team={cast.team_a.pk}") == {"alice", "bob", "sam"}
    row = client_for(cast.sam).get(f"/api/v1/colleagues/?team={cast.team_a.pk}&role=caseworker").json()["results"][0]
    assert set(row) == {"id", "username", "first_name", "last_name", "role", "teams"}
    assert row["teams"] == [str(cast.team_a.pk)]
    assert client_for(cast.alice).get("/api/v1/colleagues/?role=admin").status_code == 400
