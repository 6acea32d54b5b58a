"""The statistics dashboard's page on the admin site."""

from django.contrib import admin
from django.urls import path

from . import admin_views

admin.site.extra_urls.append(path("statistics/", admin_views.dashboard_view, name="statistics"))  # type: ignore[attr-defined]
