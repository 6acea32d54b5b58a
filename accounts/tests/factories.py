"""factory_boy factories for accounts. Users are made through the same
service as production (``staff_create``) so that groups and flags match."""

from __future__ import annotations

from typing import Any

import factory

from accounts.models import ApiToken, Organisation, OrganisationType, Role, Team, TokenScope, User
from accounts.services import staff_create

TEST_PASSWORD = "correct horse battery staple 42"


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    org_type = OrganisationType.NGO
    region = "Moscow"
    is_home = False


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


def home_organisation() -> Organisation:
    """The home NGO (one per database), made on first use."""
    existing = Organisation.objects.filter(is_home=True).first()
    return existing or OrganisationFactory.create(name="Home NGO", slug="home", is_home=True)


def _organisation_for(role: str) -> Organisation:
    """Where an account of this role works unless a test says otherwise:
    partner caseworkers at a new partner organisation, everyone else at home."""
    if role == Role.PARTNER_CASEWORKER:
        return OrganisationFactory.create(org_type=OrganisationType.SHELTER)
    return home_organisation()


class UserFactory(factory.Factory[User]):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.CASEWORKER
    organisation = factory.LazyAttribute(lambda o: _organisation_for(o.role))
    password = TEST_PASSWORD
    teams: list[Team] = []
    language = "en"
    time_zone = "UTC"

    @classmethod
    def _create(cls, model_class: type[User], **kwargs: Any) -> User:
        return staff_create(**kwargs)

    @classmethod
    def _build(cls, model_class: type[User], **kwargs: Any) -> User:
        raise NotImplementedError("use create(): users are made by staff_create")


def issue_token(user: User, *, device: str = "test", scope: str = TokenScope.FULL) -> str:
    _instance, token = ApiToken.objects.create(user=user, device=device, scope=scope)
    return token
