"""The permission matrix: who gets what from every route, by method.

Every URL pattern of the project must have an entry here, or
tests/test_permission_matrix.py fails: a new endpoint cannot ship without
its access policy being written down (and docs/permissions.md explains it).

An entry maps a method to the expected status for each persona (see
conftest.py). Methods not listed must answer 405 to signed-in personas
and, on routes that need authentication, 401 to anonymous callers.
Requests are sent with an empty JSON body and without If-Match, so writes
that need input answer 400 (validation) and guarded writes 428.

Path parameters are filled with objects owned by alice (see
``route_params`` in the test); anyone who may not see them gets 404.
"""

from __future__ import annotations

ANON = "anonymous"
STAFF = ["alice", "bob", "charlie", "sam", "cora", "pat", "petra", "audrey", "adam", "root"]
PERSONAS = [ANON, *STAFF]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def staff(status: int, anonymous: int = 401) -> dict[str, int]:
    """Every signed-in persona gets ``status``; anonymous gets 401."""
    return {ANON: anonymous, **dict.fromkeys(STAFF, status)}


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, status)


def only(owner_status: int, owners: list[str], others: int = 404) -> dict[str, int]:
    return {ANON: 401, **{p: owner_status if p in owners else others for p in STAFF}}


CASE_ROLES = ["alice", "bob", "charlie", "sam"]  # caseworkers and supervisors use the case API


def case_workers(status: int) -> dict[str, int]:
    """Caseworkers and supervisors get ``status``; other roles 403 (the
    endpoint is not for them, whatever the id)."""
    return {ANON: 401, **{p: status if p in CASE_ROLES else 403 for p in STAFF}}


def on_alices_case(owner: int, supervisor: int | None = None, *, others: int = 404) -> dict[str, int]:
    """A route about alice's case (or survivor): alice is the owner, sam
    supervises her team, bob (teammate, not assigned) and charlie (other
    team) cannot see it; other roles may not use the case API at all."""
    return {
        ANON: 401,
        "alice": owner,
        "sam": owner if supervisor is None else supervisor,
        "bob": others,
        "charlie": others,
        **dict.fromkeys(["cora", "pat", "petra", "audrey", "adam", "root"], 403),
    }


HOME_STAFF = ["alice", "bob", "charlie", "sam", "cora", "audrey", "adam"]  # root has no organisation


def home_staff(status: int) -> dict[str, int]:
    """The directory: everyone in the home NGO reads it; partner staff and
    the organisation-less superuser get 403."""
    return {ANON: 401, **{p: status if p in HOME_STAFF else 403 for p in STAFF}}


def directory_keepers(status: int) -> dict[str, int]:
    """The home NGO's coordinators keep the directory."""
    return {ANON: 401, **{p: status if p == "cora" else 403 for p in STAFF}}


REFERRAL_ROLES = ["alice", "bob", "charlie", "sam", "cora", "pat", "petra"]


def referral_roles(status: int) -> dict[str, int]:
    return {ANON: 401, **{p: status if p in REFERRAL_ROLES else 403 for p in STAFF}}


def on_alices_referral(
    *, sender: int, desk: int, assignee: int, recipient_desk: int, supervisor: int | None = None
) -> dict[str, int]:
    """A route about alice's referral, sent to the partner shelter and
    assigned there to pat by petra (its coordinator). alice and sam are the
    sending case's workers; cora runs the home NGO's desk (she sees what
    was sent); bob and charlie do not see it; auditors and admins may not use
    the referral API."""
    return {
        ANON: 401,
        "alice": sender,
        "sam": sender if supervisor is None else supervisor,
        "bob": 404,
        "charlie": 404,
        "cora": desk,
        "pat": assignee,
        "petra": recipient_desk,
        **dict.fromkeys(["audrey", "adam", "root"], 403),
    }


