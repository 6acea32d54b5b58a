"""The API's JSON parser, with limits that answer before anything blows up.

* a body larger than ``NGO_API_MAX_BODY_BYTES`` → 413, unread;
* nesting deeper than ``NGO_API_MAX_JSON_DEPTH`` → 400 (Python's json module
  raises RecursionError near depth 1,000; no field here nests beyond 3);
* a string or key holding a NUL character or a lone UTF-16 surrogate → 400
  (PostgreSQL cannot store either; refused here for every field at once).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from .errors import ContentTooLarge

_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


def _bad_text(value: str) -> bool:
    return _BAD_TEXT.search(value) is not None


def check_json_value(data: Any, *, max_depth: int) -> None:
    """Walk the parsed value without recursion: depth and text checks."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > max_depth:
                raise ParseError(_("The JSON body is nested more than %(depth)d levels deep.") % {"depth": max_depth})
            if isinstance(value, dict):
                for key, item in value.items():
                    if _bad_text(key):
                        raise ParseError(_("The JSON body holds a NUL character or an unpaired surrogate."))
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and _bad_text(value):
            raise ParseError(_("The JSON body holds a NUL character or an unpaired surrogate."))


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        request = (parser_context or {}).get("request")
        if request is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                raise ParseError(_("The Content-Length header is not a number.")) from None
            if length > settings.NGO_API_MAX_BODY_BYTES:
                raise ContentTooLarge(
                    _("The body is larger than %(limit)d bytes.") % {"limit": settings.NGO_API_MAX_BODY_BYTES}
                )
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                _("The JSON body is nested more than %(depth)d levels deep.")
                % {"depth": settings.NGO_API_MAX_JSON_DEPTH}
            ) from None
        check_json_value(data, max_depth=settings.NGO_API_MAX_JSON_DEPTH)
        return data
