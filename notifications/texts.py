"""Notification texts: one renderer per kind, registered by the app that
raises that kind (cases: break-glass, audit: unusual access, reminders:
reminders) in its AppConfig.ready, so this app needs none of them.

A renderer draws a :class:`Message` for one notification and its reader,
in the active language (callers wrap it in ``translation.override``): a
case or referral reference, a username, counts and a link — never survivor
data, because none is stored on a notification."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Notification


@dataclass(frozen=True)
class Message:
    subject: str  # an email's subject line
    text: str  # one sentence: the in-app text and an email's first paragraph
    link: str
    note: str = ""  # an email's last paragraph (where to look next)


Renderer = Callable[[Notification], Message]
_renderers: dict[str, Renderer] = {}


def register(kind: str, renderer: Renderer) -> None:
    _renderers[kind] = renderer


def render(notification: Notification) -> Message:
    renderer = _renderers.get(notification.kind)
    if renderer is None:
        label = str(notification.get_kind_display())
        return Message(subject=label, text=label, link="")
    return renderer(notification)
