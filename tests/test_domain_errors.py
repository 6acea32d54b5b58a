"""Domain errors (ngo_cases.errors) are what services raise; the API alone
turns them into problem+json (ngo_cases/api/errors.py), and callers that are
not the API (admin, commands: accounts/tests/test_commands.py) handle them
without knowing HTTP. That services import no HTTP layer is an import-linter
contract (pyproject.toml, "domain-without-http")."""

from __future__ import annotations

import pytest
from rest_framework import exceptions

from ngo_cases import errors
from ngo_cases.api.errors import domain_status, problem_exception_handler


def _all_subclasses(cls: type[errors.DomainError]) -> list[type[errors.DomainError]]:
    found: list[type[errors.DomainError]] = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_subclasses(sub)]
    return found


@pytest.mark.parametrize("error_class", _all_subclasses(errors.DomainError), ids=lambda c: c.__name__)
def test_every_domain_error_has_an_http_status_and_a_title(error_class: type[errors.DomainError]) -> None:
    status = domain_status(error_class)
    assert 400 <= status < 500 or status == 503
    if error_class not in (errors.NotFound, errors.NotAllowed):
        assert error_class.code and error_class.title


def test_invalid_with_field_errors_becomes_a_validation_problem() -> None:
    response = problem_exception_handler(errors.Invalid({"team": ["Not yours."]}), {"view": None})
    assert response is not None and response.status_code == 400
    assert response.data["type"] == "urn:ngo-cases:problem:validation-error"
    assert response.data["errors"] == {"team": ["Not yours."]}


def test_an_illegal_transition_keeps_its_type_and_extension_members() -> None:
    error = errors.IllegalTransition("Not now.", extra={"referral_status": "draft", "action": "accept"})
    response = problem_exception_handler(error, {"view": None})
    assert response is not None and response.status_code == 409
    assert response.data["type"] == "urn:ngo-cases:problem:illegal-transition"
    assert response.data["referral_status"] == "draft" and response.data["detail"] == "Not now."


def test_sign_in_unavailable_says_when_to_retry() -> None:
    response = problem_exception_handler(errors.SignInUnavailable(), {"view": None})
    assert response is not None and response.status_code == 503 and response["Retry-After"] == "30"


def test_drf_validation_errors_still_become_the_same_problem() -> None:
    response = problem_exception_handler(exceptions.ValidationError({"a": ["b"]}), {"view": None})
    assert response is not None and response.data["type"] == "urn:ngo-cases:problem:validation-error"
