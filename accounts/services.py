"""Writes to accounts: organisations, staff, preferences, sign-in, tokens, MFA.

Libraries do the security-critical work: django-axes counts failures and
locks accounts, django-rest-knox makes and hashes tokens, django-otp checks
TOTP codes (with drift, replay protection and throttling) and one-time
recovery codes. See docs/security.md for why each was chosen.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from datetime import datetime

import segno
from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in, user_login_failed
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ngo_cases import access_log
from ngo_cases.access_log import Action
from ngo_cases.errors import (
    Conflict,
    Invalid,
    InvalidCredentials,
    InvalidOtp,
    LockedOut,
    MfaEnrolmentRequired,
    MfaRequired,
    SessionRequired,
    validated,
)
from ngo_cases.versioning import versioned_update

from .models import ApiToken, Organisation, Role, Team, TeamMembership, TokenScope, User
from .roles import ADMIN_SITE_ROLES, role_group_name

RECOVERY_DEVICE_NAME = "recovery"
TOTP_DEVICE_NAME = "authenticator"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


# --- Organisations, teams, staff --------------------------------------------


@transaction.atomic
def organisation_create(
    *, name: str, slug: str, org_type: str, region: str = "", is_home: bool = False
) -> Organisation:
    organisation = Organisation(name=name, slug=slug, org_type=org_type, region=region, is_home=is_home)
    validated(organisation)
    organisation.save()
    return organisation


@transaction.atomic
def team_create(*, organisation: Organisation, name: str) -> Team:
    team = Team(organisation=organisation, name=name)
    validated(team)
    team.save()
    return team


# Roles that work for the home NGO, roles that work for a partner, and the
# coordinator, who runs the referral desk of either (docs/decisions.md).
HOME_ROLES = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN})
PARTNER_ROLES = frozenset({Role.PARTNER_CASEWORKER})


def staff_role_check(*, role: str, organisation: Organisation | None, is_superuser: bool = False) -> None:
    """Raise Invalid unless the role fits the organisation: home-NGO
    roles in the home NGO, partner caseworkers in a partner organisation,
    coordinators in either; no organisation only for the bootstrap superuser."""
    if organisation is None:
        if is_superuser:
            return
        raise Invalid({"organisation": _("Every account belongs to an organisation.")})
    if role in HOME_ROLES and not organisation.is_home:
        raise Invalid(
            {
                "role": _("%(role)s is a role of the home NGO, not of a partner organisation.")
                % {"role": Role(role).label}
            }
        )
    if role in PARTNER_ROLES and organisation.is_home:
        raise Invalid({"role": _("A partner caseworker belongs to a partner organisation.")})


def staff_flags_apply(*, user: User) -> None:
    """Derive the admin-site flag from the role (in memory; the caller saves):
    administrators, auditors and supervisors use the admin, nobody else. The
    bootstrap superuser keeps it."""
    user.is_staff = user.is_superuser or user.role in ADMIN_SITE_ROLES


def role_group_sync(*, user: User) -> None:
    """The user is in their role's group (accounts/roles.py) and in no other role's."""
    wanted = Group.objects.get_or_create(name=role_group_name(user.role))[0] if user.role in Role.values else None
    stale = user.groups.filter(name__startswith="role:")
    if wanted is not None:
        stale = stale.exclude(pk=wanted.pk)
    if stale.exists():
        user.groups.remove(*stale)
    if wanted is not None and not user.groups.filter(pk=wanted.pk).exists():
        user.groups.add(wanted)


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str,
    organisation: Organisation,
    role: str,
    teams: list[Team] | None = None,
    email: str = "",
    language: str = "en",
    time_zone: str | None = None,
) -> User:
    """Create a staff account, the one way every account is made (the admin,
    ``create_staff``, the demo). The password must pass the validators; the
    role must fit the organisation (``staff_role_check``); the admin-site flag
    and groups follow the role; the time zone defaults to the organisation's.
    """
    staff_role_check(role=role, organisation=organisation)
    for team in teams or []:
        if team.organisation_id != organisation.pk:
            raise Invalid({"team": _("The team belongs to another organisation.")})
    user = User(
        username=username,
        email=email,
        organisation=organisation,
        role=role,
        language=language,
        time_zone=time_zone or organisation.time_zone,
        is_superuser=False,
    )
    staff_flags_apply(user=user)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise Invalid.from_django(error, "password") from None
    user.set_password(password)
    validated(user)
    user.save()
    role_group_sync(user=user)
    for team in teams or []:
        TeamMembership.objects.create(team=team, user=user)
    team_groups_sync(user=user)
    desk_groups_sync(user=user)
    return user


def team_supervisor_group(*, team: Team) -> Group:
    """The group of the team's supervisors. Made on first use, under a row
    lock so that two first uses make one group; afterwards a plain read (every
    case opening asks, and must not queue behind the team row)."""
    group = Group.objects.filter(supervised_team=team).first()
    if group is None:
        with transaction.atomic():
            locked = Team.objects.select_for_update(of=("self",)).select_related("supervisor_group").get(pk=team.pk)
            group = locked.supervisor_group
            if group is None:
                group = Group.objects.create(name=f"team-supervisors:{team.pk}")
                locked.supervisor_group = group
                locked.save(update_fields=["supervisor_group"])
    team.supervisor_group = group
    return group


def organisation_desk_group(*, organisation: Organisation) -> Group:
    """The group of the organisation's referral desk (its coordinators), made
    on first use under a row lock, like a team's supervisor group."""
    group = Group.objects.filter(desk_of=organisation).first()
    if group is None:
        with transaction.atomic():
            locked = Organisation.objects.select_for_update(of=("self",)).get(pk=organisation.pk)
            group = Group.objects.filter(desk_of=locked).first()
            if group is None:
                group = Group.objects.create(name=f"referral-desk:{organisation.pk}")
                Organisation.objects.filter(pk=locked.pk).update(desk_group=group)
    organisation.desk_group = group
    return group


