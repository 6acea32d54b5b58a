"""The API and the admin answer in the user's language (English or Russian)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from conftest import Cast

pytestmark = pytest.mark.django_db


def test_api_errors_come_in_the_users_language(client_for: Callable[[User], APIClient]) -> None:
    olga = UserFactory.create(username="olga", language="ru")
    response = client_for(olga).patch("/api/v1/me", {"language": "en"}, format="json")
    assert response.status_code == 428
    assert response.json()["detail"] == "Передайте ETag редактируемой версии в заголовке If-Match."
    assert response["Content-Language"] == "ru"


def test_validation_messages_from_django_and_drf_are_translated(client_for: Callable[[User], APIClient]) -> None:
    olga = UserFactory.create(username="olga", language="ru")
    client = client_for(olga)
    etag = client.get("/api/v1/me")["ETag"]
    body = client.patch("/api/v1/me", {"time_zone": "Mars/Base"}, format="json", HTTP_IF_MATCH=etag).json()
    assert body["title"] == "Неверные данные"
    assert body["errors"]["time_zone"] == ["Неизвестный часовой пояс: укажите имя IANA, например Europe/Moscow."]


def test_user_language_beats_accept_language(client_for: Callable[[User], APIClient]) -> None:
    anna = UserFactory.create(username="anna", language="en")
    response = client_for(anna).patch("/api/v1/me", {}, format="json", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.json()["detail"] == "Send the ETag of the version you edit in an If-Match header."


def test_anonymous_callers_get_accept_language(api: APIClient) -> None:
    response = api.post("/api/v1/auth/login", {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.json()["title"] == "Неверные учётные данные"


def test_admin_speaks_the_users_language() -> None:
    adam = UserFactory.create(username="adam", role="admin", language="ru")
    browser = Client()
    browser.force_login(adam)
    page = browser.get("/admin/").content.decode()
    assert "Администрирование ngo-cases" in page


def test_user_can_switch_language_and_time_zone(client_for: Callable[[User], APIClient]) -> None:
    anna = UserFactory.create(username="anna")
    client = client_for(anna)
    etag = client.get("/api/v1/me")["ETag"]
    response = client.patch(
        "/api/v1/me", {"language": "ru", "time_zone": "Asia/Kamchatka"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200
    assert (response.json()["language"], response.json()["time_zone"]) == ("ru", "Asia/Kamchatka")
    anna.refresh_from_db()
    assert (anna.language, anna.time_zone, anna.version) == ("ru", "Asia/Kamchatka", 2)


@pytest.mark.django_db
def test_admin_titles_read_correctly_in_russian_with_plural_counts(cast: Cast) -> None:
    from django.urls import reverse

    from accounts.models import User as UserModel

    UserModel.objects.filter(pk=cast.audrey.pk).update(language="ru")
    client = Client()
    client.force_login(cast.audrey)
    page = client.get(reverse("admin:accounts_user_change", args=[cast.alice.pk])).content.decode()
    assert "Просмотр: пользователь" in page and "Просмотреть пользователь" not in page
    listing = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    count = UserModel.objects.count()  # 10 cast accounts: "10 пользователей"
    assert f"{count} пользователей" in listing
