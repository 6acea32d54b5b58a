"""The statistics dashboard's page on the admin site."""

from django.contrib import admin
from django.urls import path

from . import admin_views

admin.site.extra_urls += [  # type: ignore[attr-defined]
    path("statistics/", admin_views.dashboard_view, name="statistics"),
    path("statistics/exports/", admin_views.export_request_view, name="statistics-export"),
    path(
        "statistics/exports/<uuid:export_id>/<str:fmt>",
        admin_views.export_download_view,
        name="statistics-export-download",
    ),
]