# route name -> {"public": bool, "methods": {METHOD: {persona: status}}}
API_POLICY: dict[str, dict[str, object]] = {
    "healthz": {"public": True, "methods": {"GET": everyone(200)}},
    # any other address under /api/: problem+json 404 for every method
    "api-not-found": {"public": True, "methods": dict.fromkeys(METHODS, everyone(404))},
    # the service's front page (plain HTML, no data)
    "front": {"public": True, "methods": {"GET": everyone(200)}},
    "api:auth-login": {"public": True, "methods": {"POST": everyone(400)}},
    # the browser session sign-in (the workspace) and its CSRF token
    "api:auth-csrf": {"public": True, "methods": {"GET": everyone(200)}},
    "api:auth-session": {"public": True, "methods": {"GET": everyone(200), "POST": everyone(400)}},
    # lock and unlock are for browser sessions; with a token they answer 400 (session-required)
    "api:auth-lock": {"methods": {"POST": staff(400)}},
    "api:auth-unlock": {"methods": {"POST": staff(400)}},
    "api:auth-logout": {"methods": {"POST": staff(204)}},
    "api:auth-logout-all": {"methods": {"POST": staff(204)}},
    "api:auth-token-list": {"methods": {"GET": staff(200)}},
    # Only the owner of a token may revoke it; for everyone else it does not exist.
    "api:auth-token-revoke": {"methods": {"POST": only(204, ["alice"])}},
    "api:auth-mfa": {"methods": {"GET": staff(200)}},
    "api:auth-mfa-totp-begin": {"methods": {"POST": staff(200)}},
    "api:auth-mfa-totp-confirm": {"methods": {"POST": staff(400)}},
    "api:auth-mfa-recovery-codes": {"methods": {"POST": staff(400)}},
    # staff of one's own organisation to assign work to (no survivor data)
    "api:colleague-list": {"methods": {"GET": staff(200)}},
    "api:vocabularies": {"methods": {"GET": staff(200)}},
    "api:me": {"methods": {"GET": staff(200), "PATCH": staff(428)}},
    # --- survivors and cases (requests carry `{}` and no If-Match) ---
    "api:survivor-list": {"methods": {"GET": case_workers(200), "POST": case_workers(400)}},
    "api:survivor-duplicates": {"methods": {"POST": case_workers(400)}},
    "api:survivor-detail": {"methods": {"GET": on_alices_case(200), "PATCH": on_alices_case(428)}},
    "api:case-list": {"methods": {"GET": case_workers(200), "POST": case_workers(400)}},
    "api:case-detail": {"methods": {"GET": on_alices_case(200), "PATCH": on_alices_case(428)}},
    # assign and reopen belong to the team's supervisor; the owner sees the case but may not
    "api:case-assign": {"methods": {"POST": on_alices_case(403, 428)}},
    "api:case-close": {"methods": {"POST": on_alices_case(428)}},
    "api:case-reopen": {"methods": {"POST": on_alices_case(403, 428)}},
    # only holders of the break-glass permission (supervisors) learn that a case exists
    "api:case-break-glass": {"methods": {"POST": on_alices_case(404, 400)}},
    # by reference: the matrix sends no body, so every caseworker gets 400 before the permission check
    # (tested with bodies in cases/tests/test_cases_api.py)
    "api:case-break-glass-by-reference": {"methods": {"POST": on_alices_case(400, 400, others=400)}},
    "api:case-access": {"methods": {"GET": on_alices_case(200)}},
    **{
        f"api:{parent}-attachment-{route}": {"methods": methods}
        for parent in ("survivor", "case")
        for route, methods in {
            # an upload is multipart: the matrix's JSON body is 415 once the parent is checked
            "list": {"GET": on_alices_case(200), "POST": on_alices_case(415)},
            "detail": {"GET": on_alices_case(200), "DELETE": on_alices_case(428)},
            "content": {"GET": on_alices_case(200)},
        }.items()
    },
    "api:case-note-list": {"methods": {"GET": on_alices_case(200), "POST": on_alices_case(400)}},
    "api:case-note-detail": {"methods": {"GET": on_alices_case(200), "PATCH": on_alices_case(428)}},
    "api:case-consent-list": {"methods": {"GET": on_alices_case(200), "POST": on_alices_case(400)}},
    "api:case-consent-revoke": {"methods": {"POST": on_alices_case(428)}},
    "api:case-milestone-list": {"methods": {"GET": on_alices_case(200), "POST": on_alices_case(400)}},
    "api:case-milestone-detail": {"methods": {"PATCH": on_alices_case(428)}},
    "api:case-follow-up-list": {"methods": {"GET": on_alices_case(200), "POST": on_alices_case(400)}},
    "api:case-follow-up-detail": {"methods": {"PATCH": on_alices_case(428)}},
    "api:follow-up-list": {"methods": {"GET": case_workers(200)}},
    # --- directory and referrals ---
    "api:organisation-list": {"methods": {"GET": home_staff(200), "POST": directory_keepers(400)}},
    "api:organisation-detail": {"methods": {"GET": home_staff(200), "PATCH": directory_keepers(428)}},
    "api:organisation-contact-list": {"methods": {"GET": home_staff(200), "POST": directory_keepers(400)}},
    "api:organisation-contact-detail": {"methods": {"PATCH": directory_keepers(428), "DELETE": directory_keepers(428)}},
    "api:service-list": {"methods": {"GET": home_staff(200), "POST": directory_keepers(400)}},
    "api:service-detail": {
        "methods": {"GET": home_staff(200), "PATCH": directory_keepers(428), "DELETE": directory_keepers(428)}
    },
    "api:referral-list": {"methods": {"GET": referral_roles(200), "POST": referral_roles(400)}},
    "api:referral-detail": {
        "methods": {
            "GET": on_alices_referral(sender=200, desk=200, assignee=200, recipient_desk=200),
            # drafts are edited by the sending case's workers (and this one is no longer a draft: 428 comes first)
            "PATCH": on_alices_referral(sender=428, desk=403, assignee=403, recipient_desk=403),
        }
    },
    "api:referral-send": {
        "methods": {"POST": on_alices_referral(sender=428, desk=403, assignee=403, recipient_desk=403)}
    },
    "api:referral-withdraw": {
        "methods": {"POST": on_alices_referral(sender=428, desk=403, assignee=403, recipient_desk=403)}
    },
    # answers come from the receiving organisation (it has accounts): its desk and the assignee
    **{
        f"api:referral-{action}": {
            "methods": {"POST": on_alices_referral(sender=403, desk=403, assignee=428, recipient_desk=428)}
        }
        for action in ("accept", "decline", "start", "complete")
    },
    "api:referral-assign": {
        "methods": {"POST": on_alices_referral(sender=403, desk=403, assignee=403, recipient_desk=428)}
    },
    "api:referral-delivery-list": {
        "methods": {
            "GET": on_alices_referral(sender=200, desk=200, assignee=200, recipient_desk=200),
            "POST": on_alices_referral(sender=403, desk=403, assignee=400, recipient_desk=400),
        }
    },
    # letters are for receiving organisations without accounts; this one has accounts
    # the documents alice's referral shares (the matrix shares one): everyone who sees the referral, read only
    **{
        f"api:referral-attachment-{route}": {
            "methods": {"GET": on_alices_referral(sender=200, desk=200, assignee=200, recipient_desk=200)}
        }
        for route in ("list", "detail", "content")
    },
    "api:referral-letter": {
        "methods": {"GET": on_alices_referral(sender=403, desk=403, assignee=403, recipient_desk=403)}
    },
    # statistics: administrators and supervisors, over their organisation's consented cases (docs/statistics.md)
    "api:statistics-list": {"methods": {"GET": only(200, ["adam", "sam"], others=403)}},
    "api:statistics-panel": {"methods": {"GET": only(200, ["adam", "sam"], others=403)}},
    # the anonymised export (an export of the home NGO, ready): asked for with no filters is every consented case
    "api:statistics-export-list": {
        "methods": {"GET": only(200, ["adam", "sam"], others=403), "POST": only(202, ["adam", "sam"], others=403)}
    },
    "api:statistics-export-detail": {"methods": {"GET": only(200, ["adam", "sam"], others=403)}},
    "api:statistics-export-csv": {"methods": {"GET": only(200, ["adam", "sam"], others=403)}},
    "api:statistics-export-xlsx": {"methods": {"GET": only(200, ["adam", "sam"], others=403)}},
    # everyone's own inbox; someone else's notification does not exist for you
    "api:notification-list": {"methods": {"GET": staff(200)}},
    "api:notification-unread-count": {"methods": {"GET": staff(200)}},
    "api:notification-read-all": {"methods": {"POST": staff(200)}},
    "api:notification-read": {"methods": {"POST": only(200, ["alice"])}},
    # the API's description (no data): public
    "api:schema": {"public": True, "methods": {"GET": everyone(200)}},
    "api:docs": {"public": True, "methods": {"GET": everyone(200)}},
}

