"""The text of an unusual-access alert (registered with notifications.texts
in AuditConfig.ready): a username, counts and links — never a name of a
survivor."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.texts import Message


def bulk_access(notification: Notification) -> Message:
    params = notification.params or {}
    user = notification.subject_user
    user_id = user.pk if user is not None else ""
    values = {
        "user": user.username if user is not None else "?",
        "count": params.get("count", "?"),
        "minutes": params.get("minutes", "?"),
        "threshold": params.get("threshold", "?"),
    }
    return Message(
        subject=_("Unusual access: %(user)s read %(count)s survivors' files") % values,
        text=_("%(user)s read %(count)s different survivors' files in %(minutes)s minutes.") % values,
        link=f"{settings.NGO_PUBLIC_URL}/admin/audit/bulkaccessalert/",
        note=_("The alert threshold is %(threshold)s. What they read is in the access log: %(link)s")
        % {**values, "link": f"{settings.NGO_PUBLIC_URL}/admin/audit/accesslogentry/?actor__id__exact={user_id}"},
    )
