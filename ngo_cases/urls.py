"""URL map. Every route under /api/ and /healthz is a subclass of the base
API class and has a row in tests/policy.py (the permission matrix)."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from accounts import apis as accounts_apis
from attachments import apis as attachments_apis
from cases import apis as cases_apis
from ngo_cases.api.health import HealthApi
from ngo_cases.api.not_found import NotFoundApi
from ngo_cases.api.schema import SchemaApi, SwaggerUiApi
from notifications import apis as notifications_apis
from referrals import apis as referrals_apis
from reporting import apis as reporting_apis
from workspace import apis as workspace_apis


def _attachment_routes(prefix: str, route: str) -> list:
    """A parent's attachments: list and upload, one's metadata and deletion, its content."""
    listing, detail, content = {**attachments_apis.ROUTES, "referral": referrals_apis.ATTACHMENT_ROUTES}[route]
    item = f"{prefix}/attachments/<uuid:attachment_id>"
    return [
        path(f"{prefix}/attachments/", listing.as_view(), name=f"{route}-attachment-list"),
        path(item, detail.as_view(), name=f"{route}-attachment-detail"),
        path(f"{item}/content", content.as_view(), name=f"{route}-attachment-content"),
    ]


api_v1 = [
    path("auth/login", accounts_apis.LoginApi.as_view(), name="auth-login"),
    path("auth/csrf", accounts_apis.CsrfTokenApi.as_view(), name="auth-csrf"),
    path("auth/session", accounts_apis.SessionLoginApi.as_view(), name="auth-session"),
    path("auth/lock", accounts_apis.SessionLockApi.as_view(), name="auth-lock"),
    path("auth/unlock", accounts_apis.SessionUnlockApi.as_view(), name="auth-unlock"),
    path("auth/logout", accounts_apis.LogoutApi.as_view(), name="auth-logout"),
    path("auth/logout-all", accounts_apis.LogoutAllApi.as_view(), name="auth-logout-all"),
    path("auth/tokens/", accounts_apis.TokenListApi.as_view(), name="auth-token-list"),
    path("auth/tokens/<uuid:token_id>/revoke", accounts_apis.TokenRevokeApi.as_view(), name="auth-token-revoke"),
    path("auth/mfa/", accounts_apis.MfaStatusApi.as_view(), name="auth-mfa"),
    path("auth/mfa/totp/begin", accounts_apis.MfaTotpBeginApi.as_view(), name="auth-mfa-totp-begin"),
    path("auth/mfa/totp/confirm", accounts_apis.MfaTotpConfirmApi.as_view(), name="auth-mfa-totp-confirm"),
    path("auth/mfa/recovery-codes", accounts_apis.MfaRecoveryCodesApi.as_view(), name="auth-mfa-recovery-codes"),
    path("me", accounts_apis.MeApi.as_view(), name="me"),
    path("colleagues/", accounts_apis.ColleagueListApi.as_view(), name="colleague-list"),
    path("vocabularies", workspace_apis.VocabularyApi.as_view(), name="vocabularies"),
    path("survivors/", cases_apis.SurvivorListApi.as_view(), name="survivor-list"),
    path("survivors/duplicates", cases_apis.SurvivorDuplicatesApi.as_view(), name="survivor-duplicates"),
    path("survivors/<uuid:survivor_id>", cases_apis.SurvivorDetailApi.as_view(), name="survivor-detail"),
    *_attachment_routes("survivors/<uuid:survivor_id>", "survivor"),
    path("cases/", cases_apis.CaseListApi.as_view(), name="case-list"),
    path("cases/break-glass", cases_apis.BreakGlassByReferenceApi.as_view(), name="case-break-glass-by-reference"),
    path("cases/<uuid:case_id>", cases_apis.CaseDetailApi.as_view(), name="case-detail"),
    path("cases/<uuid:case_id>/assign", cases_apis.CaseAssignApi.as_view(), name="case-assign"),
    path("cases/<uuid:case_id>/close", cases_apis.CaseCloseApi.as_view(), name="case-close"),
    path("cases/<uuid:case_id>/reopen", cases_apis.CaseReopenApi.as_view(), name="case-reopen"),
    path("cases/<uuid:case_id>/break-glass", cases_apis.CaseBreakGlassApi.as_view(), name="case-break-glass"),
    path("cases/<uuid:case_id>/access/", cases_apis.CaseAccessApi.as_view(), name="case-access"),
    path("cases/<uuid:case_id>/notes/", cases_apis.CaseNoteListApi.as_view(), name="case-note-list"),
    path("cases/<uuid:case_id>/notes/<uuid:note_id>", cases_apis.CaseNoteDetailApi.as_view(), name="case-note-detail"),
    path("cases/<uuid:case_id>/consents/", cases_apis.CaseConsentListApi.as_view(), name="case-consent-list"),
    path(
        "cases/<uuid:case_id>/consents/<uuid:consent_id>/revoke",
        cases_apis.CaseConsentRevokeApi.as_view(),
        name="case-consent-revoke",
    ),
    path("cases/<uuid:case_id>/milestones/", cases_apis.CaseMilestoneListApi.as_view(), name="case-milestone-list"),
    path(
        "cases/<uuid:case_id>/milestones/<uuid:milestone_id>",
        cases_apis.CaseMilestoneDetailApi.as_view(),
        name="case-milestone-detail",
    ),
    path("cases/<uuid:case_id>/follow-ups/", cases_apis.CaseFollowUpListApi.as_view(), name="case-follow-up-list"),
    path(
        "cases/<uuid:case_id>/follow-ups/<uuid:follow_up_id>",
        cases_apis.CaseFollowUpDetailApi.as_view(),
        name="case-follow-up-detail",
    ),
    *_attachment_routes("cases/<uuid:case_id>", "case"),
    path("follow-ups/", cases_apis.MyFollowUpListApi.as_view(), name="follow-up-list"),
    path("organisations/", referrals_apis.OrganisationListApi.as_view(), name="organisation-list"),
    path(
        "organisations/<uuid:organisation_id>",
        referrals_apis.OrganisationDetailApi.as_view(),
        name="organisation-detail",
    ),
    path(
        "organisations/<uuid:organisation_id>/contacts/",
        referrals_apis.ContactListApi.as_view(),
        name="organisation-contact-list",
    ),
    path(
        "organisations/<uuid:organisation_id>/contacts/<uuid:contact_id>",
        referrals_apis.ContactDetailApi.as_view(),
        name="organisation-contact-detail",
    ),
    path("services/", referrals_apis.ServiceListApi.as_view(), name="service-list"),
    path("services/<uuid:service_id>", referrals_apis.ServiceDetailApi.as_view(), name="service-detail"),
    path("referrals/", referrals_apis.ReferralListApi.as_view(), name="referral-list"),
    path("referrals/<uuid:referral_id>", referrals_apis.ReferralDetailApi.as_view(), name="referral-detail"),
    *[
        path(f"referrals/<uuid:referral_id>/{action}", view.as_view(), name=f"referral-{action}")
        for action, view in (
            ("send", referrals_apis.ReferralSendApi),
            ("accept", referrals_apis.ReferralAcceptApi),
            ("decline", referrals_apis.ReferralDeclineApi),
            ("start", referrals_apis.ReferralStartApi),
            ("complete", referrals_apis.ReferralCompleteApi),
            ("withdraw", referrals_apis.ReferralWithdrawApi),
            ("assign", referrals_apis.ReferralAssignApi),
        )
    ],
    path(
        "referrals/<uuid:referral_id>/deliveries/",
        referrals_apis.ReferralDeliveryListApi.as_view(),
        name="referral-delivery-list",
    ),
    *_attachment_routes("referrals/<uuid:referral_id>", "referral"),
    path("referrals/<uuid:referral_id>/letter", referrals_apis.ReferralLetterApi.as_view(), name="referral-letter"),
    path("notifications/", notifications_apis.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/unread-count", notifications_apis.UnreadCountApi.as_view(), name="notification-unread-count"),
    path("notifications/read", notifications_apis.NotificationReadAllApi.as_view(), name="notification-read-all"),
    path(
        "notifications/<int:notification_id>/read",
        notifications_apis.NotificationReadApi.as_view(),
        name="notification-read",
    ),
    path("statistics/", reporting_apis.PanelListApi.as_view(), name="statistics-list"),
    path("statistics/exports/", reporting_apis.ExportListApi.as_view(), name="statistics-export-list"),
    path(
        "statistics/exports/<uuid:export_id>", reporting_apis.ExportDetailApi.as_view(), name="statistics-export-detail"
    ),
    path(
        "statistics/exports/<uuid:export_id>/csv", reporting_apis.ExportCsvApi.as_view(), name="statistics-export-csv"
    ),
    path(
        "statistics/exports/<uuid:export_id>/xlsx",
        reporting_apis.ExportXlsxApi.as_view(),
        name="statistics-export-xlsx",
    ),
    path("statistics/<slug:panel>", reporting_apis.PanelApi.as_view(), name="statistics-panel"),
    path("schema/", SchemaApi.as_view(), name="schema"),
    path("docs/", SwaggerUiApi.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    re_path(r"^api/", NotFoundApi.as_view(), name="api-not-found"),
    path("healthz", HealthApi.as_view(), name="healthz"),
    path("admin/", admin.site.urls),
    # The workspace (docs/workspace.md): a page and static files; its data come from /api/v1/.
    path("", never_cache(TemplateView.as_view(template_name="workspace/index.html")), name="front"),
]

handler400 = "ngo_cases.api.errors.handler400"
handler403 = "ngo_cases.api.errors.handler403"
handler404 = "ngo_cases.api.errors.handler404"
handler500 = "ngo_cases.api.errors.handler500"
