"""Cursor pagination: ``{"next", "previous", "results"}``, ``page_size`` capped."""

from django.conf import settings
from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    page_size = settings.API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    ordering = "-created_at"

    def get_ordering(self, request, queryset, view):
        """The view's ``ordering`` (a unique final key keeps cursors stable)."""
        ordering = getattr(view, "ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)