# The Django admin, walked with GET. Signed-out users and staff without an
# admin role are sent to the login page (302). Admin-site roles see the
# models their role has, everyone else there gets 403. The superuser sees all
# admin screens, which hold no survivor data without a grant (SPEC 1).
ADMIN_SITE = ["sam", "audrey", "adam", "root"]
ADMIN_MODEL_VIEWERS: dict[str, list[str]] = {
    "accounts.user": ["audrey", "adam", "root"],
    "accounts.organisation": ["adam", "root"],
    "accounts.team": ["sam", "adam", "root"],
    "accounts.apitoken": ["adam", "root"],
    "auth.group": ["root"],
    "axes.accessattempt": ["audrey", "adam", "root"],
    "axes.accessfailurelog": ["audrey", "adam", "root"],
    "otp_totp.totpdevice": ["adam", "root"],
    "otp_static.staticdevice": ["adam", "root"],
    "cases.case": ["sam", "audrey", "adam", "root"],
    "cases.survivor": ["sam", "audrey", "adam", "root"],
    # the access log is the auditors' (admins administer, they do not audit themselves)
    "audit.accesslogentry": ["audrey", "root"],
    "audit.bulkaccessalert": ["sam", "audrey", "root"],
    # reminder rules: admins tune them, auditors may read them
    "reminders.reminderrule": ["audrey", "adam", "root"],
    # the beat schedule (django-celery-beat): admins change intervals of the installed tasks
    "django_celery_beat.periodictask": ["adam", "root"],
    "django_celery_beat.intervalschedule": ["adam", "root"],
    "django_celery_beat.crontabschedule": ["adam", "root"],
    "django_celery_beat.clockedschedule": ["root"],
    "django_celery_beat.solarschedule": ["root"],
}
# Admin screens that create or change: only those with add/change permission.
ADMIN_MODEL_ADDERS: dict[str, list[str]] = {
    "accounts.user": ["adam", "root"],
    "accounts.organisation": ["adam", "root"],
    "accounts.team": ["adam", "root"],
    "accounts.apitoken": [],
    "auth.group": ["root"],
    "axes.accessattempt": [],
    "axes.accessfailurelog": [],
    "otp_totp.totpdevice": [],  # nobody: devices are enrolled by their owner, never made for them
    "otp_static.staticdevice": [],
    "cases.case": [],  # cases are opened through the API's services, never in the admin
    "cases.survivor": [],
    "audit.accesslogentry": [],  # nobody, ever: the database refuses changes too
    "audit.bulkaccessalert": [],  # raised by the detection task only
    "reminders.reminderrule": [],  # one row per rule, installed by migrate
    "django_celery_beat.periodictask": ["root"],  # tasks are installed from settings; admins change them
    "django_celery_beat.intervalschedule": ["adam", "root"],
    "django_celery_beat.crontabschedule": ["adam", "root"],
    "django_celery_beat.clockedschedule": ["root"],
    "django_celery_beat.solarschedule": ["root"],
}
# guardian's object-permission screens of a case: those with change permission on cases.
ADMIN_GRANT_MANAGERS = ["adam", "root"]