def desk_groups_sync(*, user: User) -> None:
    """An active coordinator is in their organisation's desk group and no
    other; everyone else in none."""
    wanted = set()
    if user.role == Role.COORDINATOR and user.is_active and user.organisation_id is not None:
        organisation = Organisation.objects.get(pk=user.organisation_id)
        wanted = {organisation_desk_group(organisation=organisation).pk}
    current = set(user.groups.filter(desk_of__isnull=False).values_list("pk", flat=True))
    if wanted - current:
        user.groups.add(*(wanted - current))
    if current - wanted:
        user.groups.remove(*(current - wanted))


def team_groups_sync(*, user: User) -> None:
    """Make the user a member of exactly the supervisor groups of the teams
    they supervise: every team they belong to if their role is supervisor
    and they are active, none otherwise. Called after any change to a user's
    role or memberships (services and the admin, through signals)."""
    wanted = set()
    if user.role == Role.SUPERVISOR and user.is_active:
        wanted = {team_supervisor_group(team=team).pk for team in Team.objects.filter(memberships__user=user)}
    current = set(user.groups.filter(supervised_team__isnull=False).values_list("pk", flat=True))
    if wanted - current:
        user.groups.add(*(wanted - current))
    if current - wanted:
        user.groups.remove(*(current - wanted))


@transaction.atomic
def user_update_preferences(
    *,
    user: User,
    expected_version: int,
    language: str | None = None,
    time_zone: str | None = None,
    email_digest: bool | None = None,
) -> User:
    changes: dict[str, str | bool] = {}
    if language is not None:
        changes["language"] = language
    if time_zone is not None:
        changes["time_zone"] = time_zone
    if email_digest is not None:
        changes["email_digest"] = email_digest
    return versioned_update(user, expected=expected_version, **changes)


# --- Sign-in and tokens ---------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    scope: str


def _issue_token(*, user: User, device: str, scope: str) -> IssuedToken:
    ttl = settings.MFA_ENROLMENT_TOKEN_TTL if scope == TokenScope.MFA_ENROLMENT else None
    kwargs = {"expiry": ttl} if ttl is not None else {}
    instance, token = ApiToken.objects.create(user=user, device=device, scope=scope, **kwargs)
    access_log.record(action=Action.TOKEN_CREATED, actor=user, subject=user, detail=f"scope={scope}")
    if scope == TokenScope.FULL:
        # Per-user cap: the oldest device logins give way to the newest.
        limit = settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]
        stale = ApiToken.objects.filter(user=user, scope=TokenScope.FULL).order_by("-created")[limit:]
        if stale:
            ApiToken.objects.filter(digest__in=[t.digest for t in stale]).delete()
            access_log.record(
                action=Action.TOKEN_REVOKED, actor=user, subject=user, detail=f"oldest {len(stale)} over the limit"
            )
    return IssuedToken(token=token, expires_at=instance.expiry, scope=scope)


def _record_failure(request: HttpRequest, username: str) -> None:
    """Tell django-axes and the access log about a refused second factor."""
    user_login_failed.send(sender=__name__, credentials={"username": username, "factor": "otp"}, request=request)


