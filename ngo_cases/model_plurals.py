"""Plural forms of the models' names, for the admin's counts ("7 records").

Django's admin counts objects with ``ngettext(verbose_name, verbose_name_plural, n)``;
a language with more than two plural forms (Russian has four) needs these
pairs in its catalogue with every form, which ``makemessages`` only collects
from an ``ngettext`` call. This module is that call; nothing imports it.
"""

from django.utils.translation import ngettext_lazy

MODEL_PLURALS = [
    ngettext_lazy("organisation", "organisations", 1),
    ngettext_lazy("team", "teams", 1),
    ngettext_lazy("user", "users", 1),
    ngettext_lazy("API token", "API tokens", 1),
    ngettext_lazy("survivor", "survivors", 1),
    ngettext_lazy("case", "cases", 1),
    ngettext_lazy("case note", "case notes", 1),
    ngettext_lazy("referral", "referrals", 1),
    ngettext_lazy("access log entry", "access log", 1),
    ngettext_lazy("bulk-access alert", "bulk-access alerts", 1),
    ngettext_lazy("reminder rule", "reminder rules", 1),
    ngettext_lazy("notification", "notifications", 1),
]
