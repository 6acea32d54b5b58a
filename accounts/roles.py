"""What each role may do in the Django admin (model-level permissions only).

Roles never carry object access to survivor data: that comes from per-object
grants. The admin screens a role needs are listed here and synced into one
Django group per role after every migrate; ``staff_create`` puts the user in
their role's group. Later apps add their models to these lists.
"""

from __future__ import annotations

from typing import Any

from .models import Role

ADMIN_SITE_ROLES = frozenset({Role.ADMIN, Role.AUDITOR, Role.SUPERVISOR})

# role -> {"app_label.model": ["view", "add", ...]}
ROLE_MODEL_PERMISSIONS: dict[str, dict[str, list[str]]] = {
    Role.ADMIN: {
        "accounts.user": ["view", "add", "change"],
        "accounts.organisation": ["view", "add", "change"],
        "accounts.team": ["view", "add", "change", "delete"],
        "accounts.teammembership": ["view", "add", "change", "delete"],
        "accounts.apitoken": ["view", "delete"],
        "axes.accessattempt": ["view", "delete"],
        "axes.accessfailurelog": ["view"],
        "otp_totp.totpdevice": ["view", "delete"],
        "otp_static.staticdevice": ["view", "delete"],
        # Case metadata, identity masked; "change" opens guardian's grant screens (the fields stay read-only).
        "cases.case": ["view", "change"],
        "cases.survivor": ["view"],
        # Reminder rules and the beat schedule (SPEC 3).
        "reminders.reminderrule": ["view", "change"],
        "django_celery_beat.periodictask": ["view", "change"],
        "django_celery_beat.intervalschedule": ["view", "add", "change"],
        "django_celery_beat.crontabschedule": ["view", "add", "change"],
    },
    Role.AUDITOR: {
        "axes.accessattempt": ["view"],
        "axes.accessfailurelog": ["view"],
        "audit.accesslogentry": ["view", "export"],
        "audit.bulkaccessalert": ["view"],
        # to go from a case, survivor or account to its entries: metadata only, identity masked
        "cases.case": ["view"],
        "cases.survivor": ["view"],
        "accounts.user": ["view"],
        "reminders.reminderrule": ["view"],
    },
    Role.SUPERVISOR: {
        "accounts.team": ["view"],
        # Not an admin screen: the right to open a case by break-glass (SPEC 1).
        "cases.case": ["view", "break_glass"],
        "cases.survivor": ["view"],
        # Alerts about their teams' members (the access log itself is the auditors').
        "audit.bulkaccessalert": ["view"],
        # Not an admin screen: sending a referral without a live consent, with a reason (SPEC 2).
        "referrals.referral": ["override_consent"],
    },
}


def role_group_name(role: str) -> str:
    return f"role:{role}"


def sync_role_groups(**kwargs: Any) -> None:
    """Create or update one auth Group per role with exactly its permissions."""
    from django.contrib.auth.models import Group, Permission

    for role in Role.values:
        group, _ = Group.objects.get_or_create(name=role_group_name(role))
        wanted: list[Permission] = []
        for label, actions in ROLE_MODEL_PERMISSIONS.get(role, {}).items():
            app_label, model = label.split(".")
            codenames = [f"{action}_{model}" for action in actions]
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
        group.permissions.set(wanted)
