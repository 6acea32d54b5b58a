from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The workspace at /: the web client for caseworkers, supervisors,
    coordinators and partner staff. A page and its static files only: every
    piece of data comes from the public API (docs/workspace.md)."""

    name = "workspace"
    verbose_name = _("Workspace")
