"""Small typed helpers to read settings from the environment.

Every secret can also come from a file: for ``FOO`` the helper reads
``FOO_FILE`` when it is set (Docker/Kubernetes secrets), and refuses to have
both. Nothing here ever logs a value.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    file_var = f"{name}_FILE"
    value = os.environ.get(name)
    file_path = os.environ.get(file_var)
    if value is not None and file_path is not None:
        raise ImproperlyConfigured(f"Set either {name} or {file_var}, not both.")
    if file_path is not None:
        try:
            value = Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{file_var} points to an unreadable file.") from exc
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} (or {file_var}) is required.")
        return default
    return value


def env_required(name: str) -> str:
    value = env_str(name, required=True)
    if value is None:  # env_str raises first; this keeps the type narrow
        raise ImproperlyConfigured(f"The environment variable {name} is required.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = env_str(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]
