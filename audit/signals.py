"""Authentication events and grants into the access log.

Sign-in results come from Django's and django-axes' signals (the API's
login and the admin's alike); token changes from the services; grants from
the save and delete signals of every model built on ngo_cases.grants and
from ``grants_created``, which that mechanism sends after a bulk_create
(bulk_create sends no post_save)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save

from .models import Action
from .services import record, record_grants


def _logged_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    record(action=Action.LOGIN, actor=user, subject=user)


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    """Never the username as typed (people type passwords there): the
    account, if one has that name."""
    from accounts.models import User

    user = User.objects.filter(username=credentials.get("username") or "").first()
    action = Action.MFA_FAILED if credentials.get("factor") == "otp" else Action.LOGIN_FAILED
    record(action=action, actor=None, subject=user)


def _locked_out(sender: Any, request: Any = None, username: str = "", **kwargs: Any) -> None:
    from accounts.models import User

    record(action=Action.LOCKOUT, subject=User.objects.filter(username=username or "").first())


def _grant_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        record_grants([instance], created=True)


def _grant_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    record_grants([instance], created=False)


def _grants_created(sender: Any, grants: list[Any], **kwargs: Any) -> None:
    record_grants(grants, created=True)


def connect() -> None:
    from axes.signals import user_locked_out

    from ngo_cases.grants.models import GroupGrant, UserGrant, grants_created

    user_logged_in.connect(_logged_in, dispatch_uid="audit_logged_in")
    user_login_failed.connect(_login_failed, dispatch_uid="audit_login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit_locked_out")
    grants_created.connect(_grants_created, dispatch_uid="audit_grants_created")
    for model in apps.get_models():
        if issubclass(model, (UserGrant, GroupGrant)):
            label = model._meta.label
            post_save.connect(_grant_saved, sender=model, dispatch_uid=f"audit_grant_saved_{label}")
            post_delete.connect(_grant_deleted, sender=model, dispatch_uid=f"audit_grant_deleted_{label}")
