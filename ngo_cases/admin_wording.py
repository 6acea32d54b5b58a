"""Admin page titles reworded for Russian grammar.

Django builds titles such as "View %s" from a model's name in the nominative
("Просмотреть пользователь" — wrong case). Our catalogue gives these titles
forms that read correctly with any name ("Просмотр: пользователь"); the
project's catalogue comes before Django's (LOCALE_PATHS). Nothing imports
this module: the marks are for makemessages.
"""

from django.utils.translation import gettext_noop

ADMIN_TITLES = [
    gettext_noop("View %s"),
    gettext_noop("Change %s"),
    gettext_noop("Add %s"),
    gettext_noop("Select %s"),
    gettext_noop("Select %s to change"),
    gettext_noop("Select %s to view"),
]
