"""Cursor pagination: ``{"next", "previous", "results"}``, ``page_size`` capped.

A cursor the server did not make, or a ``page_size`` that is not a whole
number of at least 1, is the client's mistake: 400 with a field error, never
a silently different page (DRF answers 404 and ignores the size). A size
above the cap gets the cap (SPEC: "page_size capped at 200")."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, pagination


class CursorPagination(pagination.CursorPagination):
    page_size = settings.API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    ordering = "-created_at"
    invalid_cursor_message = "Invalid cursor"

    def get_ordering(self, request, queryset, view):
        """The view's ``ordering`` (a unique final key keeps cursors stable)."""
        ordering = getattr(view, "ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 (at most {self.max_page_size} are sent)."]}
            )
        return min(int(raw), self.max_page_size)

    def _invalid_cursor(self) -> exceptions.ValidationError:
        return exceptions.ValidationError(
            {self.cursor_query_param: ["This cursor was not made by this server; start from the first page."]}
        )

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise self._invalid_cursor() from exc
        if encoded is not None and cursor is not None and cursor.offset == 0 and cursor.position is None:
            raise self._invalid_cursor()  # decodes to nothing: our cursors always say where they are
        return cursor

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError, OverflowError) as exc:
            # a well-formed cursor whose position is not a value of the ordering field
            raise self._invalid_cursor() from exc

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": 999_999_999}
                parameter["description"] = (
                    f"Items per page, at most {self.max_page_size} (larger values get {self.max_page_size})."
                )
        return parameters


__all__ = ["CursorPagination"]