def user_has_mfa(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_device_for_code(user: User, otp: str) -> TOTPDevice | StaticDevice | None:
    """The confirmed device that accepts this code (a TOTP code or a recovery
    code, which is then used up), or None. django-otp checks drift, replay
    and its own failure throttle."""
    code = otp.strip().replace(" ", "")
    if code.isdigit():
        for totp in TOTPDevice.objects.filter(user=user, confirmed=True):
            if totp.verify_token(code):
                return totp
        return None
    digest = _recovery_digest(code)
    for static in StaticDevice.objects.filter(user=user, confirmed=True):
        if static.verify_token(digest):
            return static
    return None


def _verify_otp(user: User, otp: str) -> bool:
    return mfa_device_for_code(user, otp) is not None


def mfa_code_refused(*, request: HttpRequest, username: str) -> None:
    """A refused second factor counts towards the lockout and is logged (API and admin alike)."""
    _record_failure(request, username)


def auth_login(*, request: HttpRequest, username: str, password: str, otp: str = "", device: str = "") -> IssuedToken:
    """Check credentials (and OTP) and issue a bearer token for one device.

    Unknown usernames and wrong passwords get the same answer; both count
    towards the lockout, which also covers OTP failures. When MFA is required
    and the account has no authenticator yet, the token issued opens only the
    enrolment endpoints.

    Not atomic on purpose, and its API view runs outside the request
    transaction: the failure counters written by django-axes and django-otp
    must survive the error response.
    """
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise LockedOut()
    if user is None or not isinstance(user, User) or user.role not in Role.values:
        raise InvalidCredentials()

    if user_has_mfa(user):
        if not otp:
            raise MfaRequired()
        if not _verify_otp(user, otp):
            _record_failure(request, username)
            if getattr(request, "axes_locked_out", False):
                raise LockedOut()
            raise InvalidOtp()
        scope = TokenScope.FULL
    elif settings.NGO_MFA_REQUIRED:
        scope = TokenScope.MFA_ENROLMENT
    else:
        scope = TokenScope.FULL

    with transaction.atomic():
        issued = _issue_token(user=user, device=device, scope=scope)
        if scope == TokenScope.FULL:
            # Updates last_login; django-axes resets the failure count.
            user_logged_in.send(sender=User, request=request, user=user)
    return issued


def auth_session_login(*, request: HttpRequest, username: str, password: str, otp: str = "") -> User:
    """Sign in to a browser session (the workspace): the same checks as
    ``auth_login`` — lockout, one answer for unknown users and wrong
    passwords, the second factor — then Django's session login (a new
    session key and CSRF token) marked verified by the device that accepted
    the code. Not atomic, like ``auth_login``: failure counters must stay.

    Accounts that must set up two-factor sign-in first get a session that
    opens only the enrolment endpoints and sign-out, and the answer 403
    mfa-enrolment-required; confirming the authenticator verifies the
    session (``session_verify``).
    """
    from django.contrib.auth import login
    from django_otp import login as otp_login

    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise LockedOut()
    if user is None or not isinstance(user, User) or user.role not in Role.values:
        raise InvalidCredentials()
    device = None
    if user_has_mfa(user):
        if not otp:
            raise MfaRequired()
        device = mfa_device_for_code(user, otp)
        if device is None:
            _record_failure(request, username)
            if getattr(request, "axes_locked_out", False):
                raise LockedOut()
            raise InvalidOtp()
    elif settings.NGO_MFA_REQUIRED:
        # Signed in for enrolment only: every endpoint but enrolment and
        # sign-out ignores an unverified session (EnrolmentSessionAuthentication).
        with transaction.atomic():
            login(request, user)
        raise MfaEnrolmentRequired()
    with transaction.atomic():
        login(request, user)  # rotates the session key and the CSRF token; logs the sign-in
        if device is not None:
            otp_login(request, device)
    return user


def token_revoke(*, token: ApiToken, acting_user: User | None = None) -> None:
    owner = token.user
    token.delete()
    access_log.record(action=Action.TOKEN_REVOKED, actor=acting_user or owner, subject=owner)


def tokens_revoke_all(*, user: User) -> int:
    """Sign out everywhere: every token revoked and every browser session
    ended (the sessions epoch is part of each session's auth hash)."""
    deleted, _by_model = ApiToken.objects.filter(user=user).delete()
    User.objects.filter(pk=user.pk).update(sessions_epoch=F("sessions_epoch") + 1)
    access_log.record(action=Action.LOGOUT_ALL, actor=user, subject=user, detail=f"tokens={deleted}")
    return deleted


# --- the browser session's guard: lock and idle sign-out --------------------------

SESSION_LOCKED_KEY = "ngo_locked"
SESSION_SEEN_KEY = "ngo_seen"


def session_is_locked(request: HttpRequest) -> bool:
    return bool(request.session.get(SESSION_LOCKED_KEY))


def session_lock(*, request: HttpRequest, user: User) -> None:
    """Lock the screen: until the password is given again the session answers
    as signed out everywhere but the session state, unlock and sign-out
    (accounts.middleware.SessionGuardMiddleware)."""
    if not hasattr(request, "session") or request.session.session_key is None:
        raise SessionRequired()
    request.session[SESSION_LOCKED_KEY] = True
    access_log.record(action=Action.SESSION_LOCKED, actor=user, subject=user)


def session_unlock(*, request: HttpRequest, user: User, password: str) -> None:
    """Unlock with the password: a wrong one counts as a failed sign-in
    (django-axes), and the lockout that follows also ends the session."""
    from django.contrib.auth import logout

    if not hasattr(request, "session") or request.session.session_key is None:
        raise SessionRequired()
    if not session_is_locked(request):
        return
    if authenticate(request, username=user.username, password=password) is None:
        if getattr(request, "axes_locked_out", False):
            logout(request)
            raise LockedOut()
        raise InvalidCredentials()
    request.session[SESSION_LOCKED_KEY] = False
    access_log.record(action=Action.SESSION_UNLOCKED, actor=user, subject=user)


def session_idle_sign_out(*, request: HttpRequest, user: User) -> None:
    """End a session left without a request for NGO_SESSION_IDLE_TIMEOUT seconds."""
    from django.contrib.auth import logout

    logout(request)
    access_log.record(action=Action.SESSION_IDLE, actor=user, subject=user)


# --- MFA enrolment ---------------------------------------------------------------


@dataclass(frozen=True)
class TotpEnrolment:
    otpauth_uri: str
    secret: str
    qr_code: str  # the otpauth URI as a QR code: an SVG data: URI for an <img>


@transaction.atomic
def mfa_totp_begin(*, user: User) -> TotpEnrolment:
    """Start (or restart) TOTP enrolment: an unconfirmed device with a new key."""
    if user_has_mfa(user):
        raise Conflict(_("Two-factor authentication is already set up for this account."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return totp_enrolment_of(device)


def totp_enrolment_of(device: TOTPDevice) -> TotpEnrolment:
    """What the person types or scans into their app: the key in base32 and the otpauth URI."""
    secret = base64.b32encode(binascii.unhexlify(device.key)).decode("ascii").rstrip("=")
    uri = device.config_url
    qr_code = segno.make(uri, error="m").svg_data_uri(scale=4, border=2)
    return TotpEnrolment(otpauth_uri=uri, secret=secret, qr_code=qr_code)


def session_verify(*, request: HttpRequest, user: User) -> None:
    """After enrolment through a browser session: a new session key, marked
    verified by the authenticator just confirmed (as a sign-in with a code
    would be)."""
    from django_otp import login as otp_login

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    request.session.cycle_key()
    otp_login(request, device)


def mfa_totp_confirm(*, user: User, otp: str) -> list[str]:
    """Confirm the pending authenticator with a current code; returns fresh
    recovery codes (shown once) and ends any enrolment-only tokens.

    The code is checked outside a transaction so that django-otp's failure
    throttle is kept when the answer is an error (the view is non-atomic).
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise Conflict(_("Start enrolment first (POST /api/v1/auth/mfa/totp/begin)."))
    if not device.verify_token(otp.strip()):
        raise InvalidOtp()
    with transaction.atomic():
        confirmed = TOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True)
        if confirmed != 1:
            raise Conflict(_("Enrolment was completed or restarted meanwhile."))
        ApiToken.objects.filter(user=user, scope=TokenScope.MFA_ENROLMENT).delete()
        return _replace_recovery_codes(user)


def mfa_recovery_codes_regenerate(*, user: User, otp: str) -> list[str]:
    """New recovery codes (the old ones stop working). Non-atomic check, as above."""
    if not user_has_mfa(user):
        raise Conflict(_("Set up two-factor authentication first."))
    if not _verify_otp(user, otp):
        raise InvalidOtp()
    with transaction.atomic():
        return _replace_recovery_codes(user)


def _recovery_digest(code: str) -> str:
    """Recovery codes are stored as a keyed hash (django-otp would keep them
    in clear): 16 hex characters fit its token column."""
    normalised = code.strip().lower().replace("-", "").replace(" ", "")
    return salted_hmac("ngo-cases.recovery-code", normalised, algorithm="sha256").hexdigest()[:16]


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = []
    for _index in range(settings.MFA_RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _char in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        StaticToken.objects.create(device=device, token=_recovery_digest(raw))
    return codes


@transaction.atomic
def mfa_reset(*, user: User, acting_user: User) -> None:
    """An administrator's reset of a lost authenticator: the user's TOTP
    devices and recovery codes are deleted and their API tokens revoked, so
    the next sign-in starts enrolment again. Logged with both accounts."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    tokens, _by_model = ApiToken.objects.filter(user=user).delete()
    access_log.record(action=Action.MFA_RESET, actor=acting_user, subject=user, detail=f"tokens={tokens}")


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()
