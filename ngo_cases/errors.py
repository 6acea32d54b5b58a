"""What a service, a selector or an access helper refuses: domain errors.

Services are called by the API, the admin, Celery tasks and management
commands alike, so they raise these and never an HTTP class. The API maps
them to problem+json in one place (ngo_cases/api/errors.py: ``code`` becomes
``urn:ngo-cases:problem:<code>``); the admin shows ``message`` (and
``errors``) to the person; tasks log the class name and move on. Messages
never echo input values, so no personal data reaches a response, a log line
or an error report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

T = TypeVar("T")


class DomainError(Exception):
    code: ClassVar[str] = ""  # the problem type's slug; "" for plain HTTP errors
    title: ClassVar[Any] = None
    default_message: ClassVar[Any] = None

    def __init__(self, message: Any = None, *, extra: Mapping[str, Any] | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.extra = dict(extra or {})
        super().__init__(str(self.message) if self.message is not None else type(self).__name__)


class NotFound(DomainError):
    """Unseen or nonexistent: the two look the same."""


class NotAllowed(DomainError):
    """Seen, but this action is not the user's to take."""


class Invalid(DomainError):
    """Input the domain refuses, per field: ``{"field": ["message", …]}``
    (dotted names for nested fields), or one message for the whole input."""

    code = "validation-error"
    title = _("Invalid input")
    default_message = _("The request contains invalid data. See `errors`.")

    def __init__(self, errors: Mapping[str, Any] | Any = None, *, extra: Mapping[str, Any] | None = None) -> None:
        if isinstance(errors, Mapping):
            self.errors: dict[str, list[str]] = {
                str(name): [str(m) for m in (msgs if isinstance(msgs, (list, tuple)) else [msgs])]
                for name, msgs in errors.items()
            }
            super().__init__(None, extra=extra)
        else:
            self.errors = {}
            super().__init__(errors, extra=extra)

    @classmethod
    def from_django(cls, error: ValidationError, field: str = "non_field_errors") -> Invalid:
        """Django's ValidationError (a model's full_clean, a password
        validator) as a domain error; messages without a field go to ``field``."""
        if hasattr(error, "error_dict"):
            return cls(error.message_dict)
        return cls({field: error.messages})

    def messages(self) -> list[str]:
        """Every message, for a command's or a form's single line."""
        return [m for msgs in self.errors.values() for m in msgs] or [str(self.message)]

    def as_django(self) -> ValidationError:
        """For Django forms (the admin): ``form.add_error(None, error.as_django())``."""
        return ValidationError(self.messages())


def get_or_not_found(queryset: Any, **lookup: Any) -> Any:
    """The one row of ``queryset`` matching ``lookup``, or :class:`NotFound`
    (for selectors' ``<thing>_get``: callers never catch DoesNotExist)."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise NotFound()
    return found


def validated(obj: T, **clean: Any) -> T:
    """The model's own validation (``full_clean``), refused as :class:`Invalid`."""
    try:
        obj.full_clean(**clean)  # type: ignore[attr-defined]
    except ValidationError as error:
        raise Invalid.from_django(error) from None
    return obj


class Conflict(DomainError):
    """Not possible in the object's current state."""

    code = "conflict"
    title = _("Conflict")
    default_message = _("The request conflicts with the current state of the resource.")


class IllegalTransition(Conflict):
    code = "illegal-transition"
    title = _("Not possible in this state")


class ConsentRequired(Conflict):
    code = "consent-required"
    title = _("Consent required")
    default_message = _(
        "There is no live referral consent for this organisation. Record the survivor's consent first, "
        "or send with a consent override and its reason if you hold that permission."
    )


class TooLarge(DomainError):
    """More than a limit allows (an upload over the attachment size limit)."""

    code = "content-too-large"
    title = _("Content Too Large")
    default_message = _("The request body is larger than this endpoint accepts.")


class Unavailable(DomainError):
    """Something the operation depends on does not answer (the virus scanner): nothing was changed."""

    code = "service-unavailable"
    title = _("Service Unavailable")
    default_message = _("A service this needs is not available; nothing was changed. Try again later.")


class StaleVersion(DomainError):
    """The row changed since the caller read it (optimistic concurrency)."""

    code = "precondition-failed"
    title = _("Precondition Failed")
    default_message = _("The resource changed since you read it. Fetch it again and reapply your change.")


# --- signing in -------------------------------------------------------------------------------


class InvalidCredentials(DomainError):
    code = "invalid-credentials"
    title = _("Invalid credentials")
    default_message = _("The username or password is wrong, or the account is disabled.")


class MfaRequired(DomainError):
    code = "mfa-required"
    title = _("One-time password required")
    default_message = _("This account uses two-factor authentication: send the current code as `otp`.")


class InvalidOtp(DomainError):
    code = "invalid-otp"
    title = _("Invalid one-time password")
    default_message = _("The one-time password is wrong or was already used.")


class MfaEnrolmentRequired(DomainError):
    code = "mfa-enrolment-required"
    title = _("Two-factor enrolment required")
    default_message = _("Set up two-factor authentication before using the API (see /api/v1/auth/mfa/).")


class SignInUnavailable(DomainError):
    code = "sign-in-unavailable"
    title = _("Sign-in temporarily unavailable")
    default_message = _("Sign-in is paused while its rate limit cannot be checked. Try again in a minute.")
    retry_after = 30


class LockedOut(DomainError):
    code = "locked-out"
    title = _("Account temporarily locked")
    default_message = _("Too many failed sign-in attempts. Try again later or ask an administrator.")


class SessionRequired(DomainError):
    code = "session-required"
    title = _("Browser session required")
    default_message = _("Only a browser session can be locked and unlocked; a token is revoked instead.")
