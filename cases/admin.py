"""Admin for survivors and cases: metadata for supervisors and admins,
identity and free text masked for anyone without a grant on the case
(superusers included), and guardian's object-permission screens, whose
changes go through the grant services (reason and grantor recorded).

Nothing is edited here: writes go through the API's services. Admins may
change grants (that is their job) and every change is logged.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin
from guardian.forms import GroupObjectPermissionsForm, UserObjectPermissionsForm

from accounts.models import Role, User
from ngo_cases import access_log
from ngo_cases.access_log import Action
from ngo_cases.admin_history import ChangeHistoryMixin
from ngo_cases.grants.access import AccessEntry

from . import selectors, services
from .models import Case, Survivor
from .permissions import CaseAction, cases_visible_to, survivors_visible_to

MASK = "••••••"
GRANTABLE = [(str(action), str(action)) for action in CaseAction]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - the admin site has authenticated
    return user


def _everything(request: HttpRequest) -> bool:
    """Admins, auditors (and the superuser) list every row's metadata;
    supervisors only what their grants show them."""
    user = _user(request)
    return user.is_superuser or user.role in (Role.ADMIN, Role.AUDITOR)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return list(self.fields or [])


# The request being answered, for the masking display methods. A context
# variable, not an attribute: admin instances are shared between requests
# and threads. Unset means "no access" (fail closed).
_current_request: ContextVar[HttpRequest | None] = ContextVar("ngo_admin_request", default=None)


def _readable(kind: str, obj: Any) -> bool:
    """Whether the user of the current request holds a grant on this case
    or survivor (cached per request)."""
    request = _current_request.get()
    if request is None or getattr(obj, "is_erased", False):
        return False
    cache: dict[tuple[str, Any], bool] = request.__dict__.setdefault("_ngo_admin_access", {})
    key = (kind, obj.pk)
    if key not in cache:
        visible = survivors_visible_to if kind == "survivor" else cases_visible_to
        cache[key] = visible(_user(request)).filter(pk=obj.pk).exists()
    return cache[key]


def _shown(obj: Any, name: str, kind: str) -> str:
    if not _readable(kind, obj):
        return MASK
    value = getattr(obj, name)
    return str(value) if value not in (None, "", []) else "—"


class RequestScopedAdmin(admin.ModelAdmin):
    """Sets the current request for the masking methods around each view, and
    writes what a page showed to the access log (ids only)."""

    audit_type = ""

    def audit_ids(self, obj: Any) -> tuple[list[Any], list[Any]]:
        """(case ids, survivor ids) of a row."""
        raise NotImplementedError

    def _audit(self, request: HttpRequest, objects: list[Any]) -> None:
        case_ids: list[Any] = []
        survivor_ids: list[Any] = []
        for obj in objects:
            cases, survivors = self.audit_ids(obj)
            case_ids += cases
            survivor_ids += survivors
        access_log.record(
            action=Action.ADMIN_VIEW,
            actor=request.user,
            object_type=self.audit_type,
            object_ids=[obj.pk for obj in objects],
            case_ids=case_ids,
            survivor_ids=survivor_ids,
        )

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        token = _current_request.set(request)
        try:
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render"):
                response = response.render()
                changelist = (getattr(response, "context_data", None) or {}).get("cl")
                if changelist is not None and response.status_code == 200:
                    self._audit(request, list(changelist.result_list))
            return response
        finally:
            _current_request.reset(token)

    def changeform_view(
        self, request: HttpRequest, object_id: Any = None, form_url: str = "", extra_context: Any = None
    ) -> Any:
        token = _current_request.set(request)
        try:
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response = response.render()
                original = (getattr(response, "context_data", None) or {}).get("original")
                if original is not None and response.status_code == 200:
                    self._audit(request, [original])
            return response
        finally:
            _current_request.reset(token)


SURVIVOR_FIELDS: list[str] = [
    "id",
    "access_log",
    "given_names_masked",
    "family_name_masked",
    "date_of_birth_masked",
    "gender",
    "age_band",
    "citizenships",
    "languages",
    "migration_status",
    "created_by",
    "created_at",
    "erased_at",
    "erased_by",
    "attachment_count",
]


@admin.register(Survivor)
class SurvivorAdmin(ChangeHistoryMixin, RequestScopedAdmin):
    audit_type = "survivor"
    list_display = ["id", "given_names_masked", "family_name_masked", "gender", "age_band", "created_at", "erased_at"]
    list_filter = ["gender", "age_band", "migration_status"]
    ordering = ["-created_at"]
    fields = tuple(SURVIVOR_FIELDS)
    readonly_fields = SURVIVOR_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Survivor]:
        base = Survivor.objects.select_related("data_key", "created_by", "erased_by")
        if _everything(request):
            return base
        return base.filter(pk__in=survivors_visible_to(_user(request)).values("pk"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def audit_ids(self, obj: Any) -> tuple[list[Any], list[Any]]:
        return [], [obj.pk]

    @admin.display(description=_("access log"))
    def access_log(self, survivor: Survivor) -> str:
        return _access_log_link(survivor=survivor.pk)

    @admin.display(description=_("attachments"))
    def attachment_count(self, survivor: Survivor) -> int:
        """How many files the survivor has (their own and their cases'): a count only, never a name."""
        return int(survivor.attachments.count())

    @admin.display(description=_("given names"))
    def given_names_masked(self, survivor: Survivor) -> str:
        return _shown(survivor, "given_names", "survivor")

    @admin.display(description=_("family name"))
    def family_name_masked(self, survivor: Survivor) -> str:
        return _shown(survivor, "family_name", "survivor")

    @admin.display(description=_("date of birth"))
    def date_of_birth_masked(self, survivor: Survivor) -> str:
        return _shown(survivor, "date_of_birth", "survivor")


class _CaseGrantsForm:
    """What guardian's user and group forms share here: only the three case
    actions are offered, and saving goes through the grant services."""

    obj: Any
    cleaned_data: dict[str, Any]

    def get_obj_perms_field_choices(self) -> list[tuple[str, str]]:
        return GRANTABLE

    def chosen_actions(self) -> set[CaseAction]:
        return {CaseAction(c) for c in self.cleaned_data[self.get_obj_perms_field_name()]}  # type: ignore[attr-defined]

    @property
    def case(self) -> Case:
        assert isinstance(self.obj, Case)  # noqa: S101 - the forms are only used by CaseAdmin
        return self.obj


def _user_form(acting: User) -> type[forms.Form]:
    class Form(_CaseGrantsForm, UserObjectPermissionsForm):
        def save_obj_perms(self) -> None:
            services.case_user_grants_set(
                case=self.case, user=self.user, actions=self.chosen_actions(), granted_by=acting
            )

    return Form


def _group_form(acting: User) -> type[forms.Form]:
    class Form(_CaseGrantsForm, GroupObjectPermissionsForm):
        def save_obj_perms(self) -> None:
            services.case_group_grants_set(
                case=self.case, group=self.group, actions=self.chosen_actions(), granted_by=acting
            )

    return Form


def _access_log_link(**params: Any) -> str:
    """For those who may read the access log (auditors): its entries about this object."""
    request = _current_request.get()
    if request is None or not request.user.has_perm("audit.view_accesslogentry"):
        return "—"
    return access_log.admin_link(str(_("who accessed it")), **params)


def _valid_uuid(*values: str) -> None:
    """guardian's views look ids up with get_object_or_404, which answers 500
    for a malformed UUID; a malformed id is simply not found."""
    try:
        for value in values:
            uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


# What administration needs to see of any case (SPEC 1: no case content
# without a grant, administrators included) ...
CASE_METADATA_FIELDS: list[str] = [
    "reference",
    "access_log",
    "access_list",
    "organisation",
    "team",
    "status",
    "opened_by",
    "opened_at",
    "closed_at",
    "attachment_count",
]
# ... and what a holder of a grant (a supervisor of the team) also reads.
CASE_CONTENT_FIELDS: list[str] = [
    "closure_reason",
    "trafficking_status",
    "exploitation_types_words",
    "means_of_control_words",
    "risk_level",
    "summary_masked",
]
CASE_FIELDS = CASE_METADATA_FIELDS + CASE_CONTENT_FIELDS

ACTION_WORDS = {"view": _("read"), "change": _("work on"), "assign": _("assign")}


def _permission_words(codenames: list[str]) -> str:
    """view_case / change_referral / assign_case → "read", "work on", "assign"."""
    return ", ".join(str(ACTION_WORDS.get(code.split("_", 1)[0], code)) for code in codenames)


def _labels(choices: Any, codes: list[str]) -> str:
    labels = dict(choices.choices)
    return ", ".join(str(labels.get(code, code)) for code in codes) or "—"


def _holder(entry: AccessEntry) -> str:
    """A grant's holder in words: the username, or the team or desk a group stands for."""
    if entry.user is not None:
        return str(entry.user.username)
    if entry.team:
        from accounts.models import Team

        team = Team.objects.filter(pk=entry.team).first()
        if team is not None:
            return str(_("%(team)s — team supervisors") % {"team": team.name})
    if entry.group:
        from django.contrib.auth.models import Group

        group = Group.objects.filter(name=entry.group).select_related("desk_of").first()
        desk_of = getattr(group, "desk_of", None) if group is not None else None
        if desk_of is not None:
            return str(_("%(organisation)s — referral desk") % {"organisation": desk_of.name})
    return str(entry.group or "—")


@admin.register(Case)
class CaseAdmin(ChangeHistoryMixin, RequestScopedAdmin, GuardedModelAdmin):
    """Cases in the admin: metadata and the access list for administrators
    and auditors; the content too for those who hold a grant (supervisors).
    Nothing is edited here, so there is no Save button; administrators reach
    the grant screens from "Object permissions"."""

    audit_type = "case"
    change_form_template = "admin/cases/case/change_form.html"  # type: ignore[misc]
    list_display = ["reference", "status", "team", "opened_at", "closed_at"]
    list_filter = ["status", "team"]
    search_fields = ["reference"]
    ordering = ["-opened_at"]
    fields = tuple(CASE_FIELDS)
    readonly_fields = CASE_FIELDS

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and _readable("case", obj):
            return CASE_FIELDS
        return CASE_METADATA_FIELDS

    def get_list_display(self, request: HttpRequest) -> Any:
        if _everything(request):
            return self.list_display  # rows of cases they hold no grant on: metadata only
        return ["reference", "status", "risk_level", "team", "opened_at", "closed_at"]

    def changeform_view(
        self, request: HttpRequest, object_id: Any = None, form_url: str = "", extra_context: Any = None
    ) -> Any:
        read_only = {
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "manage_grants": self.has_change_permission(request),
        }
        return super().changeform_view(request, object_id, form_url, {**(extra_context or {}), **read_only})

    @admin.display(description=_("exploitation types"))
    def exploitation_types_words(self, case: Case) -> str:
        from .models import ExploitationType

        return _labels(ExploitationType, case.exploitation_types)

    @admin.display(description=_("means of control"))
    def means_of_control_words(self, case: Case) -> str:
        from .models import MeansOfControl

        return _labels(MeansOfControl, case.means_of_control)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        base = Case.objects.select_related("team", "team__organisation", "data_key", "opened_by", "organisation")
        if _everything(request):
            return base
        return base.filter(pk__in=cases_visible_to(_user(request)).values("pk"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("attachments"))
    def attachment_count(self, case: Case) -> int:
        """How many files the case has: a count only; the files are read in the workspace."""
        return int(case.attachments.count())

    @admin.display(description=_("summary"))
    def summary_masked(self, case: Case) -> str:
        return _shown(case, "summary", "case")

    def audit_ids(self, obj: Any) -> tuple[list[Any], list[Any]]:
        return [obj.pk], [obj.survivor_id]

    @admin.display(description=_("access log"))
    def access_log(self, case: Case) -> str:
        return _access_log_link(case=case.pk)

    @admin.display(description=_("who can see it, and why"))
    def access_list(self, case: Case) -> str:
        from django.utils.html import format_html_join

        entries = selectors.case_access_list(case=case)
        return format_html_join(
            "",
            "<div>{}: {} ({}){}</div>",
            (
                (
                    _holder(entry),
                    entry.reason_label,
                    _permission_words(entry.permissions),
                    f" — {entry.referral}" if entry.referral else "",
                )
                for entry in entries
            ),
        )

    def obj_perms_manage_view(self, request: HttpRequest, object_pk: str) -> Any:
        _valid_uuid(object_pk)
        return super().obj_perms_manage_view(request, object_pk)

    def obj_perms_manage_user_view(self, request: HttpRequest, object_pk: str, user_id: str) -> Any:
        _valid_uuid(object_pk, user_id)
        return super().obj_perms_manage_user_view(request, object_pk, user_id)

    def obj_perms_manage_group_view(self, request: HttpRequest, object_pk: str, group_id: str) -> Any:
        _valid_uuid(object_pk)
        if not str(group_id).isdigit():
            raise Http404
        return super().obj_perms_manage_group_view(request, object_pk, group_id)

    def get_obj_perms_manage_user_form(self, request: HttpRequest) -> type[forms.Form]:
        return _user_form(_user(request))

    def get_obj_perms_manage_group_form(self, request: HttpRequest) -> type[forms.Form]:
        return _group_form(_user(request))
