"""Derived groups: a team's supervisor group follows the team's memberships
and its members' roles, and an organisation's referral-desk group follows its
coordinators, whichever way they change (services, the admin's inlines, the
shell). Case access of team supervisors and referral access of a receiving
organisation are granted to those groups, so they must never drift."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import TeamMembership, User
from .services import desk_groups_sync, role_group_sync, team_groups_sync


@receiver(post_save, sender=TeamMembership, dispatch_uid="team_membership_saved")
@receiver(post_delete, sender=TeamMembership, dispatch_uid="team_membership_deleted")
def _membership_changed(sender: type[TeamMembership], instance: TeamMembership, **kwargs: Any) -> None:
    user = User.objects.filter(pk=instance.user_id).first()
    if user is not None:
        team_groups_sync(user=user)


@receiver(post_save, sender=User, dispatch_uid="user_saved_team_groups")
def _user_changed(sender: type[User], instance: User, created: bool, raw: bool = False, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if raw or (update_fields is not None and not {"role", "is_active", "organisation"} & set(update_fields)):
        return  # a login's last_login update changes nothing here
    role_group_sync(user=instance)
    if created:
        # a coordinator made in the admin joins the desk at once; teams come with memberships
        desk_groups_sync(user=instance)
        return
    team_groups_sync(user=instance)
    desk_groups_sync(user=instance)
