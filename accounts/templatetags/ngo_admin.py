"""Template helpers for the admin pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import ngettext

register = template.Library()


def _msgid(name: Any) -> str:
    """The English source of a lazily translated model name."""
    args = getattr(name, "_args", None)
    return str(args[0]) if args else str(name)


@register.simple_tag
def object_count(opts: Any, count: int) -> str:
    """'7 записей журнала доступа': the count with the right plural form
    (Django's paginator only knows singular and plural, ngo_cases/model_plurals.py)."""
    return f"{count} {ngettext(_msgid(opts.verbose_name), _msgid(opts.verbose_name_plural), count)}"
